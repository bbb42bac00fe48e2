/** The drift the reconcile scale runs seed SentinelOne with (dev/tools/reconcile-drift.ts). */
import { syntheticIndicatorFeed } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
import { driftedIocs, type ExpectedDrift } from "../../dev/tools/reconcile-drift.js";

function drain(mix: "issue" | "light", count: number) {
  const now = Date.UTC(2026, 11, 3);
  const feed = syntheticIndicatorFeed({ count, seed: "drift-test", now: new Date(now) });
  const chunks = driftedIocs({ count, indicator: (i) => feed.make(i).data, mix, source: "OpenCTI", now, chunk: 30 });
  const added = [];
  for (;;) {
    const next = chunks.next();
    if (next.done) return { added, tally: next.value as ExpectedDrift };
    expect(next.value.length).toBeGreaterThan(0);
    added.push(...next.value);
  }
}

describe("driftedIocs", () => {
  it("issue 12's mix: 10 % removed, 5 % duplicated, 5 % another validUntil, 50 + 50 orphans", () => {
    const { added, tally } = drain("issue", 200);
    expect(tally).toEqual({
      expected: 200,
      inSync: 170,
      missing: 20,
      duplicates: 10,
      stale: 10,
      orphans: 50,
      otherSource: 50,
      held: 200 - 20 + 10 + 100,
    });
    expect(added).toHaveLength(tally.held);
    expect(added.filter((i) => i.source === "Another feed")).toHaveLength(50);
    const soon = Date.UTC(2026, 11, 6);
    expect(added.filter((i) => i.validUntil !== undefined && Date.parse(i.validUntil) === soon)).toHaveLength(10);
  });

  it("the light mix: 1 % removed, 1 % duplicated, no orphans", () => {
    const { added, tally } = drain("light", 200);
    expect(tally).toMatchObject({ expected: 200, missing: 2, duplicates: 2, stale: 0, orphans: 0, otherSource: 0 });
    expect(added).toHaveLength(200);
  });
});
