import { type DriftCounts, DriftDiff, isInSync } from "@octi/connector-sdk";
import { makeIdentity, makeIndicator } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
import { mapIndicator } from "../../src/mapping/ioc-builder.js";
import { iocItems } from "../../src/reconcile/spec.js";
import type { IocPayload, IocRecord } from "../../src/sentinelone/types.js";

const SOURCE = "OpenCTI";
const NOW = new Date("2026-03-01T00:00:00.000Z");
const UPLOAD = "2026-02-20T10:00:00.000000Z";

type Indicator = ReturnType<typeof makeIndicator>;

const ip = (n: number, extra: Partial<Parameters<typeof makeIndicator>[0]> = {}): Indicator =>
  makeIndicator({ pattern: `[ipv4-addr:value = '198.51.100.${n}']`, seed: `diff-${n}`, now: NOW, ...extra });

function payloadsOf(indicator: Indicator): readonly IocPayload[] {
  const mapping = mapIndicator(indicator, { source: SOURCE, now: NOW.getTime() });
  if (mapping.kind === "skip") throw new Error(`test indicator does not map: ${mapping.reason}`);
  return mapping.payloads;
}

let uuidCounter = 0;
/** A record as SentinelOne lists it for a payload we sent (or as tampered by `overrides`). */
function record(payload: IocPayload, overrides: Record<string, unknown> = {}): IocRecord {
  uuidCounter++;
  return {
    ...payload,
    uuid: `uuid-${uuidCounter}`,
    uploadTime: UPLOAD,
    updatedAt: UPLOAD,
    scope: "account",
    ...overrides,
  };
}

const first = (indicator: Indicator): IocPayload => payloadsOf(indicator)[0]!;

interface Case {
  readonly name: string;
  readonly snapshot: () => Record<string, unknown>[];
  readonly listed: (snapshot: Record<string, unknown>[]) => IocRecord[];
  readonly expect: Partial<DriftCounts>;
  readonly staleFields?: string[][];
}

const a = ip(1);
const b = ip(2);
const revoked = ip(3, { revoked: true });
const multi = makeIndicator({
  pattern: "[ipv4-addr:value = '203.0.113.1'] OR [domain-name:value = 'evil.example']",
  seed: "diff-multi",
  now: NOW,
});
const hash = makeIndicator({
  pattern: "[file:hashes.'SHA-256' = '4bf8b3d1a5e0c0e5b9a0b2f5d0c7e2a1b3c4d5e6f708192a3b4c5d6e7f809112']",
  seed: "diff-hash",
  now: NOW,
});

const CASES: Case[] = [
  {
    name: "in sync: one indicator, its record",
    snapshot: () => [a],
    listed: () => [record(first(a))],
    expect: { expectedItems: 1, inSync: 1, missing: 0, orphans: 0, duplicates: 0, stale: 0 },
  },
  {
    name: "missing: an indicator without a record",
    snapshot: () => [a, b],
    listed: () => [record(first(a))],
    expect: { expectedItems: 2, inSync: 1, missing: 1 },
  },
  {
    name: "orphan: a record of our source whose indicator is gone",
    snapshot: () => [a],
    listed: () => [record(first(a)), record(first(b))],
    expect: { inSync: 1, orphans: 1 },
  },
  {
    name: "orphan: the indicator is revoked (no longer maps)",
    snapshot: () => [revoked],
    listed: () => [record(first(ip(3)))],
    expect: { expectedItems: 0, orphans: 1, skipped: { revoked: 1 } },
  },
  {
    name: "orphan: a record of our source without an externalId",
    snapshot: () => [],
    listed: () => [record(first(a), { externalId: null })],
    expect: { orphans: 1 },
  },
  {
    name: "another source is never touched, even for our indicator's value and id",
    snapshot: () => [a],
    listed: () => [record(first(a), { source: "Other feed" }), record(first(b), { source: "Other feed" })],
    expect: { otherSources: 2, ours: 0, missing: 1, orphans: 0, duplicates: 0 },
  },
  {
    name: "duplicates: three records of one IOC, one kept",
    snapshot: () => [a],
    listed: () => [record(first(a)), record(first(a)), record(first(a))],
    expect: { inSync: 1, duplicates: 2, stale: 0 },
  },
  {
    name: "duplicates: the in-sync record is kept over a stale one listed first",
    snapshot: () => [a],
    listed: () => [record(first(a), { name: "edited in the console" }), record(first(a))],
    expect: { inSync: 1, duplicates: 1, stale: 0 },
  },
  {
    name: "stale validUntil",
    snapshot: () => [a],
    listed: () => [record(first(a), { validUntil: "2026-03-05T00:00:00.000000Z" })],
    expect: { inSync: 0, stale: 1 },
    staleFields: [["validUntil"]],
  },
  {
    name: "a validUntil clamped by SentinelOne to upload + 30 days (IPv4) is in sync",
    snapshot: () => [a],
    listed: () => [record(first(a), { validUntil: "2026-03-22T10:00:00.000000Z" })],
    expect: { inSync: 1, stale: 0 },
  },
  {
    name: "no valid_until sent: whatever default SentinelOne chose is in sync",
    snapshot: () => [{ ...ip(4), valid_until: undefined }],
    listed: ([indicator]) => [
      record(payloadsOf(indicator as Indicator)[0]!, { validUntil: "2026-03-06T10:00:00.000000Z" }),
    ],
    expect: { inSync: 1, stale: 0 },
  },
  {
    name: "stale name, description, score and labels",
    snapshot: () => [ip(5, { labels: ["c2", "botnet"], score: 80 })],
    listed: ([indicator]) => [
      record(payloadsOf(indicator as Indicator)[0]!, {
        name: "other",
        description: "other",
        originalRiskScore: 10,
        labels: ["c2"],
      }),
    ],
    expect: { stale: 1, staleByField: { validUntil: 0, name: 1, description: 1, score: 1, labels: 1 } },
    staleFields: [["name", "description", "score", "labels"]],
  },
  {
    name: "labels in another order are in sync",
    snapshot: () => [ip(6, { labels: ["c2", "botnet"] })],
    listed: ([indicator]) => [record(payloadsOf(indicator as Indicator)[0]!, { labels: ["botnet", "c2"] })],
    expect: { inSync: 1, stale: 0 },
  },
  {
    name: "a hash stored in upper case is the same IOC",
    snapshot: () => [hash],
    listed: () => [record(first(hash), { value: first(hash).value.toUpperCase() })],
    expect: { inSync: 1, missing: 0, orphans: 0 },
  },
  {
    name: "a record without uuid is reported, never an orphan",
    snapshot: () => [],
    listed: () => [record(first(a), { uuid: undefined })],
    expect: { withoutId: 1, orphans: 0 },
  },
  {
    name: "an indicator with two values expects two IOCs",
    snapshot: () => [multi],
    listed: () => [record(payloadsOf(multi)[0]!)],
    expect: { expectedItems: 2, inSync: 1, missing: 1 },
  },
  {
    name: "objects that are not indicators are counted, not mapped",
    snapshot: () => [makeIdentity({ name: "ACME" }), a],
    listed: () => [record(first(a))],
    expect: { otherObjects: 1, indicators: 1, inSync: 1 },
  },
];

describe("DriftDiff", () => {
  it.each(CASES)("$name", (c) => {
    const diff = new DriftDiff(iocItems(SOURCE), NOW.getTime());
    const snapshot = c.snapshot();
    for (const object of snapshot)
      diff.addSnapshotObject({ id: String(object.id), type: String(object.type), ...object });
    for (const r of c.listed(snapshot)) diff.addListed(r);
    const plan = diff.plan();
    const counts = diff.counts();
    expect(counts).toMatchObject(c.expect);
    expect(plan.missing).toHaveLength(counts.missing);
    expect(plan.orphanIds).toHaveLength(counts.orphans);
    expect(plan.duplicateIds).toHaveLength(counts.duplicates);
    if (c.staleFields) expect(plan.stale.map((s) => s.fields)).toEqual(c.staleFields);
    expect(isInSync(counts)).toBe(counts.missing + counts.orphans + counts.duplicates + counts.stale === 0);
  });

  it("the plan names the exact uuids and identities to repair", () => {
    const diff = new DriftDiff(iocItems(SOURCE), NOW.getTime());
    diff.addSnapshotObject(a);
    diff.addSnapshotObject(b);
    const kept = record(first(a));
    const dup = record(first(a));
    const orphan = record(first(ip(9)));
    const stale = record(first(b), { originalRiskScore: 1 });
    for (const r of [kept, dup, orphan, stale, record(first(a), { source: "x" })]) diff.addListed(r);
    expect(diff.plan()).toEqual({
      missing: [],
      orphanIds: [orphan.uuid],
      duplicateIds: [dup.uuid],
      stale: [{ externalId: b.id, type: "IPV4", value: "198.51.100.2", id: stale.uuid, fields: ["score"] }],
    });
  });

  it("refuses snapshot objects after the listing began (the expected set must be complete first)", () => {
    const diff = new DriftDiff(iocItems(SOURCE), NOW.getTime());
    diff.addListed(record(first(a)));
    expect(() => diff.addSnapshotObject(a)).toThrow(/before the listing/);
  });
});
