/**
 * ReconcileQueue: the sink queue with an index rebuilt from a tapped full listing, a keyed diff fed by the tap,
 * then the repairs as sink changes. A target in memory, two records per page.
 */
import { describe, expect, it } from "vitest";
import type { Logger } from "../../src/logging/types.js";
import { createMetrics } from "../../src/metrics/metrics.js";
import { KeyedDiff, ReconcileQueue } from "../../src/reconcile/index.js";
import type { FailureClass, ListedPage, SinkTarget } from "../../src/sink/index.js";
import { TargetIndex } from "../../src/target-index/index.js";

interface Item {
  readonly key: string;
  readonly value: string;
}
interface Held extends Item {
  readonly id: string;
}

class MemoryTarget implements SinkTarget<Item> {
  readonly maxDeleteIds = 100;
  readonly name = "Memory";
  records: Held[] = [];
  readonly calls: string[] = [];
  failWith: string | undefined;
  private seq = 0;

  async create(items: readonly Item[]): Promise<readonly (string | undefined)[]> {
    this.calls.push(`create ${items.length}`);
    return items.map((item) => {
      const id = `n${++this.seq}`;
      this.records.push({ ...item, id });
      return id;
    });
  }
  async deleteIds(ids: readonly string[]): Promise<void> {
    this.calls.push(`delete ${ids.length}`);
    this.records = this.records.filter((r) => !ids.includes(r.id));
  }
  async deleteKey(): Promise<void> {
    throw new Error("not expected");
  }
  async listPage(): Promise<ListedPage> {
    throw new Error("the tap lists");
  }
  async listRaw(cursor: string | undefined) {
    this.calls.push(`list ${cursor ?? "start"}`);
    if (this.failWith) throw new Error(this.failWith);
    const from = Number(cursor ?? 0);
    const next = from + 2 < this.records.length ? String(from + 2) : null;
    return { records: this.records.slice(from, from + 2), nextCursor: next, total: this.records.length };
  }
  classify(error: unknown): FailureClass {
    return { kind: "fatal", message: error instanceof Error ? error.message : String(error) };
  }
  async refused(): Promise<void> {}
}

const logger: Logger = { debug: () => {}, info: () => {}, warning: () => {}, error: () => {}, child: () => logger };

function setup(target: MemoryTarget, wanted: readonly Item[]) {
  const diff = new KeyedDiff<Item, Held, "value">({
    fields: ["value"],
    compare: (e, h) => (e.value === h.value ? 0 : 1),
  });
  for (const w of wanted) diff.expect(w.key, w);
  const index = TargetIndex.open({ path: ":memory:", identity: "memory" });
  index.put([{ id: "stale-entry", key: "zzz", fingerprint: "x" }]);
  const queue = new ReconcileQueue<Item, Held>({
    target,
    listing: {
      listRaw: (cursor) => target.listRaw(cursor),
      indexed: (record) => {
        const match = diff.hold(record.key, record.id, record);
        return {
          id: record.id,
          key: record.key,
          fingerprint: match?.mask === 0 ? match.expected.value : `old:${record.value}`,
        };
      },
    },
    openIndex: () => index,
    options: {
      batchSize: 100,
      flushIntervalMs: 10,
      maxPending: 1000,
      retryBaseMs: 1,
      retryMaxDelayMs: 5,
      requestsPerMinute: 0,
      listingMarginMs: 0,
    },
    logger,
    metrics: createMetrics(),
  });
  return { diff, index, queue };
}

async function* changes(items: readonly Item[]) {
  for (const item of items)
    yield { key: item.key, items: [{ payload: item, fingerprint: item.value }], eventId: "1-0" };
}

describe("ReconcileQueue", () => {
  it("rebuilds the index from the tapped listing, then repairs exactly the planned keys", async () => {
    const target = new MemoryTarget();
    target.records = [
      { id: "a1", key: "a", value: "1" },
      { id: "b1", key: "b", value: "old" },
      { id: "c1", key: "c", value: "1" },
      { id: "c2", key: "c", value: "1" },
      { id: "x1", key: "x", value: "1" },
    ];
    const wanted = [
      { key: "a", value: "1" },
      { key: "b", value: "2" },
      { key: "c", value: "1" },
      { key: "d", value: "1" },
    ];
    const { diff, index, queue } = setup(target, wanted);
    try {
      await queue.list();
      expect(queue.listing).toEqual({ pages: 3, records: 5, total: 5, rateLimited: 0 });
      expect(index.complete).toBe(true);
      expect(index.recordsOf("zzz")).toEqual([]); // emptied before the listing
      const plan = diff.plan();
      expect(plan).toMatchObject({ missing: ["d"], orphanIds: ["x1"], duplicateIds: ["c2"] });
      expect(target.calls).toEqual(["list start", "list 2", "list 4"]);

      await queue.repair(new Set(["b", "c", "d", "x"]), changes(wanted));
      expect(target.calls.slice(3)).toEqual(["delete 3", "create 2"]);
      expect(target.records.map((r) => `${r.key}=${r.value}`).sort()).toEqual(["a=1", "b=2", "c=1", "d=1"]);
      expect(index.recordsOf("d")).toHaveLength(1);
      expect(index.recordsOf("x")).toEqual([]);
    } finally {
      queue.stop();
    }
  });

  it("a fatal failure of the listing is thrown with its message", async () => {
    const target = new MemoryTarget();
    target.failWith = "401 bad key";
    const { queue } = setup(target, []);
    await expect(queue.list()).rejects.toThrow("401 bad key");
    queue.stop();
  });
});
