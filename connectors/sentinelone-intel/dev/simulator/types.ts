/** Public types of the SentinelOne Threat Intelligence simulator. See README.md in this folder. */

export const IOC_TYPES = ["DNS", "IPV4", "IPV6", "MD5", "SHA1", "SHA256", "URL"] as const;
export type IocType = (typeof IOC_TYPES)[number];

export const THREAT_ACTOR_TYPES = [
  "Nation-state",
  "Criminal",
  "Hacktivist",
  "Insider",
  "APT",
  "Script kiddies",
] as const;

export type TokenScope = "global" | "account" | "site" | "multi";

/** One API token the simulator accepts. */
export interface TokenDefinition {
  /** The user (email) the token belongs to; stored as `creator` on every IOC it uploads. */
  user: string;
  /** `multi` models a user spanning several accounts: every TI method answers 403 4030010. */
  scope: TokenScope;
  /** Accounts this token can see (account scope) — also used to derive the site → account topology. */
  accountIds?: string[];
  /** Sites this token can see (site scope), or known sites of its account (account scope). */
  siteIds?: string[];
  /** Groups this token may target. */
  groupIds?: string[];
}

export type IocScope = "global" | "account" | "site" | "group";

/**
 * One stored IOC as GET/POST return it. Keys the request did not set are absent (never null), except the
 * defaulted ones (`method`, `metadata`, `creationTime`, `validUntil` and the array fields listed as defaulted).
 */
export interface StoredIoc {
  batchId: string;
  campaignNames?: string[];
  category: (string | null)[];
  creationTime: string | null;
  creator: string;
  description?: string | null;
  externalId?: string | null;
  intrusionSets: string[];
  labels?: string[];
  malwareNames?: (string | null)[];
  metadata: string;
  method: "EQUALS";
  mitreTactic: string[];
  name?: string;
  originalRiskScore?: number | null;
  parentScopeId: string | null;
  pattern?: string | null;
  patternType?: unknown;
  reference: (string | null)[];
  scope: IocScope;
  scopeId: string | null;
  severity?: number | null;
  source: string;
  threatActorTypes?: string[];
  threatActors: string[];
  type: IocType;
  updatedAt: string;
  uploadTime: string;
  uuid: string;
  validUntil: string;
  value: string;
}

export type RetryAfterKind = "none" | "seconds" | "http-date";
export type RateLimitBody = "html" | "json";

export interface RateLimitConfig {
  /** Refill rate of the per-token bucket. */
  requestsPerMinute: number;
  /** Bucket capacity (burst). Default: `requestsPerMinute` (a full minute's worth). */
  burst?: number;
  /** `Retry-After` on the 429: absent, integer seconds, or an IMF-fixdate HTTP-date. */
  retryAfter: RetryAfterKind;
  /** nginx's HTML page (what was observed on SentinelOne) or an (invented) JSON envelope. */
  body: RateLimitBody;
}

export type DedupMode = "duplicate" | "upsert_by_type_value_scope" | "upsert_by_externalId_scope";

/** Body of an injected failure: the JSON envelope, nginx's HTML page, or a literal string sent as is. */
export type FaultBody = "json" | "html" | { raw: string; contentType?: string };

export interface SimulatorTopology {
  /** siteId → accountId */
  sites?: Record<string, string>;
  /** groupId → siteId */
  groups?: Record<string, string>;
}

export interface SentinelOneSimulatorOptions {
  /** Accepted API tokens. Default: {@link DEFAULT_TOKENS}. */
  tokens?: Record<string, TokenDefinition>;
  /** Explicit site → account and group → site links (for `parentScopeId`); merged over the ones derived from tokens. */
  topology?: SimulatorTopology;
  /** Status for POST / STIX without a usable scope. [OBS] 500; 400 is a stricter alternative. Default 500. */
  noScopeStatus?: 500 | 400;
  /** Reject `accountIds` together with `siteIds` on POST / STIX (connector's claim, [INF]). Default true. */
  rejectAccountAndSite?: boolean;
  /** 403 when a POST targets an account / site / group the token cannot see. Default true. */
  enforceScopeVisibility?: boolean;
  /**
   * Unknown keys are rejected with `<path>: <key>: Unknown field.` (marshmallow RAISE) in the DELETE filter, in the
   * POST / STIX top level and filter, and in each POST `data[]` item. GET ignores unknown query parameters. Default true.
   */
  strict?: boolean;
  /** Format checks on values (hash hex/length, IPv4, IPv6, URL, DNS) — all [INF]. Empty-file hashes are always refused. Default true. */
  validateValues?: boolean;
  /** Largest `data` (or STIX `objects`) length; `undefined` = unlimited (the spec documents none). */
  maxItemsPerRequest?: number;
  /** Largest request body; larger → 413 nginx page. Default 32 MiB ([INF]). */
  maxBodyBytes?: number;
  /** POST / DELETE bodies must be sent as `application/json` (else 400). Default true ([INF]). */
  requireJsonContentType?: boolean;
  /** Same-value behaviour (§8). Default `duplicate`. */
  dedupMode?: DedupMode;
  /** Rate limit on `/threat-intelligence/*`. Default `null` (off); {@link DEFAULT_RATE_LIMIT} has the spec's values. */
  rateLimit?: RateLimitConfig | null;
  /** Delay in ms before answering every API request. Default 0. */
  latencyMs?: number;
  /** `source` for IOCs created from STIX when the bundle names no `created_by_ref` identity. Default "STIX". */
  stixDefaultSource?: string;
  /** Use the name of the bundle's `created_by_ref` identity as `source` when present. Default true. */
  stixSourceFromCreatedBy?: boolean;
  /** A cursor can be used once only; reusing it → 400 "Invalid cursor value received". Default false. */
  singleUseCursors?: boolean;
  /**
   * Apply the `source` filter on GET. SentinelOne's own live test saw GET ignore it ([OBS] §4.1), so by default the
   * simulator ignores it too (DELETE honours `source` either way). Default false.
   */
  honourSourceOnGet?: boolean;
  /** Longest request target (path + query) in bytes; longer → 414 nginx page. Default 8192 (nginx's default, [INF]). */
  maxUrlBytes?: number;
  /** Serve the `/__sim/*` control routes: read-only views and the console changes (the CLI turns this on). Default false. */
  controlRoutes?: boolean;
  /** Entries kept in `requests` (oldest dropped first). Default 10 000. */
  maxRequestLog?: number;
  /** Clock override (epoch ms) for deterministic tests. Default `Date.now`. */
  now?: () => number;
}

export interface RequestLogEntry {
  method: string;
  /** Raw path without the query string (`//web/...` stays as sent). */
  path: string;
  /** HTTP status answered; 0 for a request held by `hangNext`. */
  status: number;
  /** POST: items in `data` (STIX: objects in the bundle); GET: records returned; DELETE: records deleted. */
  items?: number;
  /** Clock (`now()`) when the request arrived, epoch ms. */
  at: number;
}

/** Requests of one HTTP method: all answered, those answered 200, and the items of the 200 ones (see `RequestLogEntry.items`). */
export interface MethodStats {
  requests: number;
  ok: number;
  items: number;
}

export interface SimulatorStats {
  requests: number;
  byStatus: Record<number, number>;
  /** API requests by method (GET / POST / DELETE ...), STIX posts counted as POST. */
  byMethod: Record<string, MethodStats>;
  iocsCreated: number;
  /** Upserts (dedup modes other than `duplicate`) that updated an existing record. */
  iocsUpdated: number;
  iocsDeleted: number;
  rateLimited: number;
  /** Requests held by `hangNext`. */
  hung: number;
  /** Records currently stored. */
  iocs: number;
}
