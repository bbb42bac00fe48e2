/**
 * The fingerprint of an IOC: what a replace depends on (every field we send), computed the same way from the
 * payload we send and from a record SentinelOne lists, so that a replay finds its IOC already there. Dates are
 * compared as instants (SentinelOne answers with microseconds), absent and null are the same; a `validUntil`
 * SentinelOne sets itself (defaulted or clamped, reference §2.3) counts as that rule, not as a date, on both sides.
 */
import { hash } from "node:crypto";
import type { IocPayload, IocRecord } from "./types.js";
import { validUntilPart } from "./validity.js";

const TEXT_FIELDS = ["type", "value", "source", "externalId", "name", "description", "pattern", "patternType"] as const;
const DATE_FIELDS = ["validUntil", "creationTime"] as const;

export function fingerprintIoc(ioc: IocPayload | IocRecord, now = Date.now()): string {
  const parts: unknown[] = [];
  for (const field of TEXT_FIELDS) {
    const value = ioc[field];
    parts.push(typeof value === "string" ? value : null);
  }
  for (const field of DATE_FIELDS) {
    const value = ioc[field];
    const at = typeof value === "string" ? Date.parse(value) : Number.NaN;
    parts.push(field === "validUntil" ? validUntilPart(ioc, at, now) : Number.isNaN(at) ? null : at);
  }
  parts.push(typeof ioc.originalRiskScore === "number" ? ioc.originalRiskScore : null);
  parts.push(Array.isArray(ioc.labels) ? ioc.labels.filter((l) => typeof l === "string") : []);
  // One-shot hash: same digest as createHash().update().digest(), without a Hash object per IOC (backfill CPU).
  return hash("sha256", JSON.stringify(parts), "base64url").slice(0, 22);
}
