/**
 * Builds the SentinelOne IOC payloads (`POST /web/api/v2.1/threat-intelligence/iocs`, `data[]` items) of an OpenCTI
 * indicator: one per value the classifier found (`type`, `value`), `method` always `EQUALS` (SentinelOne's only
 * one), `source` from config, `externalId` the STIX `id` (updates and deletes find the IOCs by it), then from the
 * indicator `name`, `description`, `validUntil` (`valid_until`), `creationTime` (`created`), `originalRiskScore`
 * (the OpenCTI score, 0..100), `labels`, `pattern`, and `patternType` `"stix"`. A field that is absent or does not
 * parse is left out (never null): SentinelOne rejects a whole batch for one bad item, and defaults `validUntil`.
 */
import {
  type ClassifiedIoc,
  type Classifier,
  type ClassifyOptions,
  isoTimestamp,
  nonEmptyString,
  openCtiScore,
  type Skip,
  type StixObject,
  stringList,
} from "@octi/connector-sdk";
import type { IocPayload } from "../sentinelone/types.js";
import { classifyIndicator, type IocType } from "./pattern-table.js";

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
  const name = nonEmptyString(indicator.name);
  if (name !== undefined) payload.name = name;
  const description = nonEmptyString(indicator.description);
  if (description !== undefined) payload.description = description;
  const validUntil = isoTimestamp(indicator.valid_until);
  if (validUntil !== undefined) payload.validUntil = validUntil;
  const creationTime = isoTimestamp(indicator.created);
  if (creationTime !== undefined) payload.creationTime = creationTime;
  const score = openCtiScore(indicator);
  if (score !== undefined) payload.originalRiskScore = score;
  const labels = stringList(indicator.labels);
  if (labels !== undefined) payload.labels = labels;
  const pattern = nonEmptyString(indicator.pattern);
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
