/**
 * SentinelOne's expiry rules (reference §2.3): a blank `validUntil` defaults to the upload time plus a number of
 * days per type, and a later one is clamped to the upload time plus a maximum. The fingerprint and the reconcile
 * diff both use them, so that an IOC SentinelOne defaulted or clamped is not taken for one that changed.
 */
import type { IocPayload, IocRecord } from "./types.js";

export const DAY_MS = 86_400_000;

/** [default, maximum] days after the upload per type; IPV6 is treated as an IP. */
export const VALIDITY_DAYS: Readonly<Record<string, readonly [number, number]>> = {
  IPV4: [14, 30],
  IPV6: [14, 30],
  DNS: [90, 180],
  URL: [90, 180],
  MD5: [180, 180],
  SHA1: [180, 180],
  SHA256: [180, 180],
};

/** SentinelOne's longest `validUntil` after the upload per type: a later date is clamped to it. */
export const MAX_VALIDITY_DAYS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(VALIDITY_DAYS).map(([type, [, max]]) => [type, max]),
);

/** Dates within this are equal (SentinelOne answers with microseconds; the payload has milliseconds). */
export const DATE_TOLERANCE_MS = 1000;

/** The record's upload and last update times (an upsert or a console edit re-clamps from the latter). */
export function uploadsOf(record: IocRecord): number[] {
  return [record.uploadTime, record.updatedAt].map((t) => (typeof t === "string" ? Date.parse(t) : Number.NaN));
}

/**
 * How the fingerprint sees `validUntil` (`at`, epoch ms, NaN when absent): `+Nd` when SentinelOne sets it to N
 * days after the upload (a payload without one or beyond the maximum from `now`; a record at that offset from its
 * upload or last update), else the instant. Both sides then agree on an IOC SentinelOne defaulted or clamped.
 */
export function validUntilPart(ioc: IocPayload | IocRecord, at: number, now: number): string | number | null {
  const days = VALIDITY_DAYS[String(ioc.type).toUpperCase()];
  if (days === undefined) return Number.isNaN(at) ? null : at;
  const [def, max] = days;
  if (!("uploadTime" in ioc)) {
    if (Number.isNaN(at)) return `+${def}d`;
    return at > now + max * DAY_MS ? `+${max}d` : at;
  }
  if (Number.isNaN(at)) return null;
  for (const upload of uploadsOf(ioc)) {
    if (Number.isNaN(upload)) continue;
    // The maximum first: for hashes the default is the maximum.
    if (Math.abs(at - (upload + max * DAY_MS)) <= DATE_TOLERANCE_MS) return `+${max}d`;
    if (Math.abs(at - (upload + def * DAY_MS)) <= DATE_TOLERANCE_MS) return `+${def}d`;
  }
  return at;
}
