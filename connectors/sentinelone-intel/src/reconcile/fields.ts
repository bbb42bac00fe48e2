/**
 * The fields reconciliation compares, reduced to numbers so that 100,000 IOCs fit in a few MB: an IOC's identity
 * (externalId, type, value) is its key; the fields a replace depends on (`validUntil`, name, description, score,
 * labels) are kept as an instant, a score and 32-bit hashes. A hash collision could hide a changed name (odds
 * 1 in 4 billion per IOC); it can never invent drift.
 */
import type { IocPayload, IocRecord } from "../sentinelone/types.js";

export const STALE_FIELDS = ["validUntil", "name", "description", "score", "labels"] as const;
export type StaleField = (typeof STALE_FIELDS)[number];

const HASH_TYPES: ReadonlySet<string> = new Set(["MD5", "SHA1", "SHA256", "DNS"]);

/**
 * The key of one IOC: this connector creates exactly one IOC per (indicator, type, value). Hashes and domains are
 * compared case-insensitively, whatever case either side stored them in.
 */
export function iocKey(externalId: string, type: string, value: string): string {
  const t = type.toUpperCase();
  return `${externalId}\u0000${t}\u0000${HASH_TYPES.has(t) ? value.toLowerCase() : value}`;
}

export function splitKey(key: string): { readonly externalId: string; readonly type: string; readonly value: string } {
  const [externalId = "", type = "", value = ""] = key.split("\u0000");
  return { externalId, type, value };
}

/** FNV-1a, 32 bits, as a signed int32 (what an `Int32Array` column holds). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Absent, null and "" are the same (SentinelOne stores null for a field not sent). */
const textHash = (value: unknown): number => hash(typeof value === "string" ? value : "");

/** Labels as a set: order and repeats do not matter. */
function labelsHash(value: unknown): number {
  if (!Array.isArray(value)) return hash("");
  const labels = [...new Set(value.filter((l): l is string => typeof l === "string" && l !== ""))].sort();
  return hash(labels.join("\u0000"));
}

const scoreOf = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : -1);

const instant = (value: unknown): number => (typeof value === "string" ? Date.parse(value) : Number.NaN);

/** What is compared of one IOC. `validUntilMs` is NaN when the payload leaves it to SentinelOne's default. */
export interface Comparable {
  readonly validUntilMs: number;
  readonly name: number;
  readonly description: number;
  readonly score: number;
  readonly labels: number;
}

export function comparableOf(ioc: IocPayload | IocRecord): Comparable {
  return {
    validUntilMs: instant(ioc.validUntil),
    name: textHash(ioc.name),
    description: textHash(ioc.description),
    score: scoreOf(ioc.originalRiskScore),
    labels: labelsHash(ioc.labels),
  };
}

const DAY_MS = 86_400_000;

/**
 * SentinelOne's longest `validUntil` offset from the upload per type (reference §2.3): a later date is silently
 * clamped to it, so a clamped record is in sync with the later date that was sent.
 */
export const MAX_VALIDITY_DAYS: Readonly<Record<string, number>> = {
  IPV4: 30,
  IPV6: 30,
  DNS: 180,
  URL: 180,
  MD5: 180,
  SHA1: 180,
  SHA256: 180,
};

/** Dates within this are equal (SentinelOne answers with microseconds; the payload has milliseconds). */
const DATE_TOLERANCE_MS = 1000;

/** The uploads a record's clamp may have been computed from (an upsert re-clamps from its update). */
function uploads(record: IocRecord): number[] {
  return [instant(record.uploadTime), instant(record.updatedAt)].filter((ms) => !Number.isNaN(ms));
}

function validUntilInSync(expectedMs: number, record: IocRecord, stored: number, type: string): boolean {
  if (Number.isNaN(expectedMs)) return true; // not sent: SentinelOne chose the default
  if (Number.isNaN(stored)) return false;
  if (Math.abs(stored - expectedMs) <= DATE_TOLERANCE_MS) return true;
  const maxDays = MAX_VALIDITY_DAYS[type.toUpperCase()];
  if (maxDays === undefined) return false;
  return uploads(record).some((upload) => {
    const clamped = Math.min(expectedMs, upload + maxDays * DAY_MS);
    return Math.abs(stored - clamped) <= DATE_TOLERANCE_MS;
  });
}

/** Which compared fields of a listed record differ (bit i: `STALE_FIELDS[i]`; 0 = in sync). */
export function staleMask(expected: Comparable, record: IocRecord, type: string): number {
  const actual = comparableOf(record);
  let mask = 0;
  if (!validUntilInSync(expected.validUntilMs, record, actual.validUntilMs, type)) mask |= 1;
  if (expected.name !== actual.name) mask |= 2;
  if (expected.description !== actual.description) mask |= 4;
  if (expected.score !== actual.score) mask |= 8;
  if (expected.labels !== actual.labels) mask |= 16;
  return mask;
}
