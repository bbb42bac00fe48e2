import { describe, expect, it } from "vitest";
import { KeySlots, keyHash } from "../../src/target-index/key-slots.js";

describe("KeySlots", () => {
  it("finds the rows of a hash, forgets removed ones, refuses to fill past half, and resets larger", () => {
    const slots = new KeySlots();
    const hashOf = (seq: number) => ((seq % 7) * 0x0100_0000 + 4096) >>> 0; // 7 tags, one home slot: long probes
    let added = 0;
    while (slots.add(hashOf(added + 1), added + 1)) added++;
    expect(added).toBe(512); // 1,024 slots, at most half full
    expect([...slots.rows(hashOf(3))]).toContain(3);
    expect([...slots.rows(hashOf(3))]).not.toContain(4); // another tag
    slots.remove(hashOf(3), 3);
    expect([...slots.rows(hashOf(3))]).not.toContain(3);
    expect([...slots.rows(0xab00_0039)]).toEqual([]); // a tag no row has
    expect(slots.wanted).toBe(2_048); // live rows fill a quarter of a small table: the next one is 4 times larger
    slots.reset(slots.wanted);
    for (let seq = 1; seq <= 1_000; seq++) expect(slots.add(hashOf(seq), seq)).toBe(true);
    expect([...slots.rows(hashOf(1_000))]).toContain(1_000);
    for (let seq = 1; seq <= 1_000; seq++) slots.remove(hashOf(seq), seq);
    expect(slots.wanted).toBe(1); // only removed slots: the next table is the smallest
    slots.reset();
    expect([...slots.rows(hashOf(1_000))]).toEqual([]);
  });

  it("doubles a large table instead of growing it fourfold", () => {
    const slots = new KeySlots();
    slots.reset(1 << 17); // 262,144 slots
    let seq = 0;
    while (slots.add(keyHash(`k${seq + 1}`), seq + 1)) seq++;
    expect(seq).toBe(1 << 17);
    expect(slots.wanted).toBe(1 << 18); // reset(2^18 rows) → 2^19 slots: twice the size
  });

  it("spreads similar ids over the low bits and the tag", () => {
    const buckets = new Set<number>();
    const tags = new Set<number>();
    for (let i = 0; i < 1_000; i++) {
      const hash = keyHash(`indicator--00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
      buckets.add(hash & 1023);
      tags.add(hash >>> 24);
    }
    expect(buckets.size).toBeGreaterThan(550);
    expect(tags.size).toBeGreaterThan(240);
  });
});
