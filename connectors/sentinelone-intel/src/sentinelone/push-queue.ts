/**
 * The connector's push queue: the SDK's `SinkQueue` (ordered, keyed, coalescing batches, target index, pacing,
 * retries, back-pressure, drain; docs/decisions/0008, 0009) wired to SentinelOne (`SentinelOneTarget`).
 */
import type { Lifecycle, PluginContext, SinkChange, SinkOptions, SinkQueue } from "@octi/connector-sdk";
import type { SentinelOneMetrics } from "../metrics.js";
import type { SentinelOneSettings } from "../settings.js";
import type { SentinelOneApi } from "./client.js";
import type { DeadLetterSink } from "./dead-letter.js";
import { SentinelOneTarget } from "./target.js";
import type { IocPayload } from "./types.js";

/** The state one indicator should reach in SentinelOne: its IOCs, or none. */
export type IocChange = SinkChange<IocPayload>;

export type PushQueueOptions = Pick<
  SentinelOneSettings,
  | "batchSize"
  | "flushIntervalMs"
  | "maxPendingIocs"
  | "retryBaseMs"
  | "retryMaxDelayMs"
  | "requestsPerMinute"
  | "listingMarginMs"
  | "reconcileIntervalMs"
  | "indexPath"
  | "apiUrl"
  | "scope"
  | "source"
>;

/** What the index describes: one console, scope and source (another one empties it; it is then rebuilt). */
export function indexIdentity(settings: Pick<SentinelOneSettings, "apiUrl" | "scope" | "source">): string {
  const { accountId, siteId, groupId } = settings.scope;
  return JSON.stringify([settings.apiUrl, accountId ?? null, siteId ?? null, groupId ?? null, settings.source]);
}

/** The SDK sink queue's options from the connector's settings (the live run and the reconcile command). */
export function sinkOptions(settings: Omit<PushQueueOptions, "reconcileIntervalMs">): SinkOptions {
  const { batchSize, flushIntervalMs, retryBaseMs, retryMaxDelayMs, requestsPerMinute, listingMarginMs } = settings;
  const tuning = { batchSize, flushIntervalMs, retryBaseMs, retryMaxDelayMs, requestsPerMinute, listingMarginMs };
  return { ...tuning, maxPending: settings.maxPendingIocs };
}

export class PushQueue {
  private readonly sink: SinkQueue<IocPayload>;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private readonly reconcileEveryMs: number;

  private readonly lifecycle: Lifecycle;

  constructor(
    settings: PushQueueOptions,
    client: SentinelOneApi,
    deadLetter: DeadLetterSink,
    metrics: SentinelOneMetrics,
    ctx: Pick<PluginContext<unknown>, "sinkQueue" | "lifecycle">,
    now: () => number,
  ) {
    this.lifecycle = ctx.lifecycle;
    const identity = indexIdentity(settings);
    this.sink = ctx.sinkQueue<IocPayload>({
      target: new SentinelOneTarget(client, settings, deadLetter, metrics, now),
      index: { path: settings.indexPath, identity },
      options: sinkOptions(settings),
      now,
    });
    this.reconcileEveryMs = settings.reconcileIntervalMs;
  }

  /** Indicators with changes not yet applied in SentinelOne. */
  get pendingCount(): number {
    return this.sink.pendingCount;
  }

  get stopped(): boolean {
    return this.sink.stopped;
  }

  /** Opens the index and settles it with SentinelOne (a listing) before the first event. */
  start(): void {
    this.sink.start();
    const every = this.reconcileEveryMs;
    if (every > 0 && this.lifecycle.restartFromScratch && this.reconcileTimer === undefined) {
      // A scheduled reconciliation: the index is rebuilt from SentinelOne's listing (console edits and removals
      // become visible), then the stream is read again from scratch (recovery snapshot + sweep, decision 0011).
      this.reconcileTimer = setInterval(() => this.reconcile(), Math.min(every, 2 ** 31 - 1));
      this.reconcileTimer.unref();
    }
  }

  /** Rebuilds the index, then replays OpenCTI's recovery snapshot; its repairs go through this queue. */
  reconcile(): void {
    if (this.sink.stopped) return;
    this.sink.refreshIndex();
    this.lifecycle.restartFromScratch?.("scheduled reconciliation (SENTINELONE_INTEL_RECONCILE_INTERVAL)");
  }

  enqueue(changes: readonly IocChange[], eventId: string, done: () => void): Promise<void> {
    return this.sink.enqueue(changes, eventId, done);
  }

  /** Nothing more arrives before an acknowledgement (the runner's `flush`, decision 0005): send what is pending. */
  flush(): void {
    this.sink.flush();
  }

  drain(deadline: number): Promise<void> {
    return this.sink.drain(deadline);
  }

  /** Remembers the indicators enqueued from now on (a recovery snapshot). */
  beginSweep(): void {
    this.sink.beginSweep();
  }

  /** Removes the indexed indicators the snapshot did not want; `done` once SentinelOne has removed them. */
  endSweep(eventId: string, done: () => void): Promise<number> {
    return this.sink.endSweep(eventId, done);
  }

  stop(): void {
    clearInterval(this.reconcileTimer);
    this.sink.stop();
  }
}
