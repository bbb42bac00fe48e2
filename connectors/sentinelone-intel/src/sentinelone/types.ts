/** SentinelOne Threat Intelligence IOC shapes (Management API 2.1, `/web/api/v2.1/threat-intelligence/iocs`). */

import type { IocType } from "../mapping/pattern-table.js";

/** The IOC `type`s the connector sends (upper case, as SentinelOne requires): the pattern table's. */
export type { IocType };

/** One item of the POST body's `data[]`. Optional keys are absent, never null. */
export interface IocPayload<T extends string = IocType> {
  readonly type: T;
  readonly value: string;
  readonly method: "EQUALS";
  readonly source: string;
  /** The OpenCTI indicator's STIX id: deletes and replacements find the IOCs by it. */
  readonly externalId: string;
  readonly name?: string;
  readonly description?: string;
  readonly validUntil?: string;
  readonly creationTime?: string;
  readonly originalRiskScore?: number;
  readonly labels?: readonly string[];
  readonly pattern?: string;
  readonly patternType?: string;
}

/** A stored IOC as SentinelOne returns it (only the fields the connector reads are typed). */
export interface IocRecord {
  readonly uuid?: string;
  readonly type?: string;
  readonly value?: string;
  readonly source?: string;
  readonly externalId?: string | null;
  readonly batchId?: string;
  readonly scope?: string;
  readonly scopeId?: string | null;
  readonly validUntil?: string;
  readonly [key: string]: unknown;
}

/** Where IOCs go: the configured ids (at least one is set; account and site are never both set). */
export interface IocScope {
  readonly accountId?: string;
  readonly siteId?: string;
  readonly groupId?: string;
}
