/**
 * The `sentinelone_intel` config namespace: env `SENTINELONE_INTEL_<KEY>`, config.yml `sentinelone_intel: { key }`.
 * This schema is the single source of truth (the SDK merges it with `opencti` / `connector`, validates, coerces,
 * redacts `writeOnly` values and generates the metadata docs from it).
 */
import type { BaseConfig, FromSchema, NamespaceSchema } from "@octi/connector-sdk";

export const NAMESPACE = "sentinelone_intel";

/** Digits only; the empty string means "not set" (docker-compose files often carry `SENTINELONE_INTEL_SITE_ID=`). */
const SCOPE_ID_PATTERN = "^[0-9]*$";
const SCOPE_ID_RULE = "must be a SentinelOne id: a number (digits only; SentinelOne ids have 18 or 19 digits)";

export const configSchema = {
  type: "object",
  properties: {
    api_url: {
      type: "string",
      format: "uri",
      description:
        "Base URL of the SentinelOne management console, e.g. https://your-console.sentinelone.net (a trailing / is ignored).",
      "x-env-aliases": ["SENTINELONE_INTEL_URL"],
      "x-yaml-aliases": ["url"],
    },
    api_key: {
      type: "string",
      writeOnly: true,
      minLength: 1,
      description:
        "SentinelOne API token (needs Threat Intelligence view + manage). A leading 'APIToken ' / 'ApiToken ' is ignored.",
    },
    account_id: {
      type: "string",
      pattern: SCOPE_ID_PATTERN,
      errorMessage: SCOPE_ID_RULE,
      description: "SentinelOne account ID the IOCs are scoped to. Cannot be combined with site_id.",
    },
    site_id: {
      type: "string",
      pattern: SCOPE_ID_PATTERN,
      errorMessage: SCOPE_ID_RULE,
      description: "SentinelOne site ID the IOCs are scoped to. Cannot be combined with account_id.",
    },
    group_id: {
      type: "string",
      pattern: SCOPE_ID_PATTERN,
      errorMessage: SCOPE_ID_RULE,
      description: "SentinelOne group ID the IOCs are scoped to.",
    },
    source: {
      type: "string",
      default: "OpenCTI",
      minLength: 1,
      description:
        "The IOC 'source' in SentinelOne. Deletes only match IOCs of this source, so keep it stable once IOCs were pushed.",
    },
    batch_size: {
      type: "integer",
      default: 2000,
      minimum: 1,
      maximum: 5000,
      description:
        "Most IOCs sent in one create request (deletes carry up to 5,000 IOC uuids each, SentinelOne's maximum). SentinelOne allows about 30 requests per minute: large batches keep up with OpenCTI's churn.",
    },
    batch_flush_interval: {
      type: "integer",
      default: 250,
      minimum: 0,
      description:
        "Milliseconds a partial batch waits for more IOCs before it is sent (it goes at once when nothing more can arrive before an acknowledgement). Batches also grow on their own while a request is in flight or rate limited.",
    },
    max_pending_iocs: {
      type: "integer",
      default: 20000,
      minimum: 1,
      description:
        "Indicators with changes queued for SentinelOne before the connector stops reading the stream (back-pressure). Changes to one indicator waiting in the queue collapse to its last state.",
    },
    requests_per_minute: {
      type: "integer",
      default: 0,
      minimum: 0,
      description:
        "Requests per minute the connector allows itself towards SentinelOne (30 is SentinelOne's documented Threat Intelligence limit). It starts with one request and builds up to a minute's worth while requests are rare; a 429 starts it again from zero. 0 sends as fast as SentinelOne answers and waits when it answers 429.",
    },
    reconcile_interval: {
      type: "number",
      default: 24,
      minimum: 0,
      description:
        "Hours between two scheduled reconciliations (0 = none). Each one rebuilds the IOC index from a full SentinelOne listing (one request per 1,000 IOCs of this source: about 200 s per 100,000 IOCs at 30 requests per minute), then reads OpenCTI's recovery snapshot again in-process: what is missing or changed is sent, what the snapshot no longer wants (or was duplicated) is deleted by uuid, through the same queue as live changes. Live events published meanwhile are read right after the snapshot. A start without state always reconciles.",
    },
    skip_score_only_updates: {
      type: "boolean",
      default: false,
      description:
        "Ignore OpenCTI updates that change nothing but the indicator's score. Score decay rewrites every live indicator's score several times: each change costs a replace (a share of a batched delete and of a batched create). With true, SentinelOne's originalRiskScore keeps the score of the last other change (it is corrected at the next change of another field).",
    },
    data_dir: {
      type: "string",
      default: "data",
      minLength: 1,
      description:
        "Directory of the connector's durable state: the index of the IOCs it holds in SentinelOne (uuids and what was pushed per indicator). Keep it on a volume; if it is lost, it is rebuilt from SentinelOne by a full listing (about 2 seconds per 1,000 IOCs at 30 requests per minute).",
    },
    request_timeout: {
      type: "number",
      default: 30,
      minimum: 1,
      description: "Seconds before a SentinelOne request is abandoned (and retried).",
    },
    retry_max_delay: {
      type: "number",
      default: 300,
      minimum: 1,
      description:
        "Upper bound, in seconds, of the wait between retries (rate limits, 5xx, timeouts). Retries never give up.",
    },
    dead_letter_path: {
      type: "string",
      default: "sentinelone-intel-dead-letter.jsonl",
      minLength: 1,
      description: "JSON-lines file where IOCs SentinelOne refused (400) are written, one line each.",
    },
    ssl_verify: {
      type: "boolean",
      default: true,
      description: "Verify the SentinelOne console's TLS certificate.",
    },
    ca_file: {
      type: "string",
      "x-file": true,
      description: "Extra CA bundle (PEM file) trusted for the SentinelOne console.",
    },
  },
  required: ["api_url", "api_key"],
} as const satisfies NamespaceSchema;

/** The `sentinelone_intel` namespace as the SDK loader returns it (defaults applied, types coerced). */
export type SentinelOneIntelSettings = FromSchema<typeof configSchema>;

export interface SentinelOneConfig extends BaseConfig {
  readonly sentinelone_intel: SentinelOneIntelSettings;
}

/** A scope id, or undefined when unset / empty / blank. */
export function scopeId(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === "" ? undefined : trimmed;
}

/** Runs after schema validation; each string is one problem. Messages name the env vars users set. */
export function crossFieldRules(ns: SentinelOneIntelSettings): readonly string[] {
  const problems: string[] = [];
  const account = scopeId(ns.account_id);
  const site = scopeId(ns.site_id);
  const group = scopeId(ns.group_id);
  if (!account && !site && !group) {
    problems.push(
      "At least one of SENTINELONE_INTEL_ACCOUNT_ID, SENTINELONE_INTEL_SITE_ID or SENTINELONE_INTEL_GROUP_ID must be set (sentinelone_intel.account_id / site_id / group_id).",
    );
  }
  if (account && site) {
    problems.push(
      "SENTINELONE_INTEL_ACCOUNT_ID and SENTINELONE_INTEL_SITE_ID cannot be used together: SentinelOne requests cannot carry both an account and a site. Keep one (SENTINELONE_INTEL_GROUP_ID may be combined with either).",
    );
  }
  return problems;
}

/** `APIToken abc` / `ApiToken abc` / `abc` → `abc` (the scheme word is added by the client). */
export function stripTokenPrefix(key: string): string {
  const trimmed = key.trim();
  const match = /^api\s*token\s+/i.exec(trimmed);
  return match ? trimmed.slice(match[0].length).trim() : trimmed;
}
