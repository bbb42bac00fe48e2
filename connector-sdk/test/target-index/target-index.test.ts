import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { TargetIndex } from "../../src/target-index/index.js";

const dirs: string[] = [];
function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "target-index-"));
  dirs.push(dir);
  return join(dir, "nested", "index.sqlite");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("TargetIndex", () => {
  it("keeps records by key, updates and removes them, and counts them", () => {
    const index = TargetIndex.open({ path: ":memory:", identity: "t" });
    index.put([
      { id: "u1", key: "k1", fingerprint: "f1" },
      { id: "u2", key: "k1", fingerprint: "f2" },
      { id: "u3", key: "k2", fingerprint: "f3" },
    ]);
    expect(index.size).toBe(3);
    expect(
      index
        .recordsOf("k1")
        .map((r) => r.id)
        .sort(),
    ).toEqual(["u1", "u2"]);
    index.put([{ id: "u1", key: "k1", fingerprint: "f1b" }]);
    expect(index.size).toBe(3);
    expect(index.recordsOf("k1").find((r) => r.id === "u1")?.fingerprint).toBe("f1b");
    index.removeRecords([
      { id: "u1", key: "k1" },
      { id: "unknown", key: "k1" },
      { id: "u9", key: "k9" },
    ]);
    expect(index.size).toBe(2);
    index.removeKeys(["k2"]);
    expect(index.recordsOf("k2")).toEqual([]);
    expect(index.size).toBe(1);
    index.close();
  });

  it("marks uncertain keys until a create answer, a listing or a delete by key settles them", () => {
    const index = TargetIndex.open({ path: ":memory:", identity: "t" });
    index.markUncertain(["a", "b", "c"], 1000);
    index.markUncertain(["a"], 2000);
    expect(index.stats().uncertainKeys).toBe(3);
    expect(index.isUncertain("a")).toBe(true);
    index.put([{ id: "u", key: "a", fingerprint: "f" }], ["a"]);
    index.removeKeys(["b"]);
    expect(index.isUncertain("a")).toBe(false);
    expect(index.uncertainKeys()).toEqual(["c"]);
    expect(index.stats().uncertainKeys).toBe(1);
  });

  it("keeps one mark row per request: the answer clears it, marks of several requests survive a reopen", () => {
    const path = tempPath();
    const first = TargetIndex.open({ path, identity: "t" });
    first.markUncertain(["a", "b"], 1_000);
    first.put(
      [
        { id: "u1", key: "a", fingerprint: "f" },
        { id: "u2", key: "b", fingerprint: "f" },
      ],
      ["a", "b"],
    );
    expect(first.stats().uncertainKeys).toBe(0);
    first.markUncertain(["c", "d"], 2_000);
    first.markUncertain(["d", "e"], 3_000);
    first.put([{ id: "u3", key: "d", fingerprint: "f" }], ["d"]);
    first.close();
    const again = TargetIndex.open({ path, identity: "t" });
    expect(again.uncertainKeys()).toEqual(["c", "e"]);
    expect(again.uncertainSince()).toBe(2_000);
    again.clearUncertainBefore(2_500);
    expect(again.uncertainKeys()).toEqual(["e"]);
    expect(again.isUncertain("c")).toBe(false);
    expect(again.isUncertain("e")).toBe(true);
    again.close();
  });

  it("moves the per-key marks of a layout 2 file into mark rows, keeping its records", () => {
    const path = tempPath();
    TargetIndex.open({ path, identity: "t" }).close();
    const v2 = new Database(path);
    v2.exec(
      "DROP TABLE mark; CREATE TABLE uncertain (key TEXT PRIMARY KEY, since INTEGER NOT NULL) WITHOUT ROWID; INSERT INTO uncertain VALUES ('a', 5), ('b', 5), ('c', 7); INSERT INTO entry (seq, hash, key, count, records) VALUES (1, 0, 'k', 1, 'u\nf');",
    );
    v2.pragma("user_version = 2");
    v2.close();
    const index = TargetIndex.open({ path, identity: "t" });
    expect(index.stats()).toEqual({ records: 1, uncertainKeys: 3, complete: false });
    expect(index.uncertainKeys()).toEqual(["a", "b", "c"]);
    expect(index.uncertainSince()).toBe(5);
    index.close();
  });

  it("survives a reopen (records, marks, completeness, checkpoint) and empties itself for another identity", () => {
    const path = tempPath();
    const first = TargetIndex.open({ path, identity: "s1|account 1|OpenCTI" });
    expect(first.complete).toBe(false);
    expect(first.checkpoint).toBeUndefined();
    first.put([{ id: "u1", key: "k1", fingerprint: "f1" }]);
    first.markUncertain(["k2"], 5);
    first.markComplete(1_000);
    first.setCheckpoint(500); // never backwards
    first.setCheckpoint(2_000);
    first.close();

    const again = TargetIndex.open({ path, identity: "s1|account 1|OpenCTI" });
    expect(again.stats()).toEqual({ records: 1, uncertainKeys: 1, complete: true });
    expect(again.checkpoint).toBe(2_000);
    again.close();

    const other = TargetIndex.open({ path, identity: "s1|account 2|OpenCTI" });
    expect(other.stats()).toEqual({ records: 0, uncertainKeys: 0, complete: false });
    expect(other.checkpoint).toBeUndefined();
    other.close();
  });

  it("keeps one row per key across reopens, and empties a file of the previous layout", () => {
    const path = tempPath();
    const first = TargetIndex.open({ path, identity: "t" });
    // 3,000 puts over 1,000 keys: the in-memory table grows (and is rebuilt from the rows) on the way.
    for (let i = 0; i < 3_000; i++) first.put([{ id: `u${i}`, key: `k${i % 1_000}`, fingerprint: "f" }]);
    expect(first.recordsOf("k999").map((r) => r.id)).toEqual(["u999", "u1999", "u2999"]);
    first.removeKeys(["k1"]);
    first.markComplete(1);
    first.close();
    const again = TargetIndex.open({ path, identity: "t" });
    expect(again.size).toBe(2_997);
    expect(again.recordsOf("k2").map((r) => r.id)).toEqual(["u2", "u1002", "u2002"]);
    expect(again.recordsOf("k1")).toEqual([]);
    expect([...again.keys()]).toHaveLength(999);
    again.close();

    const old = new Database(path);
    old.pragma("user_version = 1");
    old.close();
    const rebuilt = TargetIndex.open({ path, identity: "t" });
    expect(rebuilt.stats()).toEqual({ records: 0, uncertainKeys: 0, complete: false });
    rebuilt.close();
  });

  it("finds every key after growing and reopening past several reads of rows (4,096 rows a read)", () => {
    const path = tempPath();
    const first = TargetIndex.open({ path, identity: "t" });
    const keys = Array.from({ length: 9_000 }, (_, i) => `k${i}`);
    first.put(keys.map((key, i) => ({ id: `u${i}`, key, fingerprint: "f" })));
    first.removeKeys(["k4095", "k4096"]); // rows at a read's boundary gone: the next read starts after them
    first.close();
    const again = TargetIndex.open({ path, identity: "t" });
    expect(again.size).toBe(8_998);
    expect(keys.filter((key) => again.recordsOf(key).length !== 1)).toEqual(["k4095", "k4096"]);
    again.put([{ id: "u9000", key: "k9000", fingerprint: "f" }]);
    expect(again.recordsOf("k9000").map((r) => r.id)).toEqual(["u9000"]);
    again.close();
  });

  it("keeps ids and fingerprints that hold line breaks or start with a bracket", () => {
    const index = TargetIndex.open({ path: ":memory:", identity: "t" });
    const odd = [
      { id: "[1]", key: "a", fingerprint: "f" },
      { id: "u2", key: "a", fingerprint: "two\nlines" },
      { id: "u3", key: "b", fingerprint: "" },
    ];
    index.put(odd);
    expect([...index.recordsOf("a"), ...index.recordsOf("b")]).toEqual(odd);
  });

  it("a sweep names the keys holding records that were not touched, across a rebuild", () => {
    const index = TargetIndex.open({ path: ":memory:", identity: "t" });
    index.put([
      { id: "u1", key: "a", fingerprint: "f" },
      { id: "u2", key: "b", fingerprint: "f" },
    ]);
    index.beginSweep();
    index.touch(["a", "z"]);
    index.clear(); // a rebuild from the target during the pass
    index.put([
      { id: "u1", key: "a", fingerprint: "f" },
      { id: "u2", key: "b", fingerprint: "f" },
      { id: "u3", key: "c", fingerprint: "f" },
    ]);
    index.touch(["c", "a"]);
    expect(index.endSweep()).toEqual(["b"]);
    index.beginSweep();
    expect(index.endSweep()).toEqual(["a", "b", "c"]);
  });

  it("clear() forgets everything but the identity", () => {
    const index = TargetIndex.open({ path: ":memory:", identity: "t" });
    index.put([{ id: "u1", key: "k1", fingerprint: "f1" }]);
    index.markComplete(10);
    index.clear();
    expect(index.stats()).toEqual({ records: 0, uncertainKeys: 0, complete: false });
    expect(index.checkpoint).toBeUndefined();
  });

  it("names the file and what to do when it cannot be opened", () => {
    const path = tempPath();
    const index = TargetIndex.open({ path, identity: "t" });
    index.close();
    writeFileSync(path, "this is not a database, just text long enough to fill a header page".repeat(20));
    expect(() => TargetIndex.open({ path, identity: "t" })).toThrow(
      new RegExp(`Cannot open the target index ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*data-directory`),
    );
  });
});
