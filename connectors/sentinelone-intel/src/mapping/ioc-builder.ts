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
  createMapper,
  isoTimestamp,
  type IndicatorMapper as Mapper,
  type IndicatorMapping as Mapping,
  nonEmptyString,
  openCtiScore,
  type StixObject,
  stringList,
} from "@octi/connector-sdk";
import type { IocPayload } from "../sentinelone/types.js";
import { classifyIndicator, type IocType } from "./pattern-table.js";

export interface BuildOptions {
  /** The IOC `source` (config `sentinelone_intel.source`). */
  readonly source: string;
}

type Payload<T extends string> = { -readonly [K in keyof IocPayload<T>]: IocPayload<T>[K] };

function put<T extends string, K extends keyof Payload<T>>(payload: Payload<T>, key: K, value: Payload<T>[K]): void {
  if (value !== undefined) payload[key] = value;
}

export function buildIoc<T extends string>(
  indicator: StixObject,
  ioc: ClassifiedIoc<T>,
  options: BuildOptions,
): IocPayload<T> {
  const { type, value } = ioc;
  const payload: Payload<T> = { type, value, method: "EQUALS", source: options.source, externalId: indicator.id };
  put(payload, "name", nonEmptyString(indicator.name));
  put(payload, "description", nonEmptyString(indicator.description));
  put(payload, "validUntil", isoTimestamp(indicator.valid_until));
  put(payload, "creationTime", isoTimestamp(indicator.created));
  put(payload, "originalRiskScore", openCtiScore(indicator));
  put(payload, "labels", stringList(indicator.labels));
  put(payload, "pattern", nonEmptyString(indicator.pattern));
  payload.patternType = "stix";
  return payload;
}

export type IndicatorMapping<T extends string = IocType> = Mapping<IocPayload<T>>;
export type IndicatorMapper<T extends string = IocType> = Mapper<IocPayload<T>, BuildOptions>;

/** Classify then build: what the connector, the reconciliation and the dry-run tool do with one indicator. */
export const mapIndicator: IndicatorMapper = createMapper(classifyIndicator, buildIoc);
