/** The `sentinelone_intel` namespace turned into what the services use (units converted, ids normalised). */
import { join } from "node:path";
import type { TlsSettings } from "@octi/connector-sdk";
import { type SentinelOneIntelSettings, scopeId, stripTokenPrefix } from "./config-schema.js";
import type { IocScope } from "./sentinelone/types.js";

export interface SentinelOneSettings {
  /** Console origin without trailing slashes (`https://x.sentinelone.net`). */
  readonly apiUrl: string;
  /** The token without any `APIToken ` prefix. Secret: never logged. */
  readonly apiKey: string;
  readonly scope: IocScope;
  readonly source: string;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxPendingIocs: number;
  readonly requestTimeoutMs: number;
  /** First retry delay when the server gives no Retry-After (doubles per attempt). */
  readonly retryBaseMs: number;
  readonly retryMaxDelayMs: number;
  readonly deadLetterPath: string;
  readonly tls: TlsSettings;
  /** Requests per minute towards SentinelOne (0: not paced). */
  readonly requestsPerMinute: number;
  readonly skipScoreOnlyUpdates: boolean;
  /** The target index file (`<data_dir>/sentinelone-intel-index.sqlite`). */
  readonly indexPath: string;
  /** Subtracted from the index checkpoint for incremental listings (clock skew with SentinelOne). */
  readonly listingMarginMs: number;
  /** Time between scheduled reconciliations (0: none). */
  readonly reconcileIntervalMs: number;
}

/** Clock skew allowed between the connector and SentinelOne when reading IOCs changed since a time. */
export const LISTING_MARGIN_MS = 5 * 60_000;

/** Default first retry delay (not configurable: `retry_max_delay` bounds the growth). */
export const DEFAULT_RETRY_BASE_MS = 1000;

export function resolveSettings(ns: SentinelOneIntelSettings): SentinelOneSettings {
  const accountId = scopeId(ns.account_id);
  const siteId = scopeId(ns.site_id);
  const groupId = scopeId(ns.group_id);
  const caFile = ns.ca_file && ns.ca_file.trim() !== "" ? ns.ca_file.trim() : undefined;
  return {
    apiUrl: ns.api_url.trim().replace(/\/+$/, ""),
    apiKey: stripTokenPrefix(ns.api_key),
    scope: {
      ...(accountId ? { accountId } : {}),
      ...(siteId ? { siteId } : {}),
      ...(groupId ? { groupId } : {}),
    },
    source: ns.source,
    batchSize: ns.batch_size,
    flushIntervalMs: ns.batch_flush_interval,
    maxPendingIocs: ns.max_pending_iocs,
    requestTimeoutMs: Math.round(ns.request_timeout * 1000),
    retryBaseMs: Math.min(DEFAULT_RETRY_BASE_MS, Math.round(ns.retry_max_delay * 1000)),
    retryMaxDelayMs: Math.round(ns.retry_max_delay * 1000),
    deadLetterPath: ns.dead_letter_path,
    tls: caFile ? { verify: ns.ssl_verify, caFile } : { verify: ns.ssl_verify },
    requestsPerMinute: ns.requests_per_minute,
    skipScoreOnlyUpdates: ns.skip_score_only_updates,
    indexPath: join(ns.data_dir.trim(), "sentinelone-intel-index.sqlite"),
    listingMarginMs: LISTING_MARGIN_MS,
    reconcileIntervalMs: Math.round(ns.reconcile_interval * 3_600_000),
  };
}
