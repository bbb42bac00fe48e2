import { describe, expect, it } from "vitest";
import { driftRows, formatDuration, isInSync, KeyedDiff, renderTable } from "../../src/reconcile/index.js";

interface Rec {
  readonly name: string;
  readonly score: number;
}

const FIELDS = ["name", "score"] as const;
const compare = (e: Rec, h: Rec) => (e.name === h.name ? 0 : 1) | (e.score === h.score ? 0 : 2);
const diffOf = () => new KeyedDiff<Rec, Rec, (typeof FIELDS)[number]>({ fields: FIELDS, compare });

describe("KeyedDiff", () => {
  it("sorts held records into in sync, missing, orphans, duplicates and stale, naming the stale fields", () => {
    const diff = diffOf();
    for (const k of ["a", "b", "c", "d", "e"]) diff.expect(k, { name: k, score: 50 });
    expect(diff.hold("a", "id-a", { name: "a", score: 50 })?.mask).toBe(0);
    diff.hold("b", "id-b1", { name: "b", score: 50 });
    diff.hold("b", "id-b2", { name: "b", score: 50 });
    expect(diff.hold("c", "id-c", { name: "renamed", score: 10 })?.mask).toBe(3);
    expect(diff.hold("gone", "id-x", { name: "gone", score: 1 })).toBeUndefined();
    expect(diff.hold(undefined, "id-nokey", { name: "", score: 0 })).toBeUndefined();
    diff.hold("e", "id-e", { name: "e", score: 99 });
    const plan = diff.plan();
    expect(plan).toEqual({
      missing: ["d"],
      orphanIds: ["id-x", "id-nokey"],
      duplicateIds: ["id-b2"],
      stale: [
        { key: "c", id: "id-c", fields: ["name", "score"] },
        { key: "e", id: "id-e", fields: ["score"] },
      ],
    });
    expect(diff.counts(plan)).toEqual({
      expected: 5,
      held: 7,
      inSync: 2,
      missing: 1,
      orphans: 2,
      duplicates: 1,
      stale: 2,
      staleByField: { name: 1, score: 2 },
    });
    expect(isInSync(diff.counts())).toBe(false);
  });

  it("keeps an in-sync record over a stale one listed first: the stale one is the duplicate", () => {
    const diff = diffOf();
    diff.expect("k", { name: "k", score: 1 });
    diff.hold("k", "old", { name: "k", score: 0 });
    diff.hold("k", "good", { name: "k", score: 1 });
    diff.hold("k", "third", { name: "k", score: 0 });
    expect(diff.plan()).toEqual({ missing: [], orphanIds: [], duplicateIds: ["old", "third"], stale: [] });
    expect(diff.counts().inSync).toBe(1);
  });

  it("an expected key repeated keeps the last value; nothing expected after the first held record", () => {
    const diff = diffOf();
    diff.expect("k", { name: "first", score: 1 });
    diff.expect("k", { name: "second", score: 1 });
    expect(diff.expectedCount).toBe(1);
    expect(diff.hold("k", "id", { name: "second", score: 1 })?.mask).toBe(0);
    expect(() => diff.expect("j", { name: "j", score: 1 })).toThrow(/before the held ones/);
  });

  it("nothing expected and nothing held is in sync", () => {
    const diff = diffOf();
    expect(isInSync(diff.counts())).toBe(true);
  });
});

describe("summary", () => {
  it("renders category rows as an aligned table, numbers to the right", () => {
    const rows = driftRows({ inSync: 1200, missing: 3, orphans: 0, duplicates: 12, stale: 4 }, { stale: "score 4" });
    expect(renderTable(["category", "count", "repair"], rows)).toEqual([
      "  category    count  repair",
      "  ----------  -----  -----------------",
      "  in sync      1200  -",
      "  missing         3  create",
      "  orphans         0  delete by id",
      "  duplicates     12  delete by id",
      "  stale           4  replace (score 4)",
    ]);
  });

  it("formats durations in seconds, then minutes", () => {
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(200_400)).toBe("3 min 20 s");
  });
});
