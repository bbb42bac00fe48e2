/**
 * The plugin's `resolve`: the validated `sentinelone_intel` namespace turned into what the services use (units
 * converted, ids normalised). The run, config-check and reconcile all go through it (the SDK's `loadPluginConfig`).
 */
import { join } from "node:path";
import type { TlsSettings } from "@octi/connector-sdk";
import { type SentinelOneIntelSettings, scopeId, stripTokenPrefix } from "./config-schema.js";
import type { IocScope } from "./sentinelone/types.js";

/** What the services receive: `resolveSettings`' result, so the two cannot drift apart. */
export type SentinelOneSettings = ReturnType<typeof resolveSettings>;

/** Clock skew allowed between the connector and SentinelOne when reading IOCs changed since a time. */
export const LISTING_MARGIN_MS = 5 * 60_000;

/** Default first retry delay (not configurable: `retry_max_delay` bounds the growth). */
export const DEFAULT_RETRY_BASE_MS = 1000;

export function resolveSettings(ns: SentinelOneIntelSettings) {
  const accountId = scopeId(ns.account_id);
  const siteId = scopeId(ns.site_id);
  const groupId = scopeId(ns.group_id);
  const caFile = ns.ca_file && ns.ca_file.trim() !== "" ? ns.ca_file.trim() : undefined;
  const scope: IocScope = {
    ...(accountId ? { accountId } : {}),
    ...(siteId ? { siteId } : {}),
    ...(groupId ? { groupId } : {}),
  };
  const tls: TlsSettings = caFile ? { verify: ns.ssl_verify, caFile } : { verify: ns.ssl_verify };
  return {
    /** Console origin without trailing slashes (`https://x.sentinelone.net`). */
    apiUrl: ns.api_url.trim().replace(/\/+$/, ""),
    /** The token without any `APIToken ` prefix. Secret: never logged. */
    apiKey: stripTokenPrefix(ns.api_key),
    scope,
    source: ns.source,
    batchSize: ns.batch_size,
    flushIntervalMs: ns.batch_flush_interval,
    maxPendingIocs: ns.max_pending_iocs,
    requestTimeoutMs: Math.round(ns.request_timeout * 1000),
    /** First retry delay when the server gives no Retry-After (doubles per attempt). */
    retryBaseMs: Math.min(DEFAULT_RETRY_BASE_MS, Math.round(ns.retry_max_delay * 1000)),
    retryMaxDelayMs: Math.round(ns.retry_max_delay * 1000),
    deadLetterPath: ns.dead_letter_path,
    tls,
    /** Requests per minute towards SentinelOne (0: not paced). */
    requestsPerMinute: ns.requests_per_minute,
    skipScoreOnlyUpdates: ns.skip_score_only_updates,
    /** The target index file (`<data_dir>/sentinelone-intel-index.sqlite`). */
    indexPath: join(ns.data_dir.trim(), "sentinelone-intel-index.sqlite"),
    /** Subtracted from the index checkpoint for incremental listings (clock skew with SentinelOne). */
    listingMarginMs: LISTING_MARGIN_MS,
    /** Time between scheduled reconciliations (0: none). */
    reconcileIntervalMs: Math.round(ns.reconcile_interval * 3_600_000),
  } as const;
}
