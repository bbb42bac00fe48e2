/**
 * Builds the SentinelOne IOC payload (`POST /web/api/v2.1/threat-intelligence/iocs`, `data[]` item) for one
 * classified value of an OpenCTI indicator.
 *
 * | IOC field           | from the indicator                                                                |
 * |---------------------|-----------------------------------------------------------------------------------|
 * | `type`, `value`     | the classified comparison (`classify.ts`)                                         |
 * | `method`            | always `EQUALS` (the only method SentinelOne has)                                  |
 * | `source`            | config `sentinelone_intel.source`                                                  |
 * | `externalId`        | the STIX `id`: updates and deletes find the IOCs created for an indicator by it     |
 * | `name`              | `name`                                                                             |
 * | `description`       | `description`                                                                      |
 * | `validUntil`        | `valid_until` as ISO-8601 UTC; omitted when absent (SentinelOne then defaults it)   |
 * | `creationTime`      | `created` as ISO-8601 UTC                                                          |
 * | `originalRiskScore` | the OpenCTI score (extension, else `x_opencti_score`), integer 0..100              |
 * | `labels`            | `labels` (strings only)                                                            |
 * | `pattern`           | `pattern`, as written                                                              |
 * | `patternType`       | `"stix"`                                                                           |
 *
 * Keys whose value is absent are left out (never sent as null). An unparseable `valid_until` / `created` is left
 * out rather than sent: SentinelOne would reject the whole batch for it.
 */
import type { StixObject } from "@octi/connector-sdk";
import type { IocPayload } from "../sentinelone/types.js";
import { type ClassifiedIoc, type Classifier, type ClassifyOptions, classifyIndicator, type Skip } from "./classify.js";
import { isoTimestamp, openCtiScore, stringList, text } from "./indicator-fields.js";
import type { IocType } from "./pattern-table.js";

export interface BuildOptions {
  /** The IOC `source` (config `sentinelone_intel.source`). */
  readonly source: string;
}

export function buildIoc<T extends string>(
  indicator: StixObject,
  ioc: ClassifiedIoc<T>,
  options: BuildOptions,
): IocPayload<T> {
  const payload: { -readonly [K in keyof IocPayload<T>]: IocPayload<T>[K] } = {
    type: ioc.type,
    value: ioc.value,
    method: "EQUALS",
    source: options.source,
    externalId: indicator.id,
  };
  const name = text(indicator.name);
  if (name !== undefined) payload.name = name;
  const description = text(indicator.description);
  if (description !== undefined) payload.description = description;
  const validUntil = isoTimestamp(indicator.valid_until);
  if (validUntil !== undefined) payload.validUntil = validUntil;
  const creationTime = isoTimestamp(indicator.created);
  if (creationTime !== undefined) payload.creationTime = creationTime;
  const score = openCtiScore(indicator);
  if (score !== undefined) payload.originalRiskScore = score;
  const labels = stringList(indicator.labels);
  if (labels !== undefined) payload.labels = labels;
  const pattern = text(indicator.pattern);
  if (pattern !== undefined) payload.pattern = pattern;
  payload.patternType = "stix";
  return payload;
}

export type IndicatorMapping<T extends string = IocType> =
  | { readonly kind: "iocs"; readonly payloads: readonly IocPayload<T>[] }
  | Skip;

export type IndicatorMapper<T extends string = IocType> = (
  indicator: StixObject,
  options: BuildOptions & ClassifyOptions,
) => IndicatorMapping<T>;

/** Classify then build, with a given classifier (`createClassifier(rows)`). */
export function createMapper<T extends string>(classify: Classifier<T>): IndicatorMapper<T> {
  return (indicator, options) => {
    const classified = classify(indicator, options);
    if (classified.kind === "skip") return classified;
    return { kind: "iocs", payloads: classified.iocs.map((ioc) => buildIoc(indicator, ioc, options)) };
  };
}

/** Classify then build: what the connector (and the dry-run tool) do with one indicator. */
export const mapIndicator: IndicatorMapper = createMapper(classifyIndicator);
