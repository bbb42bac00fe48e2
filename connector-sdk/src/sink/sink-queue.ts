/**
 * The ordered, keyed, coalescing batch queue between a stream handler and a target with a scarce request budget
 * (docs/decisions/0008, 0009).
 *
 * - A handler enqueues, per event, the state each touched key should reach (`SinkChange`: its records, or none).
 *   Pending changes for one key collapse to the last one: create + updates + revoke inside one window send
 *   nothing; two score updates send one replace.
 * - One request at a time, in cycles: a cycle takes pending keys in arrival order, compares each key's wanted
 *   records with the `TargetIndex` by fingerprint (`planKey`), and sends the deletes (by remote id, up to the
 *   target's maximum per request, across keys; by key for keys the index cannot vouch for) and then the creates
 *   (up to `batchSize` per request). A key's next change waits for the cycle that holds it: per key, order is kept.
 * - A cycle starts when a request's worth is pending (`batchSize` keys that want records, or `maxDeleteIds` keys that
 *   only delete), the oldest has waited `flushIntervalMs`, nothing more can
 *   arrive before an acknowledgement (the runner calls `flush()`: the keys pending then go at once; or `enqueue`
 *   waits for room), or while draining; and when the
 *   pacer has a request slot (`requestsPerMinute`): while it waits, changes pile up and coalesce.
 * - Before the first cycle the index is made trustworthy: rebuilt by a full listing when incomplete, otherwise
 *   settled by a listing since its checkpoint minus a margin (creates whose answers a crash lost).
 * - Creates: their keys are marked uncertain on disk before the request; the answer's remote ids clear the mark.
 *   A failure after which the create may have landed (timeout, reset, 5xx) is settled by an incremental listing,
 *   then the cycle's keys are planned again: what landed is not sent twice.
 * - Retries never give up for transient failures (Retry-After honoured up to `retryMaxDelayMs`, else backoff;
 *   the failure count is queue-wide and resets on success). Refused content is split (item indices, else
 *   bisection) and handed to `target.refused` (dead-letter). Fatal failures stop the run through `Lifecycle`.
 * - Acknowledgement: an event's `done` runs once every key it touched reached the state of that event or a later
 *   one (applied or dead-lettered). Never otherwise: a stop leaves it pending, to be replayed.
 * - Back-pressure: `enqueue` resolves once fewer than `maxPending` keys are pending.
 * - Sweep (reconciliation, issue 12): between `beginSweep` and `endSweep` the queue remembers every key enqueued
 *   (e.g. a recovery snapshot, which states every key the source still wants); `endSweep` then enqueues "none" for
 *   every key the index holds that was not touched (orphans), deleted by remote id in shared requests, in stream
 *   order with later changes.
 */
import { backoffDelay, sleep } from "../http/retry.js";
import type { Logger } from "../logging/types.js";
import type { Metrics } from "../metrics/types.js";
import { type ReconcileMetrics, reconcileMetrics } from "../reconcile/metrics.js";
import type { Lifecycle } from "../runtime/lifecycle.js";
import type { IndexedRecord, TargetIndex } from "../target-index/target-index.js";
import { type RequestKind, SinkMetrics } from "./metrics.js";
import { RequestPacer } from "./pacer.js";
import { planKey } from "./plan.js";
import type { FailureClass, Refusal, SinkChange, SinkItem, SinkOptions, SinkTarget } from "./types.js";

export interface SinkQueueDeps<P> {
  readonly target: SinkTarget<P>;
  /** Opens the index at the first cycle (a failure stops the run with its message). */
  readonly openIndex: () => TargetIndex;
  readonly options: SinkOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly lifecycle: Lifecycle;
  readonly now?: () => number;
}

interface Ticket {
  readonly eventId: string;
  remaining: number;
  readonly done: () => void;
}

interface PendingChange<P> {
  readonly key: string;
  items: readonly SinkItem<P>[];
  tickets: Ticket[];
  readonly since: number;
  /** Arrival order of the key's first pending change (`flush()` makes every key up to its mark due). */
  readonly seq: number;
}

/** A pending change taken out of `pending` by a cycle (the same object: no copy per key). */
type CycleEntry<P> = PendingChange<P>;

interface CreateWork<P> {
  readonly key: string;
  readonly item: SinkItem<P>;
  readonly entry: CycleEntry<P>;
}

/** Thrown to unwind when the queue stops (abort, fatal). */
class Halted extends Error {}

/** Keys deleted by key (one request each) in one cycle at most. */
const MAX_DELETE_KEYS_PER_CYCLE = 20;
/** A sweep's touched keys go to the index in groups of this many. */
const SWEEP_FLUSH_KEYS = 2_000;
/** A full listing logs its progress every this many pages (and at its end). */
const PROGRESS_EVERY_PAGES = 10;

export class SinkQueue<P> {
  private readonly target: SinkTarget<P>;
  private readonly options: SinkOptions;
  private readonly logger: Logger;
  private readonly lifecycle: Lifecycle;
  private readonly now: () => number;
  private readonly sinkMetrics: SinkMetrics;
  private readonly reconcileMetrics: ReconcileMetrics;
  private sweepStartedAt = 0;
  private readonly pacer: RequestPacer;
  private readonly pending = new Map<string, PendingChange<P>>();
  /** Pending keys that want records (creates or replaces); the others only delete (a batch of those is larger). */
  private wanting = 0;
  private index: TargetIndex | undefined;
  private inCycle = 0;
  /** When the index became usable: changes that waited for the start-up listing get a full flush window after it. */
  private readyAt = 0;
  private failures = 0;
  private pump: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private draining = false;
  private halted = false;
  private readonly controller = new AbortController();
  /** Arrival counter of pending keys, and the last one pending at the latest `flush()`. */
  private seq = 0;
  private flushedThrough = 0;
  /**
   * Keys enqueued since `beginSweep` not yet handed to the index (undefined: no sweep open). The index keeps them
   * on disk: a recovery snapshot of 1,000,000 keys would hold about 100 MB here.
   */
  private swept: string[] | undefined;
  /** Touches handed to the index in the open sweep (a key touched twice counts twice). */
  private sweptCount = 0;
  /**
   * Whether the open sweep can find orphans: rows that existed when it began, came from a listing since, or belong
   * to keys pending when it began. A first start against an empty target has none: the anti-join over every touched
   * key (seconds and about 16 MB at 1,000,000 keys) is then skipped.
   */
  private sweepMayFindOrphans = false;
  private readonly readyWaiters: (() => void)[] = [];
  private ready = false;
  /** A full listing is wanted before the next cycle (`refreshIndex`). */
  private refreshWanted = false;

  constructor(private readonly deps: SinkQueueDeps<P>) {
    this.target = deps.target;
    this.logger = deps.logger;
    this.lifecycle = deps.lifecycle;
    this.now = deps.now ?? Date.now;
    const o = deps.options;
    this.options = {
      batchSize: Math.max(1, o.batchSize),
      flushIntervalMs: Math.max(0, o.flushIntervalMs),
      maxPending: Math.max(1, o.maxPending),
      retryBaseMs: Math.max(1, o.retryBaseMs),
      retryMaxDelayMs: Math.max(1, o.retryMaxDelayMs),
      requestsPerMinute: Math.max(0, o.requestsPerMinute),
      listingMarginMs: Math.max(0, o.listingMarginMs),
    };
    this.sinkMetrics = new SinkMetrics(deps.metrics, () => this.pendingCount);
    this.reconcileMetrics = reconcileMetrics(deps.metrics);
    this.pacer = new RequestPacer(this.options.requestsPerMinute, this.now);
    if (this.lifecycle.signal.aborted) this.halt();
    else this.lifecycle.signal.addEventListener("abort", () => this.halt(), { once: true });
  }

  /** Opens the index and settles it (listing) before the first change arrives. */
  start(): void {
    if (this.halted) return;
    this.pump ??= this.run().catch((error: unknown) => this.fail(error));
  }

  /** Keys with changes not yet applied (pending or in the current cycle). */
  get pendingCount(): number {
    return this.pending.size + this.inCycle;
  }

  get stopped(): boolean {
    return this.halted;
  }

  /** Requests the pacer would let go now without waiting (progress displays). */
  get requestsAvailable(): number {
    return this.pacer.available();
  }

  /** The index, once the first cycle opened it (for metrics and tests). */
  get targetIndex(): TargetIndex | undefined {
    return this.index;
  }

  /**
   * Queues the states the keys of one event should reach. `done` runs once each key reached it (at once when
   * there is nothing to do). Resolves when there is room for more (back-pressure), or when the queue stops.
   */
  enqueue(changes: readonly SinkChange<P>[], eventId: string, done: () => void): Promise<void> {
    if (this.halted) return Promise.resolve();
    // Most events touch one key: no map, no tuple for them.
    const only = changes.length === 1 ? changes[0] : undefined;
    const last = only ? undefined : new Map(changes.map((c) => [c.key, c.items]));
    const count = only ? 1 : last!.size;
    if (count === 0) {
      this.safeCall(done);
      return Promise.resolve();
    }
    if (this.swept) {
      if (only) this.swept.push(only.key);
      else for (const key of last!.keys()) this.swept.push(key);
      if (this.swept.length >= SWEEP_FLUSH_KEYS) this.flushSwept();
    }
    const ticket: Ticket = { eventId, remaining: count, done };
    const wasEmpty = this.pending.size === 0;
    const now = this.now();
    if (only) this.addPending(only.key, only.items, ticket, now);
    else for (const [key, items] of last!) this.addPending(key, items, ticket, now);
    this.pump ??= this.run().catch((error: unknown) => this.fail(error));
    // Wake the loop only when this can start a cycle sooner: it sleeps without a deadline only while nothing is
    // pending, and otherwise until the oldest key's flush time (a new timer per event cost CPU and garbage).
    if (wasEmpty || this.batchFull() || this.pendingCount >= this.options.maxPending) this.notify();
    return this.waitForRoom();
  }

  private addPending(key: string, items: readonly SinkItem<P>[], ticket: Ticket, now: number): void {
    const current = this.pending.get(key);
    if (current) {
      this.wanting += Number(items.length > 0) - Number(current.items.length > 0);
      current.items = items;
      current.tickets.push(ticket);
      this.sinkMetrics.coalesced.inc();
    } else {
      this.pending.set(key, { key, items, tickets: [ticket], since: now, seq: ++this.seq });
      if (items.length > 0) this.wanting++;
    }
  }

  /**
   * Nothing more arrives before an acknowledgement (the runner calls the handler's `flush`, decision 0005): the keys
   * pending now are sent without waiting for a batch to fill or the flush interval. Later keys batch as usual.
   */
  flush(): void {
    this.flushedThrough = this.seq;
    this.notify();
  }

  /**
   * Rebuilds the index from a full listing before the next cycle (a scheduled reconciliation: records removed or
   * edited in the target behind the connector's back are then seen). Changes enqueued meanwhile wait for it.
   */
  refreshIndex(): void {
    this.refreshWanted = true;
    this.notify();
  }

  /** Starts remembering the keys enqueued from now on (the states a full pass of the source wants). */
  beginSweep(): void {
    this.index?.beginSweep();
    this.swept = [];
    this.sweptCount = 0;
    this.sweepMayFindOrphans = this.pendingCount > 0 || (this.index?.size ?? 0) > 0;
    this.sweepStartedAt = this.now();
  }

  /**
   * Ends the sweep begun by `beginSweep`: every key the index holds that no change since then touched is set to
   * "no records" (deleted by remote id, batched), after the changes already queued. `done` runs once those deletes
   * are applied (or dead-lettered). Resolves with the number of orphan keys once they are queued (back-pressure as
   * `enqueue`); 0 without an open sweep, or when the queue stops before the index is ready.
   */
  async endSweep(eventId: string, done: () => void): Promise<number> {
    if (this.swept === undefined) {
      this.safeCall(done);
      return 0;
    }
    this.start();
    await this.whenReady();
    const index = this.index;
    if (this.halted || index === undefined) {
      this.swept = undefined;
      return 0;
    }
    this.flushSwept();
    this.swept = undefined;
    const orphans: SinkChange<P>[] = index.endSweep(this.sweepMayFindOrphans).map((key) => ({ key, items: [] }));
    this.logger.info(`Sweep over: removing from ${this.target.name} what the full pass did not want`, {
      keys_touched: this.sweptCount,
      orphan_keys: orphans.length,
    });
    await this.enqueue(orphans, eventId, done);
    this.reconcileMetrics.record("sweep", { orphans: orphans.length }, this.now() - this.sweepStartedAt, this.now());
    return orphans.length;
  }

  /** Hands the keys a sweep touched to the index (once it is open: keys touched before wait here). */
  private flushSwept(): void {
    const keys = this.swept;
    if (keys === undefined || keys.length === 0 || this.index === undefined || this.halted) return;
    this.index.touch(keys);
    this.sweptCount += keys.length;
    keys.length = 0;
  }

  /** Sends everything it can without waiting for batches to fill, until empty or `deadline` (epoch ms). */
  async drain(deadline: number): Promise<void> {
    this.draining = true;
    this.notify();
    if (this.halted || this.isIdle()) return;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      this.halt();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), remaining);
    });
    const idle = new Promise<"idle">((resolve) => this.idleWaiters.push(() => resolve("idle")));
    const result = await Promise.race([idle, timedOut]);
    clearTimeout(timer);
    if (result === "timeout" && !this.isIdle()) {
      this.logger.warning(`Stopped draining the ${this.target.name} queue at the shutdown deadline`, {
        pending: this.pendingCount,
      });
      this.halt();
    }
  }

  /** Stops sending (aborts the request in flight and every wait) and closes the index. Pending events stay unacknowledged. */
  stop(): void {
    this.halt();
  }

  // ---------------------------------------------------------------------------------------------------- loop

  private isIdle(): boolean {
    return this.pendingCount === 0;
  }

  private halt(): void {
    if (this.halted) return;
    this.halted = true;
    this.controller.abort();
    this.notify();
    for (const resolve of this.roomWaiters.splice(0)) resolve();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    // The request in flight (if any) was aborted; its transaction, if any, is synchronous: closing is safe.
    void (this.pump ?? Promise.resolve()).finally(() => this.index?.close());
  }

  private fail(error: unknown): void {
    if (this.halted || error instanceof Halted) return;
    this.lifecycle.fatal(
      `The ${this.target.name} queue failed: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
    this.halt();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves once the index is open and settled (or the queue stopped): `start()` first. */
  whenReady(): Promise<void> {
    if (this.ready || this.halted) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private waitForRoom(): Promise<void> {
    if (this.halted || this.pendingCount < this.options.maxPending) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private sleepUntil(until: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      if (until !== undefined) timer = setTimeout(done, Math.max(0, until - this.now()));
      if (this.halted) done();
    });
  }

  private async run(): Promise<void> {
    try {
      await this.prepare();
      this.readyAt = this.now();
      this.ready = true;
      for (const resolve of this.readyWaiters.splice(0)) resolve();
      while (!this.halted) {
        if (this.refreshWanted) {
          this.refreshWanted = false;
          await this.rebuild("a scheduled reconciliation");
          continue;
        }
        if (this.pending.size === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
          await this.sleepUntil(undefined);
          continue;
        }
        const due = this.dueAt();
        if (due > this.now()) {
          await this.sleepUntil(due);
          continue;
        }
        const wait = this.pacer.delay();
        if (wait > 0) {
          await this.sleepUntil(this.now() + wait); // changes arriving meanwhile join this cycle
          continue;
        }
        await this.cycle();
      }
    } catch (error) {
      if (!(error instanceof Halted)) throw error;
    }
  }

  /** When the next cycle may start (now or earlier: at once). */
  private dueAt(): number {
    const oldest = this.pending.values().next().value;
    if (oldest === undefined) return 0;
    const starved = oldest.seq <= this.flushedThrough || this.roomWaiters.length > 0;
    if (this.draining || starved || this.batchFull()) return 0;
    return Math.max(oldest.since, this.readyAt) + this.options.flushIntervalMs;
  }

  /**
   * A full request's worth is pending: `batchSize` keys that want records, or a whole DELETE of keys that only
   * delete (revocations wait to share one request instead of going out `batchSize` at a time).
   */
  private batchFull(): boolean {
    const deletesOnly = this.pending.size - this.wanting;
    return this.wanting >= this.options.batchSize || deletesOnly >= Math.max(1, this.target.maxDeleteIds);
  }

  // ---------------------------------------------------------------------------------------------------- index

  private async prepare(): Promise<void> {
    let index: TargetIndex;
    try {
      index = this.deps.openIndex();
    } catch (error) {
      this.lifecycle.fatal(error instanceof Error ? error.message : String(error), error);
      this.halt();
      throw new Halted();
    }
    this.index = index;
    if (this.swept !== undefined) {
      // Rows in the file (and those its start-up listing adds: see listing()) may be orphans of this sweep.
      index.beginSweep();
      if (index.size > 0) this.sweepMayFindOrphans = true;
    }
    if (this.halted) throw new Halted();
    if (!index.complete) await this.rebuild("empty or incomplete");
    else await this.settle("start-up");
    this.updateGauges();
  }

  /** Empties the index and fills it from a full listing of the target. */
  private async rebuild(why: "empty or incomplete" | "a scheduled reconciliation"): Promise<void> {
    const index = this.index!;
    this.logger.info(
      why === "empty or incomplete"
        ? `Target index is empty or incomplete: rebuilding it from ${this.target.name}`
        : `Rebuilding the target index from ${this.target.name} for ${why}`,
      { index_path: index.path },
    );
    index.clear();
    const startedAt = this.now();
    await this.listing(undefined, "full");
    index.markComplete(startedAt);
    this.updateGauges();
  }

  /** An incremental listing since the checkpoint (or the earliest uncertain mark) minus the margin. */
  private async settle(why: string): Promise<void> {
    const index = this.index!;
    const startedAt = this.now();
    const from = Math.min(index.checkpoint ?? startedAt, index.uncertainSince() ?? startedAt);
    const since = from - this.options.listingMarginMs;
    this.logger.info(`Reading what ${this.target.name} holds since the index checkpoint`, {
      reason: why,
      since: new Date(since).toISOString(),
      uncertain_keys: index.stats().uncertainKeys,
    });
    await this.listing(since, "since");
    index.clearUncertainBefore(startedAt);
    index.setCheckpoint(startedAt);
    this.updateGauges();
  }

  private async listing(since: number | undefined, kind: "full" | "since"): Promise<void> {
    const index = this.index!;
    let cursor: string | undefined;
    let pages = 0;
    let records = 0;
    let total: number | undefined;
    const startedAt = this.now();
    for (;;) {
      const result = await this.call("list", (signal) => this.target.listPage(since, cursor, signal));
      if (!result.ok) {
        const failure = result.failure;
        if (failure.kind === "retry") {
          await this.backoff(failure, "list");
          continue;
        }
        if (failure.kind === "refused" && cursor !== undefined) {
          // A cursor the target no longer accepts: read the listing again from its start.
          this.logger.warning(`${this.target.name} refused a listing cursor; listing again from the start`, {
            reason: failure.reason,
          });
          cursor = undefined;
          continue;
        }
        this.stopWith(
          failure.kind === "fatal" ? failure.message : `${this.target.name} refused a listing: ${failure.reason}`,
        );
      }
      const page = result.value;
      pages++;
      records += page.records.length;
      total = page.total ?? total;
      this.sinkMetrics.listed.inc({ listing: kind }, page.records.length);
      this.observe("list", page.records.length);
      index.put(page.records, uniqueKeys(page.records), true);
      if (page.records.length > 0 && this.swept !== undefined) this.sweepMayFindOrphans = true;
      const last = page.nextCursor === null;
      if (kind === "full" && (pages === 1 || pages % PROGRESS_EVERY_PAGES === 0 || last)) {
        this.logger.info(`Rebuilding the target index from ${this.target.name}`, {
          pages,
          records_listed: records,
          ...(total !== undefined ? { records_total: total } : {}),
          index_records: index.size,
          elapsed_ms: this.now() - startedAt,
        });
      }
      if (last) break;
      cursor = page.nextCursor ?? undefined;
    }
    this.logger.info(`Listed ${this.target.name}`, {
      listing: kind,
      pages,
      records_listed: records,
      index_records: index.size,
      elapsed_ms: this.now() - startedAt,
    });
  }

  private updateGauges(): void {
    const stats = this.index?.stats();
    if (stats) {
      this.sinkMetrics.indexRecords.set(stats.records);
      this.sinkMetrics.indexUncertain.set(stats.uncertainKeys);
    }
  }

  // ---------------------------------------------------------------------------------------------------- cycle

  private async cycle(): Promise<void> {
    const index = this.index!;
    const { batchSize } = this.options;
    const maxIds = Math.max(1, this.target.maxDeleteIds);
    const entries: CycleEntry<P>[] = [];
    const creates: CreateWork<P>[] = [];
    const deleteIds: IndexedRecord[] = [];
    const deleteKeys: CycleEntry<P>[] = [];
    for (const [key, change] of this.pending) {
      const held = index.recordsOf(key);
      const plan = planKey(change.items, held, index.isUncertain(key));
      if (!plan.deleteKey && plan.deleteIds.length === 0 && plan.create.length === 0) {
        this.forget(key, change);
        this.sinkMetrics.unchanged.inc();
        this.settleTickets(change.tickets);
        continue;
      }
      const full =
        creates.length + plan.create.length > batchSize ||
        deleteIds.length + plan.deleteIds.length > maxIds ||
        (plan.deleteKey && deleteKeys.length >= MAX_DELETE_KEYS_PER_CYCLE);
      if (full && entries.length > 0) break;
      this.forget(key, change);
      const entry: CycleEntry<P> = change;
      entries.push(entry);
      if (plan.deleteKey) deleteKeys.push(entry);
      if (plan.deleteIds.length > 0) deleteIds.push(...plan.deleteIds);
      for (const item of plan.create) creates.push({ key, item, entry });
    }
    if (entries.length === 0) {
      this.afterCycle([]);
      return;
    }
    this.inCycle = entries.length;
    try {
      for (const entry of deleteKeys) await this.sendDeleteKey(entry);
      for (let i = 0; i < deleteIds.length; i += maxIds)
        await this.sendDeleteIds(deleteIds.slice(i, i + maxIds), entries);
      for (let i = 0; i < creates.length; i += batchSize) {
        if ((await this.sendCreates(creates.slice(i, i + batchSize))) === "unsettled") {
          await this.settle("a create's answer was lost");
          this.requeue(entries);
          return;
        }
      }
    } finally {
      this.inCycle = 0;
    }
    this.afterCycle(entries);
  }

  private afterCycle(entries: readonly CycleEntry<P>[]): void {
    for (const entry of entries) this.settleTickets(entry.tickets);
    this.updateGauges();
    if (this.pendingCount < this.options.maxPending) for (const resolve of this.roomWaiters.splice(0)) resolve();
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Puts a cycle's keys back in front (after an unknown outcome); a newer pending change for a key wins. */
  private requeue(entries: readonly CycleEntry<P>[]): void {
    const later = new Map(this.pending);
    this.pending.clear();
    for (const entry of entries) {
      const newer = later.get(entry.key);
      later.delete(entry.key);
      this.pending.set(entry.key, {
        key: entry.key,
        items: newer ? newer.items : entry.items,
        tickets: newer ? [...entry.tickets, ...newer.tickets] : entry.tickets,
        since: entry.since,
        seq: entry.seq,
      });
    }
    for (const [key, change] of later) this.pending.set(key, change);
    this.wanting = 0;
    for (const change of this.pending.values()) if (change.items.length > 0) this.wanting++;
  }

  private forget(key: string, change: PendingChange<P>): void {
    this.pending.delete(key);
    if (change.items.length > 0) this.wanting--;
  }

  private settleTickets(tickets: readonly Ticket[]): void {
    for (const ticket of tickets) {
      ticket.remaining -= 1;
      if (ticket.remaining === 0) this.safeCall(ticket.done);
    }
  }

  private async sendDeleteKey(entry: CycleEntry<P>): Promise<void> {
    for (;;) {
      const result = await this.call("delete_key", (signal) => this.target.deleteKey(entry.key, signal));
      if (result.ok) {
        this.observe("delete_key", 1);
        this.index!.removeKeys([entry.key]);
        return;
      }
      const failure = result.failure;
      if (failure.kind === "retry") {
        await this.backoff(failure, "delete by key");
        continue;
      }
      if (failure.kind === "fatal") this.stopWith(failure.message);
      await this.refuse([this.refusal("delete", entry.key, { key: entry.key }, failure, entry.tickets)]);
      this.index!.removeKeys([entry.key]);
      return;
    }
  }

  private async sendDeleteIds(records: readonly IndexedRecord[], entries: readonly CycleEntry<P>[]): Promise<void> {
    const ids = records.map((r) => r.id);
    for (;;) {
      const result = await this.call("delete_ids", (signal) => this.target.deleteIds(ids, signal));
      if (result.ok) {
        this.observe("delete_ids", ids.length);
        // Whatever the target says it removed: an id removed behind our back is gone either way.
        this.index!.removeRecords(records);
        return;
      }
      const failure = result.failure;
      if (failure.kind === "retry") {
        await this.backoff(failure, `delete ${ids.length} record(s)`);
        continue;
      }
      if (failure.kind === "fatal") this.stopWith(failure.message);
      const byKey = new Map<string, string[]>();
      for (const r of records) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.id]);
      const tickets = new Map(entries.map((e) => [e.key, e.tickets]));
      await this.refuse(
        [...byKey].map(([key, keyIds]) =>
          this.refusal("delete", key, { ids: keyIds }, failure, tickets.get(key) ?? []),
        ),
      );
      this.index!.removeRecords(records);
      return;
    }
  }

  /** One create request (split on refusals). "unsettled": it may have landed, the caller settles by listing. */
  private async sendCreates(work: readonly CreateWork<P>[]): Promise<"ok" | "unsettled"> {
    const index = this.index!;
    for (;;) {
      const sentAt = this.now();
      const keys = [...new Set(work.map((w) => w.key))];
      index.markUncertain(keys, sentAt);
      const result = await this.call("create", (signal) =>
        this.target.create(
          work.map((w) => w.item.payload),
          signal,
        ),
      );
      if (result.ok) {
        this.observe("create", work.length);
        const records: IndexedRecord[] = [];
        work.forEach((w, i) => {
          const id = result.value[i];
          if (id !== undefined) records.push({ id, key: w.key, fingerprint: w.item.fingerprint });
        });
        if (records.length < work.length) {
          // The answer does not name every record: keep the marks, let a listing tell.
          index.put(records);
          this.logger.warning(
            `${this.target.name} accepted a create without naming every record: listing to settle it`,
            {
              items: work.length,
              named: records.length,
            },
          );
          return "unsettled";
        }
        index.put(records, keys);
        index.setCheckpoint(sentAt);
        return "ok";
      }
      const failure = result.failure;
      if (failure.kind === "retry") {
        await this.backoff(failure, `create ${work.length} item(s)`);
        if (failure.mayHaveLanded) return "unsettled";
        continue;
      }
      if (failure.kind === "fatal") this.stopWith(failure.message);
      // Refused: nothing of this request landed.
      index.put([], keys);
      const indices = failure.itemIndices.filter((i) => i >= 0 && i < work.length);
      if (work.length === 1 || (indices.length > 0 && indices.length === failure.itemIndices.length)) {
        const refused = new Set(work.length === 1 ? [0] : indices);
        await this.refuse(
          [...refused].map((i) => {
            const w = work[i]!;
            return this.refusal("create", w.key, w.item.payload, failure, w.entry.tickets);
          }),
        );
        const rest = work.filter((_, i) => !refused.has(i));
        if (rest.length === 0) return "ok";
        work = rest;
        continue;
      }
      this.logger.info(`${this.target.name} refused a batch without naming the items: splitting it`, {
        items: work.length,
        reason: failure.reason,
      });
      const middle = Math.ceil(work.length / 2);
      if ((await this.sendCreates(work.slice(0, middle))) === "unsettled") return "unsettled";
      return this.sendCreates(work.slice(middle));
    }
  }

  // ---------------------------------------------------------------------------------------------------- requests

  private async call<T>(
    kind: RequestKind,
    send: (signal: AbortSignal) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; failure: FailureClass }> {
    if (this.halted) throw new Halted();
    try {
      await this.pacer.take(this.controller.signal);
    } catch {
      throw new Halted();
    }
    if (this.halted) throw new Halted();
    try {
      const value = await send(this.controller.signal);
      this.failures = 0;
      this.sinkMetrics.requests.inc({ kind, outcome: "ok" });
      return { ok: true, value };
    } catch (error) {
      if (this.halted) throw new Halted();
      const failure = this.target.classify(error);
      this.sinkMetrics.requests.inc({ kind, outcome: failure.kind });
      return { ok: false, failure };
    }
  }

  private observe(kind: RequestKind, count: number): void {
    this.sinkMetrics.operationsPerRequest.observe({ kind }, count);
    this.sinkMetrics.operations.inc({ kind }, count);
  }

  private async backoff(failure: Extract<FailureClass, { kind: "retry" }>, operation: string): Promise<void> {
    const { retryBaseMs, retryMaxDelayMs } = this.options;
    const delay =
      failure.retryAfterMs !== undefined
        ? Math.min(retryMaxDelayMs, Math.max(retryBaseMs, failure.retryAfterMs))
        : backoffDelay(this.failures, { baseMs: retryBaseMs, maxMs: retryMaxDelayMs });
    this.failures++;
    if (failure.rateLimited) this.pacer.exhausted();
    this.logger.warning(`${this.target.name} request failed, retrying`, {
      operation,
      reason: failure.reason,
      may_have_landed: failure.mayHaveLanded,
      retry_in_ms: delay,
      attempt: this.failures,
    });
    try {
      await sleep(delay, this.controller.signal);
    } catch {
      throw new Halted();
    }
    if (this.halted) throw new Halted();
  }

  private stopWith(message: string): never {
    this.lifecycle.fatal(message);
    this.halt();
    throw new Halted();
  }

  private refusal(
    operation: "create" | "delete",
    key: string,
    payload: Refusal<P>["payload"],
    failure: Extract<FailureClass, { kind: "refused" }>,
    tickets: readonly Ticket[],
  ): Refusal<P> {
    return {
      operation,
      key,
      payload,
      reason: failure.reason,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
      eventIds: tickets.map((t) => t.eventId),
    };
  }

  private async refuse(refusals: readonly Refusal<P>[]): Promise<void> {
    for (const r of refusals) {
      this.logger.error(`${this.target.name} refused an operation; it is dead-lettered`, {
        operation: r.operation,
        key: r.key,
        event_ids: r.eventIds,
        status: r.status,
        reason: r.reason,
      });
    }
    try {
      await this.target.refused(refusals);
    } catch (error) {
      // Keep going (the events are acknowledged): the full records are in the log instead.
      this.logger.error("Could not record the refused operations; they follow", {
        reason: error instanceof Error ? error.message : String(error),
        refusals,
      });
    }
  }

  private safeCall(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.logger.error("Acknowledging an event failed", {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

function uniqueKeys(records: readonly IndexedRecord[]): string[] {
  return [...new Set(records.map((r) => r.key))];
}
