/**
 * Lenient readers for the fields of an OpenCTI indicator. OpenCTI's stream data has been seen with strings for
 * booleans (`"revoked": "False"`), scores as strings, and dates in several ISO-8601 spellings.
 */
import type { StixObject } from "../stream/envelope.js";

/** OpenCTI's property extension on every STIX object it exports; the score lives there. */
export const OPENCTI_EXTENSION = "extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba";

/** true / "true" / "True" / 1 / "1" → true; false / "false" / "False" / 0 / "0" → false; anything else → undefined. */
function lenientBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
  }
  return undefined;
}

export function isRevoked(indicator: StixObject): boolean {
  return lenientBoolean(indicator.revoked) === true;
}

/** `object[key]` when `object` is an object, else undefined. */
function field(object: unknown, key: string): unknown {
  return typeof object === "object" && object !== null ? Reflect.get(object, key) : undefined;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * The OpenCTI score: the extension's `score`, else the older top-level `x_opencti_score`; rounded to an integer and
 * clamped to 0..100 (OpenCTI's range, and SentinelOne's `originalRiskScore`). Undefined when absent or not a number.
 */
export function openCtiScore(indicator: StixObject): number | undefined {
  const extension = field(indicator.extensions, OPENCTI_EXTENSION);
  let score = toNumber(field(extension, "score"));
  if (score === undefined) score = toNumber(indicator.x_opencti_score);
  if (score === undefined) return undefined;
  return Math.min(100, Math.max(0, Math.round(score)));
}

/** A STIX timestamp as epoch ms, or undefined when absent or unparseable. */
export function timestampMs(value: unknown): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * OpenCTI's own spelling, for dates that exist in every month (day ≤ 28, hour ≤ 23): already what `isoTimestamp`
 * would write, so it is returned as is (a parse and a format per date were 4-5 % of a backfill's CPU).
 */
const CANONICAL_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** A STIX timestamp re-written as ISO-8601 UTC (`2024-04-29T12:33:20.098Z`), or undefined. */
export function isoTimestamp(value: unknown): string | undefined {
  if (typeof value === "string" && CANONICAL_UTC.test(value)) return value;
  const ms = timestampMs(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** A non-empty string field, or undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** The string items of a list field (non-strings and empty strings dropped), or undefined when none. */
export function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out = value.filter((item): item is string => typeof item === "string" && item.length > 0);
  return out.length > 0 ? out : undefined;
}
