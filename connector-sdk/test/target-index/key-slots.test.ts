import { describe, expect, it } from "vitest";
import { KeySlots, keyHash } from "../../src/target-index/key-slots.js";

describe("KeySlots", () => {
  it("finds every row of a hash, forgets removed ones, and survives growth and rehashing", () => {
    const slots = new KeySlots();
    // Hashes that share their low bits probe the same run of slots.
    for (let seq = 1; seq <= 5_000; seq++) slots.add((seq % 7) * 4096, seq);
    expect([...slots.rows(3 * 4096)]).toHaveLength(714);
    expect([...slots.rows(3 * 4096)]).toContain(3);
    slots.remove(3 * 4096, 3);
    expect([...slots.rows(3 * 4096)]).not.toContain(3);
    expect([...slots.rows(12345)]).toEqual([]);
    // Removing and adding many times reuses space (removed slots are dropped at the next resize).
    for (let seq = 1; seq <= 5_000; seq++) slots.remove((seq % 7) * 4096, seq);
    for (let seq = 10_001; seq <= 10_010; seq++) slots.add(seq, seq);
    expect([...slots.rows(10_005)]).toEqual([10_005]);
    slots.clear();
    expect([...slots.rows(10_005)]).toEqual([]);
  });

  it("spreads similar ids over the low bits", () => {
    const buckets = new Set<number>();
    for (let i = 0; i < 1_000; i++)
      buckets.add(keyHash(`indicator--00000000-0000-4000-8000-${String(i).padStart(12, "0")}`) & 1023);
    expect(buckets.size).toBeGreaterThan(550);
  });
});
