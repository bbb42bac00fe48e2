/** The SDK sink queue against a scripted in-memory target and a real (in-memory SQLite) target index. */
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/logging/types.js";
import { createMetrics } from "../../src/metrics/metrics.js";
import type { Lifecycle } from "../../src/runtime/plugin.js";
import {
  type FailureClass,
  type ListedPage,
  type Refusal,
  type SinkChange,
  SinkQueue,
  type SinkTarget,
} from "../../src/sink/index.js";
import { TargetIndex } from "../../src/target-index/index.js";

interface Payload {
  readonly key: string;
  readonly value: string;
}

class Lost extends Error {}
class Refused extends Error {
  constructor(readonly indices: number[]) {
    super("refused");
  }
}

/** A target holding records in memory; `before` may throw (fail) or apply then throw (lost answer). */
class MemoryTarget implements SinkTarget<Payload> {
  readonly maxDeleteIds = 5000;
  readonly name = "Memory";
  readonly records = new Map<string, { key: string; fingerprint: string }>();
  readonly calls: { kind: string; count: number }[] = [];
  readonly refusals: Refusal<Payload>[] = [];
  /** Next create calls: "lost" applies the create and loses the answer, "refuse:<i,j>" refuses items. */
  readonly script: string[] = [];
  pageSize = 2;
  private seq = 0;

  async create(payloads: readonly Payload[]): Promise<readonly (string | undefined)[]> {
    this.calls.push({ kind: "create", count: payloads.length });
    const step = this.script.shift();
    if (step?.startsWith("refuse:")) throw new Refused(step.slice(7).split(",").filter(Boolean).map(Number));
    const ids = payloads.map((p) => {
      const id = `u${++this.seq}`;
      this.records.set(id, { key: p.key, fingerprint: p.value });
      return id;
    });
    if (step === "lost") throw new Lost("socket hang up");
    return ids;
  }

  async deleteIds(ids: readonly string[]): Promise<void> {
    this.calls.push({ kind: "delete_ids", count: ids.length });
    for (const id of ids) this.records.delete(id);
  }

  async deleteKey(key: string): Promise<void> {
    this.calls.push({ kind: "delete_key", count: 1 });
    for (const [id, r] of this.records) if (r.key === key) this.records.delete(id);
  }

  async listPage(_since: number | undefined, cursor: string | undefined): Promise<ListedPage> {
    this.calls.push({ kind: "list", count: 1 });
    const all = [...this.records].map(([id, r]) => ({ id, key: r.key, fingerprint: r.fingerprint }));
    const from = cursor === undefined ? 0 : Number(cursor);
    const page = all.slice(from, from + this.pageSize);
    const next = from + this.pageSize < all.length ? String(from + this.pageSize) : null;
    return { records: page, nextCursor: next, total: all.length };
  }

  classify(error: unknown): FailureClass {
    if (error instanceof Lost) return { kind: "retry", reason: error.message, mayHaveLanded: true };
    if (error instanceof Refused)
      return { kind: "refused", reason: "bad item", status: 400, itemIndices: error.indices };
    return { kind: "fatal", message: String(error) };
  }

  async refused(refusals: readonly Refusal<Payload>[]): Promise<void> {
    this.refusals.push(...refusals);
  }

  count(kind: string): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  keys(): string[] {
    return [...this.records.values()].map((r) => `${r.key}=${r.fingerprint}`).sort();
  }
}

const logs: string[] = [];
const logger: Logger = {
  debug: (m) => void logs.push(m),
  info: (m) => void logs.push(m),
  warning: (m) => void logs.push(m),
  error: (m) => void logs.push(m),
  child: () => logger,
};

const queues: SinkQueue<Payload>[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.stop();
  logs.length = 0;
});

function setup(options: { index?: TargetIndex; batchSize?: number; flushIntervalMs?: number } = {}) {
  const target = new MemoryTarget();
  const index = options.index ?? TargetIndex.open({ path: ":memory:", identity: "memory" });
  const controller = new AbortController();
  const fatals: string[] = [];
  const metrics = createMetrics({ processMetrics: false });
  const lifecycle: Lifecycle = {
    signal: controller.signal,
    fatal: (message) => {
      fatals.push(message);
      controller.abort();
    },
  };
  const queue = new SinkQueue<Payload>({
    target,
    openIndex: () => index,
    options: {
      batchSize: options.batchSize ?? 100,
      flushIntervalMs: options.flushIntervalMs ?? 30,
      maxPending: 100_000,
      retryBaseMs: 1,
      retryMaxDelayMs: 5,
      requestsPerMinute: 0,
      listingMarginMs: 0,
    },
    logger,
    metrics,
    lifecycle,
  });
  queues.push(queue);
  let seq = 0;
  const acked: string[] = [];
  const send = (changes: SinkChange<Payload>[]) => {
    const id = `e${++seq}`;
    return queue.enqueue(changes, id, () => acked.push(id));
  };
  /** Shutdown: sends everything at once (stays so: only for the end of a test). */
  const drained = () => queue.drain(Date.now() + 5000);
  /** Waits until `n` events are acknowledged. */
  const ackedCount = async (n: number) => {
    const until = Date.now() + 5000;
    while (acked.length < n) {
      if (Date.now() > until) throw new Error(`${acked.length} of ${n} events acknowledged`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  /** Sends what is pending now (as when the runner waits for acknowledgements) and waits for `n` acknowledgements. */
  const flush = async (n: number) => {
    queue.flush();
    await ackedCount(n);
  };
  return { target, index, queue, send, acked, drained, ackedCount, flush, fatals, metrics };
}

const set = (key: string, ...values: string[]): SinkChange<Payload> => ({
  key,
  items: values.map((value) => ({ payload: { key, value }, fingerprint: value })),
});

describe("SinkQueue", () => {
  it("builds an empty index from a full listing, then batches creates", async () => {
    const { target, index, send, acked, drained } = setup();
    await send([set("a", "1")]);
    await send([set("b", "2"), set("c", "3")]);
    await drained();
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "create"]);
    expect(target.calls[1]?.count).toBe(3);
    expect(acked).toEqual(["e1", "e2"]);
    expect(index.complete).toBe(true);
    expect(index.size).toBe(3);
    expect(logs).toContain("Target index is empty or incomplete: rebuilding it from Memory");
  });

  it("sink_pending_keys shows the keys pending when the metrics are read", async () => {
    const { send, flush, metrics } = setup({ flushIntervalMs: 60_000 });
    const pendingKeys = async () =>
      (await metrics.registry.getSingleMetric("sink_pending_keys")?.get())?.values[0]?.value;
    await send([set("a", "1")]);
    await send([set("b", "2"), set("c", "3")]);
    await send([set("a", "4")]);
    expect(await pendingKeys()).toBe(3);
    await flush(3);
    expect(await pendingKeys()).toBe(0);
  });

  it("collapses a key's pending changes to the last one: create, two updates and a revoke send nothing", async () => {
    const { target, send, acked, drained } = setup({ flushIntervalMs: 10_000 });
    await send([set("a", "v1")]);
    await send([set("a", "v2")]);
    await send([set("a", "v3")]);
    await send([set("a")]);
    await drained();
    expect(target.calls.map((c) => c.kind)).toEqual(["list"]);
    expect(acked).toEqual(["e1", "e2", "e3", "e4"]);
  });

  it("a full batch of creates starts a cycle at once; as many revocations wait to share one DELETE", async () => {
    const { target, send, flush, ackedCount } = setup({ batchSize: 3, flushIntervalMs: 60_000 });
    for (const key of ["a", "b", "c"]) await send([set(key, "v1")]);
    // Three keys that want records: a create batch is full, no flush and no timer needed.
    await ackedCount(3);
    expect(target.calls.map((c) => `${c.kind}:${c.count}`)).toEqual(["list:1", "create:3"]);
    for (const key of ["a", "b", "c"]) await send([set(key)]);
    // Three revocations are not a full DELETE (5,000 ids): they wait for the flush, then go in one request.
    await new Promise((r) => setTimeout(r, 50));
    expect(target.count("delete_ids")).toBe(0);
    await flush(6);
    expect(target.calls.map((c) => `${c.kind}:${c.count}`)).toEqual(["list:1", "create:3", "delete_ids:3"]);
  });

  it("replaces an indexed key once for two updates (one batched delete, one batched create)", async () => {
    const { target, send, flush } = setup({ flushIntervalMs: 60_000 });
    await send([set("a", "s50"), set("b", "s50")]);
    await flush(1);
    await send([set("a", "s40"), set("b", "s40")]);
    await send([set("a", "s30"), set("b", "s30")]);
    await flush(3);
    expect(target.calls.map((c) => `${c.kind}:${c.count}`)).toEqual(["list:1", "create:2", "delete_ids:2", "create:2"]);
    expect(target.keys()).toEqual(["a=s30", "b=s30"]);
  });

  it("flush() sends the keys pending then at once; keys queued after it wait for their batch", async () => {
    const { target, send, flush, acked, drained } = setup({ batchSize: 100, flushIntervalMs: 60_000 });
    await send([set("a", "1")]);
    await send([set("b", "2")]);
    await flush(2);
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "create"]);
    expect(target.calls[1]?.count).toBe(2);
    await send([set("c", "3")]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(target.calls).toHaveLength(2); // no flush since c arrived: it waits for a full batch or the interval
    expect(acked).toEqual(["e1", "e2"]);
    await drained();
    expect(acked).toEqual(["e1", "e2", "e3"]);
  });

  it("deletes 5,000 indexed keys with one request", async () => {
    const { target, send, flush } = setup({ batchSize: 5000, flushIntervalMs: 60_000 });
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    await send(keys.map((k) => set(k, "v")));
    await flush(1);
    target.calls.length = 0;
    for (const k of keys) await send([set(k)]);
    await flush(5001);
    expect(target.calls).toEqual([{ kind: "delete_ids", count: 5000 }]);
    expect(target.records.size).toBe(0);
  });

  it("does not re-send what the target holds with the same fingerprint (a replay)", async () => {
    const { target, send, drained, acked } = setup();
    await send([set("a", "v", "w")]);
    await drained();
    await send([set("a", "w", "v")]);
    await drained();
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "create"]);
    expect(acked).toEqual(["e1", "e2"]);
  });

  it("settles a create whose answer was lost by listing, and creates no duplicate", async () => {
    const { target, index, send, drained, acked } = setup();
    target.script.push("lost");
    await send([set("a", "v"), set("b", "w")]);
    await drained();
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "create", "list"]);
    expect(target.keys()).toEqual(["a=v", "b=w"]);
    expect(index.stats().uncertainKeys).toBe(0);
    expect(acked).toEqual(["e1"]);
  });

  it("keeps per-key order: a delete queued while its create is in flight goes after it", async () => {
    const { target, send, drained, acked } = setup({ flushIntervalMs: 0 });
    const slow = target.create.bind(target);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    target.create = async (payloads) => {
      await held;
      return slow(payloads);
    };
    await send([set("a", "v")]);
    await new Promise((r) => setTimeout(r, 20));
    await send([set("a")]);
    release();
    await drained();
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "create", "delete_ids"]);
    expect(target.records.size).toBe(0);
    expect(acked).toEqual(["e1", "e2"]);
  });

  it("deletes by key a key whose records the index cannot vouch for", async () => {
    const index = TargetIndex.open({ path: ":memory:", identity: "memory" });
    index.markComplete(Date.now());
    // Marked after the start-up listing began (a listing clears older marks, or those of keys it finds).
    index.markUncertain(["a"], Date.now() + 60_000);
    const { target, send, drained } = setup({ index });
    await send([set("a", "new")]);
    await drained();
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "delete_key", "create"]);
    expect(target.keys()).toEqual(["a=new"]);
    expect(index.isUncertain("a")).toBe(false);
  });

  it("does not break a delete on a record removed behind its back", async () => {
    const { target, index, send, drained, acked } = setup();
    await send([set("a", "v"), set("b", "w")]);
    await drained();
    target.records.clear(); // removed in the console
    await send([set("a"), set("b")]);
    await drained();
    expect(target.count("delete_ids")).toBe(1);
    expect(index.size).toBe(0);
    expect(acked).toEqual(["e1", "e2"]);
  });

  it("dead-letters refused items named by index and sends the rest; bisects when none is named", async () => {
    const { target, send, drained, acked } = setup();
    target.script.push("refuse:1");
    await send([set("a", "1"), set("b", "2"), set("c", "3")]);
    await drained();
    expect(target.refusals.map((r) => r.key)).toEqual(["b"]);
    expect(target.keys()).toEqual(["a=1", "c=3"]);
    target.script.push("refuse:", "ok", "refuse:");
    await send([set("d", "4"), set("e", "5")]);
    await drained();
    expect(target.refusals.map((r) => r.key)).toEqual(["b", "e"]);
    expect(target.keys()).toEqual(["a=1", "c=3", "d=4"]);
    expect(acked).toEqual(["e1", "e2"]);
  });

  it("rebuilds an index that lost its file from the listing, page by page, with progress", async () => {
    const first = setup();
    await first.send([set("a", "1"), set("b", "2"), set("c", "3")]);
    await first.drained();
    logs.length = 0;
    const { target, index, send, drained } = setup(); // a new, empty index
    for (const [id, r] of first.target.records) target.records.set(id, r);
    await send([set("a")]);
    await drained();
    expect(target.calls.map((c) => c.kind)).toEqual(["list", "list", "delete_ids"]);
    expect(index.size).toBe(2);
    expect(logs.filter((l) => l.startsWith("Rebuilding the target index"))).toHaveLength(2);
  });
});
