/**
 * The sink queue's sweep (issue 12: a start without state is a reconciliation): keys the index holds that a full
 * pass did not touch are deleted by remote id, in one shared request, after the pass's own changes.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/logging/types.js";
import { createMetrics } from "../../src/metrics/metrics.js";
import type { Lifecycle } from "../../src/runtime/plugin.js";
import {
  type FailureClass,
  type ListedPage,
  type SinkChange,
  SinkQueue,
  type SinkTarget,
} from "../../src/sink/index.js";
import { TargetIndex } from "../../src/target-index/index.js";

interface Payload {
  readonly key: string;
  readonly value: string;
}

/** Records in memory, as a target holds them (id → key, fingerprint). */
class MemoryTarget implements SinkTarget<Payload> {
  readonly maxDeleteIds = 5000;
  readonly name = "Memory";
  readonly records = new Map<string, { key: string; fingerprint: string }>();
  readonly calls: { kind: string; count: number }[] = [];
  private seq = 0;

  async create(payloads: readonly Payload[]): Promise<readonly (string | undefined)[]> {
    this.calls.push({ kind: "create", count: payloads.length });
    return payloads.map((p) => {
      const id = `u${++this.seq}`;
      this.records.set(id, { key: p.key, fingerprint: p.value });
      return id;
    });
  }

  async deleteIds(ids: readonly string[]): Promise<void> {
    this.calls.push({ kind: "delete_ids", count: ids.length });
    for (const id of ids) this.records.delete(id);
  }

  async deleteKey(key: string): Promise<void> {
    this.calls.push({ kind: "delete_key", count: 1 });
    for (const [id, r] of this.records) if (r.key === key) this.records.delete(id);
  }

  async listPage(): Promise<ListedPage> {
    this.calls.push({ kind: "list", count: 1 });
    const records = [...this.records].map(([id, r]) => ({ id, key: r.key, fingerprint: r.fingerprint }));
    return { records, nextCursor: null };
  }

  classify(error: unknown): FailureClass {
    return { kind: "fatal", message: String(error) };
  }

  async refused(): Promise<void> {}

  held(): string[] {
    return [...this.records.values()].map((r) => `${r.key}=${r.fingerprint}`).sort();
  }
}

const logger: Logger = { debug: () => {}, info: () => {}, warning: () => {}, error: () => {}, child: () => logger };
const queues: SinkQueue<Payload>[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.stop();
});

function setup(target: MemoryTarget) {
  const controller = new AbortController();
  const lifecycle: Lifecycle = { signal: controller.signal, fatal: () => controller.abort() };
  const index = TargetIndex.open({ path: ":memory:", identity: "memory" });
  const queue = new SinkQueue<Payload>({
    target,
    openIndex: () => index,
    options: {
      batchSize: 100,
      flushIntervalMs: 10,
      maxPending: 100_000,
      retryBaseMs: 1,
      retryMaxDelayMs: 5,
      requestsPerMinute: 0,
      listingMarginMs: 0,
    },
    logger,
    metrics: createMetrics(),
    lifecycle,
  });
  queues.push(queue);
  const acked: string[] = [];
  const send = (id: string, changes: SinkChange<Payload>[]) => queue.enqueue(changes, id, () => acked.push(id));
  return { queue, index, acked, send };
}

const set = (key: string, ...values: string[]): SinkChange<Payload> => ({
  key,
  items: values.map((value) => ({ payload: { key, value }, fingerprint: value })),
});

describe("SinkQueue sweep", () => {
  it("deletes the indexed keys a full pass did not touch, in one request, and sends nothing for the rest", async () => {
    const target = new MemoryTarget();
    // The target holds a, b (twice: a duplicate), c, d; the pass wants a as is, b once, c changed; d is gone.
    for (const [id, key, fp] of [
      ["x1", "a", "1"],
      ["x2", "b", "2"],
      ["x3", "b", "2"],
      ["x4", "c", "3"],
      ["x5", "d", "4"],
      ["x6", "e", "5"],
    ] as const)
      target.records.set(id, { key, fingerprint: fp });
    const { queue, acked, send } = setup(target);
    queue.beginSweep();
    await send("s1", [set("a", "1")]);
    await send("s2", [set("b", "2")]);
    await send("s3", [set("c", "3b")]);
    await send("s4", [set("e")]); // a pass may also say "none" for a key: it is touched, and deleted as such
    const orphans = await queue.endSweep("sweep", () => acked.push("sweep"));
    await queue.drain(Date.now() + 5000);
    expect(orphans).toBe(1);
    expect(target.held()).toEqual(["a=1", "b=2", "c=3b"]);
    expect(acked).toEqual(["s1", "s2", "s3", "s4", "sweep"]);
    // The listing, one shared delete (b's copy, c's old version, d, e), one create (c's new version).
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "delete_ids", "create"]);
    expect(target.calls[1]?.count).toBe(4);
  });

  it("an empty target: nothing to remove, but a key pending when the sweep began and not in the pass is", async () => {
    const target = new MemoryTarget();
    const { queue, acked, send } = setup(target);
    queue.beginSweep();
    await send("s1", [set("a", "1")]);
    expect(await queue.endSweep("sweep1", () => acked.push("sweep1"))).toBe(0);
    await queue.drain(Date.now() + 5000);
    expect(target.held()).toEqual(["a=1"]);

    // A fresh queue on an empty target: "p" is pending when the pass begins, created during it, not wanted by it.
    const second = setup(new MemoryTarget());
    void second.send("p", [set("p", "1")]);
    second.queue.beginSweep();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(second.queue.targetIndex?.size).toBe(1);
    await second.send("s2", [set("b", "1")]);
    expect(await second.queue.endSweep("sweep2", () => second.acked.push("sweep2"))).toBe(1);
    await second.queue.drain(Date.now() + 5000);
    expect(second.acked).toEqual(["p", "s2", "sweep2"]);
  });

  it("a change after the sweep's end keeps its order: an orphan brought back is created again", async () => {
    const target = new MemoryTarget();
    target.records.set("x1", { key: "a", fingerprint: "1" });
    target.records.set("x2", { key: "z", fingerprint: "9" });
    const { queue, acked, send } = setup(target);
    queue.beginSweep();
    await send("s1", [set("a", "1")]);
    expect(await queue.endSweep("sweep", () => acked.push("sweep"))).toBe(1);
    await send("live", [set("z", "9")]); // the orphan comes back live: coalesced with its "none", nothing sent
    await queue.drain(Date.now() + 5000);
    expect(target.held()).toEqual(["a=1", "z=9"]);
    expect(acked).toEqual(["s1", "sweep", "live"]);
    expect(target.calls.map((c) => c.kind)).toEqual(["list"]);
  });

  it("without an open sweep endSweep deletes nothing and acknowledges at once", async () => {
    const target = new MemoryTarget();
    target.records.set("x1", { key: "a", fingerprint: "1" });
    const { queue, acked, send } = setup(target);
    await send("e1", [set("b", "2")]);
    expect(await queue.endSweep("sweep", () => acked.push("sweep"))).toBe(0);
    await queue.drain(Date.now() + 5000);
    expect(target.held()).toEqual(["a=1", "b=2"]);
    expect(acked).toContain("sweep");
  });

  it("an empty pass removes every indexed key (everything was deleted in the source meanwhile)", async () => {
    const target = new MemoryTarget();
    for (let i = 0; i < 30; i++) target.records.set(`x${i}`, { key: `k${i}`, fingerprint: "1" });
    const { queue, acked } = setup(target);
    queue.beginSweep();
    expect(await queue.endSweep("sweep", () => acked.push("sweep"))).toBe(30);
    await queue.drain(Date.now() + 5000);
    expect(target.held()).toEqual([]);
    expect(acked).toEqual(["sweep"]);
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "delete_ids"]);
  });

  it("refreshIndex relists the target before the next cycle: records removed or edited behind its back are seen", async () => {
    const target = new MemoryTarget();
    const { queue, acked, send } = setup(target);
    await send("e1", [set("a", "1"), set("b", "2")]);
    await queue.drain(Date.now() + 5000);
    // Behind the index's back: a's record removed, b's record edited.
    const [[idA], [idB]] = [
      [...target.records].find(([, r]) => r.key === "a")!,
      [...target.records].find(([, r]) => r.key === "b")!,
    ];
    target.records.delete(idA);
    target.records.set(idB, { key: "b", fingerprint: "edited" });
    queue.refreshIndex();
    queue.beginSweep();
    await send("e2", [set("a", "1")]);
    await send("e3", [set("b", "2")]);
    await queue.endSweep("sweep", () => acked.push("sweep"));
    await queue.drain(Date.now() + 5000);
    expect(target.held()).toEqual(["a=1", "b=2"]);
    // Nothing orphaned: the sweep is acknowledged at once (the runner's tracker commits positions in order anyway).
    expect([...acked].sort()).toEqual(["e1", "e2", "e3", "sweep"]);
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "create", "list", "delete_ids", "create"]);
  });
});
