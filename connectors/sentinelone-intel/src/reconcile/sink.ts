/**
 * Reconciliation's requests go through the SDK's `SinkQueue` (pacing under the rate limit, 429s waited out,
 * retries, batching, ordering; decision 0013), with `SentinelOneTarget`'s calls. The queue's first full listing
 * rebuilds the target index; this wrapper taps it: every listed record goes through the drift diff, which says
 * which fingerprint the index holds for it (the expected one when in sync). Repairs are then plain sink changes.
 */
import {
  type FailureClass,
  type IndexedRecord,
  type Lifecycle,
  type ListedPage,
  type Logger,
  type Metrics,
  type Refusal,
  type SinkOptions,
  SinkQueue,
  type SinkTarget,
  TargetIndex,
} from "@octi/connector-sdk";
import { MAX_DELETE_UUIDS, type SentinelOneApi } from "../sentinelone/client.js";
import type { SentinelOneTarget } from "../sentinelone/target.js";
import type { IocPayload } from "../sentinelone/types.js";
import type { DriftDiff } from "./diff.js";

/** SentinelOne's largest page. */
const PAGE_SIZE = 1000;

export interface ListingStats {
  pages: number;
  /** Records listed, every source. */
  records: number;
  totalItems: number | undefined;
}

class TappedTarget implements SinkTarget<IocPayload> {
  readonly maxDeleteIds = MAX_DELETE_UUIDS;
  readonly name = "SentinelOne";
  readonly stats: ListingStats = { pages: 0, records: 0, totalItems: undefined };
  private tapping = true;

  constructor(
    private readonly client: SentinelOneApi,
    private readonly target: SentinelOneTarget,
    private readonly diff: DriftDiff,
  ) {}

  /** The diff has seen the whole listing: later listings (settling a lost create's answer) only feed the index. */
  endTap(): void {
    this.tapping = false;
  }

  async listPage(since: number | undefined, cursor: string | undefined, signal: AbortSignal): Promise<ListedPage> {
    if (!this.tapping || since !== undefined) return this.target.listPage(since, cursor, signal);
    if (cursor === undefined && this.stats.pages > 0) {
      throw new Error("SentinelOne's listing started over (a cursor was refused): run the reconciliation again");
    }
    const page = await this.client.listIocs({ limit: PAGE_SIZE, ...(cursor !== undefined ? { cursor } : {}) }, signal);
    this.stats.pages++;
    this.stats.records += page.data.length;
    this.stats.totalItems ??= page.totalItems;
    const records: IndexedRecord[] = [];
    for (const record of page.data) {
      const indexed = this.diff.addListed(record);
      if (indexed) records.push(indexed);
    }
    return { records, nextCursor: page.nextCursor };
  }

  create(payloads: readonly IocPayload[], signal: AbortSignal): Promise<readonly (string | undefined)[]> {
    return this.target.create(payloads, signal);
  }
  deleteIds(ids: readonly string[], signal: AbortSignal): Promise<void> {
    return this.target.deleteIds(ids, signal);
  }
  deleteKey(key: string, signal: AbortSignal): Promise<void> {
    return this.target.deleteKey(key, signal);
  }
  classify(error: unknown): FailureClass {
    return this.target.classify(error);
  }
  refused(refusals: readonly Refusal<IocPayload>[]): Promise<void> {
    return this.target.refused(refusals);
  }
}

export interface ReconcileSinkDeps {
  readonly client: SentinelOneApi;
  readonly target: SentinelOneTarget;
  readonly diff: DriftDiff;
  /** `:memory:` for a dry run (nothing on disk changes); the connector's index file for `--apply`. */
  readonly indexPath: string;
  readonly identity: string;
  readonly options: SinkOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly signal?: AbortSignal;
}

/** A sink queue whose index starts empty (rebuilt from the tapped listing), and the reason it stopped, if it did. */
export class ReconcileSink {
  readonly queue: SinkQueue<IocPayload>;
  private readonly tapped: TappedTarget;
  private readonly controller = new AbortController();
  private failure: string | undefined;

  constructor(deps: ReconcileSinkDeps) {
    this.tapped = new TappedTarget(deps.client, deps.target, deps.diff);
    const lifecycle: Lifecycle = {
      signal: this.controller.signal,
      fatal: (message) => {
        this.failure ??= message;
        this.controller.abort();
      },
    };
    deps.signal?.addEventListener("abort", () => lifecycle.fatal("interrupted"), { once: true });
    this.queue = new SinkQueue<IocPayload>({
      target: this.tapped,
      openIndex: () => {
        const index = TargetIndex.open({ path: deps.indexPath, identity: deps.identity });
        index.clear();
        return index;
      },
      options: deps.options,
      logger: deps.logger,
      metrics: deps.metrics,
      lifecycle,
    });
  }

  get listing(): Readonly<ListingStats> {
    return this.tapped.stats;
  }

  /** Lists SentinelOne fully (paced) into the diff and the index; throws when the queue stopped. */
  async list(): Promise<void> {
    this.queue.start();
    await this.queue.whenReady();
    this.tapped.endTap();
    this.check();
  }

  /** Waits until every queued change is applied; throws when the queue stopped. */
  async drain(): Promise<void> {
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
