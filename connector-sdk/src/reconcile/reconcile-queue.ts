/**
 * Reconciliation through the sink (decision 0013): the `SinkQueue` paces, retries and orders every request; its
 * index starts empty, so its first cycle is a full listing, which this queue taps: each listed record goes to the
 * connector (its diff) and comes back as the index should hold it. Repairs are then ordinary sink changes: the
 * queue plans each key against the rebuilt index (by fingerprint) and records what it creates.
 */
import type { Logger } from "../logging/types.js";
import type { Metrics } from "../metrics/types.js";
import type { Lifecycle } from "../runtime/lifecycle.js";
import { SinkQueue } from "../sink/sink-queue.js";
import type { FailureClass, ListedPage, Refusal, SinkChange, SinkOptions, SinkTarget } from "../sink/types.js";
import type { IndexedRecord, TargetIndex } from "../target-index/target-index.js";

/** One raw page of the target's full listing. */
export interface RawPage<R> {
  readonly records: readonly R[];
  readonly nextCursor: string | null;
  readonly total?: number;
}

export interface TappedListing<R> {
  /** One page of the full listing, every record as the target returns it. */
  listRaw(cursor: string | undefined, signal: AbortSignal): Promise<RawPage<R>>;
  /** A listed record, as the index should hold it (undefined: not ours, or not addressable). */
  indexed(record: R): IndexedRecord | undefined;
}

export interface ListingProgress {
  pages: number;
  /** Records listed, every source. */
  records: number;
  total: number | undefined;
  /** Requests the target answered with its rate limit (every request of the run, not only the listing's). */
  rateLimited: number;
}

export interface ReconcileQueueDeps<P, R> {
  readonly target: SinkTarget<P>;
  readonly listing: TappedListing<R>;
  /** Opens the index; it is emptied, then rebuilt by the listing. */
  readonly openIndex: () => TargetIndex;
  readonly options: SinkOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly signal?: AbortSignal;
}

class TappedTarget<P, R> implements SinkTarget<P> {
  readonly stats: ListingProgress = { pages: 0, records: 0, total: undefined, rateLimited: 0 };
  tapping = true;
  readonly maxDeleteIds: number;
  readonly name: string;

  constructor(
    private readonly target: SinkTarget<P>,
    private readonly listing: TappedListing<R>,
  ) {
    this.maxDeleteIds = target.maxDeleteIds;
    this.name = target.name;
  }

  async listPage(since: number | undefined, cursor: string | undefined, signal: AbortSignal): Promise<ListedPage> {
    if (!this.tapping || since !== undefined) return this.target.listPage(since, cursor, signal);
    if (cursor === undefined && this.stats.pages > 0) {
      throw new Error(`${this.name}'s listing started over (a cursor was refused): run the reconciliation again`);
    }
    const page = await this.listing.listRaw(cursor, signal);
    this.stats.pages++;
    this.stats.records += page.records.length;
    this.stats.total ??= page.total;
    const records: IndexedRecord[] = [];
    for (const record of page.records) {
      const indexed = this.listing.indexed(record);
      if (indexed) records.push(indexed);
    }
    return { records, nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) };
  }

  create(payloads: readonly P[], signal: AbortSignal): Promise<readonly (string | undefined)[]> {
    return this.target.create(payloads, signal);
  }
  deleteIds(ids: readonly string[], signal: AbortSignal): Promise<void> {
    return this.target.deleteIds(ids, signal);
  }
  deleteKey(key: string, signal: AbortSignal): Promise<void> {
    return this.target.deleteKey(key, signal);
  }
  classify(error: unknown): FailureClass {
    const failure = this.target.classify(error);
    if (failure.kind === "retry" && failure.rateLimited) this.stats.rateLimited++;
    return failure;
  }
  refused(refusals: readonly Refusal<P>[]): Promise<void> {
    return this.target.refused(refusals);
  }
}

export class ReconcileQueue<P, R> {
  private readonly queue: SinkQueue<P>;
  private readonly tapped: TappedTarget<P, R>;
  private readonly controller = new AbortController();
  private failure: string | undefined;

  constructor(deps: ReconcileQueueDeps<P, R>) {
    this.tapped = new TappedTarget(deps.target, deps.listing);
    const lifecycle: Lifecycle = {
      signal: this.controller.signal,
      fatal: (message) => {
        this.failure ??= message;
        this.controller.abort();
      },
    };
    deps.signal?.addEventListener("abort", () => lifecycle.fatal("interrupted"), { once: true });
    this.queue = new SinkQueue<P>({
      target: this.tapped,
      openIndex: () => {
        const index = deps.openIndex();
        index.clear();
        return index;
      },
      options: deps.options,
      logger: deps.logger,
      metrics: deps.metrics,
      lifecycle,
    });
  }

  /** The full listing so far. */
  get listing(): Readonly<ListingProgress> {
    return this.tapped.stats;
  }

  /** Keys with repairs not yet applied. */
  get pending(): number {
    return this.queue.pendingCount;
  }

  /** Requests the rate limit lets go now. */
  get requestsAvailable(): number {
    return this.queue.requestsAvailable;
  }

  /** Lists the target fully (paced) through the tap into a fresh index; throws when the queue stopped. */
  async list(): Promise<void> {
    this.queue.start();
    await this.queue.whenReady();
    this.tapped.tapping = false;
    this.check();
  }

  /**
   * Applies the repairs: of `changes` (a second full pass of the source), those of `keys`; then "no records" for
   * the keys the pass did not mention. Resolves once the target has them all; throws when the queue stopped.
   */
  async repair(keys: ReadonlySet<string>, changes: AsyncIterable<SinkChange<P> & { eventId: string }>): Promise<void> {
    const left = new Set(keys);
    const noop = () => {};
    for await (const change of changes) {
      if (left.size === 0) break;
      if (left.delete(change.key)) await this.queue.enqueue([change], change.eventId, noop);
      this.check();
    }
    await this.queue.enqueue(
      [...left].map((key) => ({ key, items: [] })),
      "reconcile",
      noop,
    );
    this.queue.flush();
    await this.queue.drain(Date.now() + 0x7fffffff);
    this.check();
  }

  stop(): void {
    this.queue.stop();
  }

  private check(): void {
    if (this.failure !== undefined) throw new Error(this.failure);
  }
}
