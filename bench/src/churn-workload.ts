/**
 * The churn section's feed and what SentinelOne must hold after it, computed from the feed alone (never from the
 * connector's code):
 * - `create`: N indicators, supported types in turn (IPv4, domain, URL, SHA-256, MD5, SHA-1), score 80,
 *   `valid_until` = t0 + 10 days;
 * - two decay-style score updates of every indicator (80 → 60 → 40): update events whose patch replaces the OpenCTI
 *   extension's `score` (and `modified` / `updated_at`), as OpenCTI's decay manager sends them;
 * - then indicator i with i % 3 = 0 is revoked, i % 3 = 1 gets a later `valid_until` (t0 + 12 days), i % 3 = 2 is
 *   left alone.
 * Expected: one IOC per indicator not revoked, `externalId` = its STIX id, `validUntil` = its last `valid_until`
 * (both dates sit under SentinelOne's 14-day default and 30-day IP maximum, so no clamping applies). The score is
 * checked too, but reported apart: settling is about the set and `validUntil`.
 */
import { createHash } from "node:crypto";
import {
  createEvent,
  makeIndicator,
  type PublishedEvent,
  type StixIndicator,
  updateEvent,
} from "@octi/connector-sdk-testing";
import type { StoredIoc } from "@octi/connector-sentinelone-intel/simulator";

const DAY_MS = 86_400_000;
export const CHURN_SCORES = [80, 60, 40] as const;
const FIRST_VALID_DAYS = 10;
const LATER_VALID_DAYS = 12;

export type ChurnFate = "revoked" | "later-valid-until" | "unchanged";

export function fateOf(index: number): ChurnFate {
  return index % 3 === 0 ? "revoked" : index % 3 === 1 ? "later-valid-until" : "unchanged";
}

const hex = (algorithm: "md5" | "sha1" | "sha256", text: string): string =>
  createHash(algorithm).update(text).digest("hex");

function pattern(index: number, seed: string): string {
  const tag = `${seed}:${index}`;
  const label = seed
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  switch (index % 6) {
    case 0:
      return `[ipv4-addr:value = '12.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}']`;
    case 1:
      return `[domain-name:value = 'churn-${index}.${label}.bench.example']`;
    case 2:
      return `[url:value = 'https://churn.bench.example/${label}/${index}']`;
    case 3:
      return `[file:hashes.'SHA-256' = '${hex("sha256", tag)}']`;
    case 4:
      return `[file:hashes.MD5 = '${hex("md5", tag)}']`;
    default:
      return `[file:hashes.'SHA-1' = '${hex("sha1", tag)}']`;
  }
}

/** What the feed says one indicator ends as. */
export interface ExpectedIoc {
  readonly present: boolean;
  /** SentinelOne's format (`YYYY-MM-DDTHH:MM:SS.ffffffZ`). */
  readonly validUntil: string;
  readonly score: number;
}

/** `2026-06-01T12:00:00.123Z` → `2026-06-01T12:00:00.123000Z` (what SentinelOne stores for it). */
export function s1Time(iso: string): string {
  return `${new Date(Date.parse(iso)).toISOString().slice(0, 23)}000Z`;
}

export interface ChurnFeed {
  readonly size: number;
  /** N create events. */
  readonly creates: readonly PublishedEvent[];
  /** Score update 1 of every indicator, then score update 2 of every indicator. */
  readonly scoreUpdates: readonly PublishedEvent[];
  /** One update per indicator of the revoked third and of the later-valid_until third. */
  readonly finalUpdates: readonly PublishedEvent[];
  /** STIX id → what SentinelOne must hold once every event is handled. */
  readonly expected: ReadonlyMap<string, ExpectedIoc>;
}

/** Builds the whole feed for `size` indicators; `t0` dates the creates, later versions are 1 s apart. */
export function buildChurnFeed(size: number, seed: string, t0: Date): ChurnFeed {
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
  const firstValid = new Date(t0.getTime() + FIRST_VALID_DAYS * DAY_MS);
  const laterValid = new Date(t0.getTime() + LATER_VALID_DAYS * DAY_MS + 1234);
  const creates: PublishedEvent[] = [];
  const update1: PublishedEvent[] = [];
  const update2: PublishedEvent[] = [];
  const finalUpdates: PublishedEvent[] = [];
  const expected = new Map<string, ExpectedIoc>();
  for (let i = 0; i < size; i++) {
    const base = {
      pattern: pattern(i, seed),
      seed: `${seed}:${i}`,
      now: t0,
      created: t0,
      validFrom: t0,
      validUntil: firstValid,
    };
    const versions: StixIndicator[] = CHURN_SCORES.map((score, v) =>
      makeIndicator({ ...base, score, modified: at(v) }),
    );
    creates.push(createEvent(versions[0]!));
    update1.push(updateEvent(versions[0]!, versions[1]!));
    update2.push(updateEvent(versions[1]!, versions[2]!));
    const fate = fateOf(i);
    let last = versions[2]!;
    if (fate === "revoked") {
      last = makeIndicator({ ...base, score: CHURN_SCORES[2], modified: at(3), revoked: true });
      finalUpdates.push(updateEvent(versions[2]!, last));
    } else if (fate === "later-valid-until") {
      last = makeIndicator({ ...base, score: CHURN_SCORES[2], modified: at(3), validUntil: laterValid });
      finalUpdates.push(updateEvent(versions[2]!, last));
    }
    expected.set(last.id, {
      present: fate !== "revoked",
      validUntil: s1Time(last.valid_until),
      score: CHURN_SCORES[2],
    });
  }
  return { size, creates, scoreUpdates: [...update1, ...update2], finalUpdates, expected };
}

/** How far SentinelOne is from the expected state. */
export interface ChurnCheck {
  /** IOCs SentinelOne holds. */
  readonly stored: number;
  /** Indicators that must be there. */
  readonly expectedPresent: number;
  /** Indicators that must be there and have no IOC. */
  readonly missing: number;
  /** Extra IOCs of an indicator beyond its first (any indicator, revoked or not). */
  readonly duplicates: number;
  /** Revoked indicators SentinelOne still holds (counted per indicator). */
  readonly leftovers: number;
  /** Indicators that must be there with at least one IOC whose validUntil is not the current one. */
  readonly staleValidUntil: number;
  /** Indicators that must be there with at least one IOC whose originalRiskScore is not the last score. */
  readonly staleScore: number;
  /** IOCs whose externalId is no indicator of the feed. */
  readonly unexpected: number;
  /** Exactly the expected IOCs, each with its current validUntil (the score is not part of it). */
  readonly settled: boolean;
}

export function checkChurn(iocs: readonly StoredIoc[], expected: ReadonlyMap<string, ExpectedIoc>): ChurnCheck {
  const byId = new Map<string, StoredIoc[]>();
  let unexpected = 0;
  for (const ioc of iocs) {
    const id = ioc.externalId ?? "";
    if (!expected.has(id)) {
      unexpected++;
      continue;
    }
    const list = byId.get(id);
    if (list) list.push(ioc);
    else byId.set(id, [ioc]);
  }
  let expectedPresent = 0;
  let missing = 0;
  let duplicates = 0;
  let leftovers = 0;
  let staleValidUntil = 0;
  let staleScore = 0;
  for (const [id, want] of expected) {
    const held = byId.get(id) ?? [];
    if (held.length > 1) duplicates += held.length - 1;
    if (!want.present) {
      if (held.length > 0) leftovers++;
      continue;
    }
    expectedPresent++;
    if (held.length === 0) {
      missing++;
      continue;
    }
    if (held.some((ioc) => ioc.validUntil !== want.validUntil)) staleValidUntil++;
    if (held.some((ioc) => ioc.originalRiskScore !== want.score)) staleScore++;
  }
  return {
    stored: iocs.length,
    expectedPresent,
    missing,
    duplicates,
    leftovers,
    staleValidUntil,
    staleScore,
    unexpected,
    settled: missing === 0 && duplicates === 0 && leftovers === 0 && staleValidUntil === 0 && unexpected === 0,
  };
}

/** Every indicator of the feed has at least one IOC (the creates are in SentinelOne). */
export function createsLanded(iocs: readonly StoredIoc[], expected: ReadonlyMap<string, ExpectedIoc>): number {
  const seen = new Set<string>();
  for (const ioc of iocs) if (ioc.externalId && expected.has(ioc.externalId)) seen.add(ioc.externalId);
  return seen.size;
}
