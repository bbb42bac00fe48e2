/**
 * The connector's push queue: the SDK's `SinkQueue` (ordered, keyed, coalescing batches, target index, pacing,
 * retries, back-pressure, drain; docs/decisions/0008, 0009) wired to SentinelOne (`SentinelOneTarget`).
 */
import {
  type Lifecycle,
  type Logger,
  type Metrics,
  type SinkChange,
  SinkQueue,
  TargetIndex,
  TOKENS,
} from "@octi/connector-sdk";
import { inject, injectable } from "../di.js";
import { SentinelOneMetrics } from "../metrics.js";
import type { SentinelOneSettings } from "../settings.js";
import { S1_TOKENS } from "../tokens.js";
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

@injectable()
export class PushQueue extends SinkQueue<IocPayload> {
  private reconcileTimer: NodeJS.Timeout | undefined;
  private readonly reconcileEveryMs: number;
  private readonly runLifecycle: Lifecycle;

  constructor(
    @inject(S1_TOKENS.Settings) settings: PushQueueOptions,
    @inject(S1_TOKENS.Client) client: SentinelOneApi,
    @inject(S1_TOKENS.DeadLetter) deadLetter: DeadLetterSink,
    @inject(S1_TOKENS.Metrics) metrics: SentinelOneMetrics,
    @inject(TOKENS.Logger) logger: Logger,
    @inject(TOKENS.Lifecycle) lifecycle: Lifecycle,
    @inject(S1_TOKENS.Clock) now: () => number,
    @inject(TOKENS.Metrics) sdkMetrics: Metrics,
  ) {
    // The index describes one console, scope and source: another one empties it (it is then rebuilt).
    const { accountId, siteId, groupId } = settings.scope;
    const identity = JSON.stringify([
      settings.apiUrl,
      accountId ?? null,
      siteId ?? null,
      groupId ?? null,
      settings.source,
    ]);
    super({
      target: new SentinelOneTarget(client, settings, deadLetter, metrics, now),
      openIndex: () => TargetIndex.open({ path: settings.indexPath, identity }),
      options: { ...settings, maxPending: settings.maxPendingIocs },
      logger,
      metrics: sdkMetrics,
      lifecycle,
      now,
    });
    this.reconcileEveryMs = settings.reconcileIntervalMs;
    this.runLifecycle = lifecycle;
  }

  /** Opens the index and settles it with SentinelOne (a listing) before the first event; schedules reconciliations. */
  override start(): void {
    super.start();
    const every = this.reconcileEveryMs;
    if (every > 0 && this.runLifecycle.restartFromScratch && this.reconcileTimer === undefined) {
      // A scheduled reconciliation: the index is rebuilt from SentinelOne's listing (console edits and removals
      // become visible), then the stream is read again from scratch (recovery snapshot + sweep, decision 0011).
      this.reconcileTimer = setInterval(() => this.reconcile(), Math.min(every, 2 ** 31 - 1));
      this.reconcileTimer.unref();
    }
  }

  /** Rebuilds the index, then replays OpenCTI's recovery snapshot; its repairs go through this queue. */
  reconcile(): void {
    if (this.stopped) return;
    this.refreshIndex();
    this.runLifecycle.restartFromScratch?.("scheduled reconciliation (SENTINELONE_INTEL_RECONCILE_INTERVAL)");
  }

  override stop(): void {
    clearInterval(this.reconcileTimer);
    super.stop();
  }
}
