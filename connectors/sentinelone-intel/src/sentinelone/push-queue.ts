/**
 * The ordered operation queue between the stream handler and SentinelOne.
 *
 * - ONE request in flight at a time, operations in enqueue order: a delete never overtakes the create it undoes,
 *   and a replacement (delete then create) lands in that order.
 * - Consecutive creates coalesce into one POST of up to `batchSize` IOCs. A partial batch is sent when it is full,
 *   when a delete is queued behind it, when `flushIntervalMs` has passed since its first IOC was queued, or at
 *   once while draining or when nothing more can arrive before an acknowledgement: the runner stopped reading
 *   (`StreamFlow`) or `enqueue` waits for room. Without that, a batch larger than what those windows let in
 *   would wait out the flush interval every time. While a request is in flight or a retry waits, new IOCs pile up and the next batch is
 *   bigger: under load, requests carry full batches without any tuning.
 * - Each delete is its own request (the API's delete filter takes one `externalId`; see `deleteFilter`).
 * - Retries never give up for 429 (Retry-After honoured, capped at `retryMaxDelayMs`), 5xx, timeouts and network
 *   errors: exponential backoff up to `retryMaxDelayMs`, each wait logged at warning with the reason and delay.
 *   The failure count is queue-wide and resets on the first success, so a long outage does not restart at the
 *   smallest delay for every batch.
 * - 401 / 403 stop the connector through `Lifecycle.fatal` (nothing more is sent; unacknowledged events are
 *   replayed on the next start). So does any other unexpected answer (404 from a wrong URL, 3xx …).
 * - 400 (and 409 / 413 / 422) on a batch: the items named by the error details (`data: <i>: …`) are written to the
 *   dead-letter file and the rest is sent again; without indices the batch is bisected until the refused items
 *   are alone. A refused single item or delete is dead-lettered.
 * - Acknowledgement: every operation carries the ticket of the event it serves; the event's `done` runs once ALL
 *   its operations succeeded or were dead-lettered. Never otherwise: a stop or a fatal error leaves it pending.
 * - Back-pressure: `enqueue` resolves once fewer than `maxPendingIocs` items (IOCs + deletes) are pending.
 */
import { backoffDelay, type Lifecycle, type Logger, type StreamFlow, sleep, TOKENS } from "@octi/connector-sdk";
import { inject, injectable } from "../di.js";
import { SentinelOneMetrics } from "../metrics.js";
import type { SentinelOneSettings } from "../settings.js";
import { S1_TOKENS } from "../tokens.js";
import type { SentinelOneApi } from "./client.js";
import type { DeadLetterRecord, DeadLetterSink } from "./dead-letter.js";
import { entriesForItem, SentinelOneApiError, summarizeErrors } from "./errors.js";
import type { IocPayload } from "./types.js";

export type QueueOp =
  | { readonly kind: "create"; readonly iocs: readonly IocPayload[] }
  | { readonly kind: "delete"; readonly externalId: string };

export type PushQueueOptions = Pick<
  SentinelOneSettings,
  "batchSize" | "flushIntervalMs" | "maxPendingIocs" | "retryBaseMs" | "retryMaxDelayMs"
>;

interface Ticket {
  readonly eventId: string;
  remaining: number;
  readonly done: () => void;
}

interface PendingIoc {
  readonly payload: IocPayload;
  readonly ticket: Ticket;
}

type Entry =
  | { readonly kind: "create"; readonly items: PendingIoc[]; readonly queuedAt: number }
  | { readonly kind: "delete"; readonly externalId: string; readonly ticket: Ticket };

type Work = { readonly kind: "create"; readonly items: PendingIoc[] } | Extract<Entry, { kind: "delete" }>;

@injectable()
export class PushQueue {
  private readonly options: PushQueueOptions;
  private readonly entries: Entry[] = [];
  /** Parts of a refused batch, sent before anything else (they came from the head of the queue). */
  private readonly retryBatches: PendingIoc[][] = [];
  private pending = 0;
  private failures = 0;
  private pump: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private busy = false;
  private draining = false;
  private halted = false;
  private readonly controller = new AbortController();
  private readonly unsubscribeFlow: () => void;

  constructor(
    @inject(S1_TOKENS.Settings) options: PushQueueOptions,
    @inject(S1_TOKENS.Client) private readonly client: SentinelOneApi,
    @inject(S1_TOKENS.DeadLetter) private readonly deadLetter: DeadLetterSink,
    @inject(S1_TOKENS.Metrics) private readonly metrics: SentinelOneMetrics,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Lifecycle) private readonly lifecycle: Lifecycle,
    @inject(S1_TOKENS.Clock) private readonly now: () => number,
    @inject(TOKENS.StreamFlow) private readonly flow: StreamFlow,
  ) {
    this.options = {
      batchSize: Math.max(1, options.batchSize),
      flushIntervalMs: Math.max(0, options.flushIntervalMs),
      maxPendingIocs: Math.max(1, options.maxPendingIocs),
      retryBaseMs: Math.max(1, options.retryBaseMs),
      retryMaxDelayMs: Math.max(1, options.retryMaxDelayMs),
    };
    this.unsubscribeFlow = flow.onWaitingForAcks(() => this.notify());
    if (lifecycle.signal.aborted) this.halt();
    else lifecycle.signal.addEventListener("abort", () => this.halt(), { once: true });
  }

  /** Items (IOCs and deletes) queued or in flight. */
  get pendingCount(): number {
    return this.pending;
  }

  get stopped(): boolean {
    return this.halted;
  }

  /**
   * Queues the operations of one event, in order. `done` runs once every operation succeeded or was
   * dead-lettered (at once when there is nothing to do). Resolves when there is room for more (back-pressure),
   * or when the queue stops.
   */
  enqueue(ops: readonly QueueOp[], eventId: string, done: () => void): Promise<void> {
    if (this.halted) return Promise.resolve();
    let count = 0;
    for (const op of ops) count += op.kind === "create" ? op.iocs.length : 1;
    if (count === 0) {
      safeCall(done, this.logger);
      return Promise.resolve();
    }
    const ticket: Ticket = { eventId, remaining: count, done };
    const now = this.now();
    for (const op of ops) {
      if (op.kind === "delete") {
        this.entries.push({ kind: "delete", externalId: op.externalId, ticket });
        continue;
      }
      if (op.iocs.length === 0) continue;
      const items = op.iocs.map((payload) => ({ payload, ticket }));
      const tail = this.entries[this.entries.length - 1];
      if (tail?.kind === "create") for (const item of items) tail.items.push(item);
      else this.entries.push({ kind: "create", items, queuedAt: now });
    }
    this.pending += count;
    this.pump ??= this.run().catch((error: unknown) => {
      this.lifecycle.fatal(`SentinelOne push queue failed: ${(error as Error)?.message ?? String(error)}`, error);
      this.halt();
    });
    this.notify();
    return this.waitForRoom();
  }

  /** Sends everything it can, without waiting for partial batches to fill, until empty or `deadline` (epoch ms). */
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
      this.logger.warning("Stopped draining the SentinelOne queue at the shutdown deadline", {
        pending: this.pending,
      });
      this.halt();
    }
  }

  /** Stops sending: aborts the request in flight and every wait. Pending events stay unacknowledged. */
  stop(): void {
    this.halt();
  }

  private isIdle(): boolean {
    return this.pending === 0 && !this.busy;
  }

  private halt(): void {
    if (this.halted) return;
    this.halted = true;
    this.unsubscribeFlow();
    this.controller.abort();
    this.notify();
    for (const resolve of this.roomWaiters.splice(0)) resolve();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private waitForRoom(): Promise<void> {
    if (this.halted || this.pending < this.options.maxPendingIocs) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private settle(ticket: Ticket): void {
    this.pending -= 1;
    ticket.remaining -= 1;
    if (ticket.remaining === 0) safeCall(ticket.done, this.logger);
    if (this.pending < this.options.maxPendingIocs) for (const resolve of this.roomWaiters.splice(0)) resolve();
  }

  private async run(): Promise<void> {
    while (!this.halted) {
      const next = this.next();
      if ("waitUntil" in next) {
        if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
        await this.sleepUntil(next.waitUntil);
        continue;
      }
      this.busy = true;
      try {
        if (next.kind === "create") await this.sendCreate(next.items);
        else await this.sendDelete(next);
      } catch (error) {
        // Unexpected (a bug, a failing dead-letter write already logged …): stop rather than lose ordering.
        if (!this.halted) {
          this.lifecycle.fatal(`SentinelOne push queue failed: ${(error as Error)?.message ?? String(error)}`, error);
          this.halt();
        }
      } finally {
        this.busy = false;
      }
    }
  }

  /** The next request to send, or until when to wait (`undefined`: until something is enqueued). */
  private next(): Work | { waitUntil: number | undefined } {
    const retry = this.retryBatches.shift();
    if (retry) return { kind: "create", items: retry };
    const head = this.entries[0];
    if (!head) return { waitUntil: undefined };
    if (head.kind === "delete") {
      this.entries.shift();
      return head;
    }
    const { batchSize, flushIntervalMs } = this.options;
    const due = head.queuedAt + flushIntervalMs;
    const starved = this.flow.waitingForAcks || this.roomWaiters.length > 0;
    const flush =
      head.items.length >= batchSize || this.entries.length > 1 || this.draining || starved || this.now() >= due;
    if (!flush) return { waitUntil: due };
    const items = head.items.length <= batchSize ? head.items : head.items.splice(0, batchSize);
    if (items === head.items) this.entries.shift();
    return { kind: "create", items };
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

  private async sendCreate(items: PendingIoc[]): Promise<void> {
    for (;;) {
      if (this.halted) return;
      try {
        await this.client.createIocs(
          items.map((item) => item.payload),
          this.controller.signal,
        );
        this.failures = 0;
        this.logger.debug("IOCs created in SentinelOne", { iocs: items.length });
        const byType = new Map<string, number>();
        for (const item of items) byType.set(item.payload.type, (byType.get(item.payload.type) ?? 0) + 1);
        for (const [type, count] of byType) this.metrics.iocsCreated.inc({ type }, count);
        for (const item of items) this.settle(item.ticket);
        return;
      } catch (error) {
        const outcome = await this.onFailure(error, `create ${items.length} IOC(s)`);
        if (outcome === "retry") continue;
        if (outcome === "stop") return;
        await this.refuseBatch(items, outcome);
        return;
      }
    }
  }

  private async sendDelete(entry: Extract<Entry, { kind: "delete" }>): Promise<void> {
    for (;;) {
      if (this.halted) return;
      try {
        const affected = await this.client.deleteByExternalId(entry.externalId, this.controller.signal);
        this.failures = 0;
        this.logger.debug("IOCs deleted from SentinelOne", { indicator_id: entry.externalId, affected });
        if (affected > 0) this.metrics.iocsDeleted.inc(affected);
        this.settle(entry.ticket);
        return;
      } catch (error) {
        const outcome = await this.onFailure(error, "delete");
        if (outcome === "retry") continue;
        if (outcome === "stop") return;
        await this.writeDeadLetters([
          {
            time: new Date(this.now()).toISOString(),
            eventId: entry.ticket.eventId,
            indicatorId: entry.externalId,
            ioc: { operation: "delete", externalId: entry.externalId },
            ...(outcome.status !== undefined ? { status: outcome.status } : {}),
            reason: outcome.message,
          },
        ]);
        this.settle(entry.ticket);
        return;
      }
    }
  }

  /**
   * Classifies a failed request: waits and returns "retry" for transient errors, stops the run and returns "stop"
   * for auth and unexpected errors, or returns the error for content refusals (the caller splits/dead-letters).
   */
  private async onFailure(error: unknown, operation: string): Promise<"retry" | "stop" | SentinelOneApiError> {
    if (this.halted) return "stop";
    const apiError =
      error instanceof SentinelOneApiError
        ? error
        : new SentinelOneApiError(`SentinelOne ${operation} failed: ${(error as Error)?.message ?? String(error)}`, {
            method: "?",
            path: "?",
            kind: "other",
          });
    if (apiError.retryable) {
      const delay = this.retryDelay(apiError);
      this.failures++;
      this.metrics.retries.inc({ reason: apiError.kind });
      this.logger.warning("SentinelOne request failed, retrying", {
        operation,
        kind: apiError.kind,
        ...(apiError.status !== undefined ? { status: apiError.status } : {}),
        reason: apiError.message,
        retry_in_ms: delay,
        attempt: this.failures,
      });
      try {
        await sleep(delay, this.controller.signal);
      } catch {
        return "stop";
      }
      return this.halted ? "stop" : "retry";
    }
    if (apiError.kind === "auth") {
      const what = apiError.errors[0]?.title ? ` ${apiError.errors[0].title}` : "";
      this.lifecycle.fatal(
        `SentinelOne rejected the API key (${apiError.status ?? "?"}${what}) on ${apiError.method} ${apiError.path}: check SENTINELONE_INTEL_API_KEY and its scope (Threat Intelligence view + manage on the configured account/site/group)`,
        apiError,
      );
      this.halt();
      return "stop";
    }
    if (apiError.kind === "invalid") return apiError;
    this.lifecycle.fatal(
      `SentinelOne answered unexpectedly (${apiError.message}): check SENTINELONE_INTEL_API_URL (the console origin, e.g. https://your-console.sentinelone.net)`,
      apiError,
    );
    this.halt();
    return "stop";
  }

  private retryDelay(error: SentinelOneApiError): number {
    const max = this.options.retryMaxDelayMs;
    // Retry-After is honoured up to the configured maximum; `Retry-After: 0` still waits the base delay.
    if (error.retryAfterMs !== undefined) return Math.min(max, Math.max(this.options.retryBaseMs, error.retryAfterMs));
    return backoffDelay(this.failures, { baseMs: this.options.retryBaseMs, maxMs: max });
  }

  /** A batch SentinelOne refused for its content: dead-letter the named items and resend the rest, or bisect. */
  private async refuseBatch(items: PendingIoc[], error: SentinelOneApiError): Promise<void> {
    const indices = error.itemIndices.filter((i) => i < items.length);
    if (items.length === 1 || (indices.length > 0 && indices.length === error.itemIndices.length)) {
      const refused = items.length === 1 ? [0] : indices;
      const refusedSet = new Set(refused);
      await this.writeDeadLetters(
        refused.map((index) => {
          const item = items[index]!;
          const details = entriesForItem(error.errors, index);
          const reason = details.length > 0 ? summarizeErrors(details, 10) : error.message;
          return {
            time: new Date(this.now()).toISOString(),
            eventId: item.ticket.eventId,
            indicatorId: item.payload.externalId,
            ioc: item.payload,
            ...(error.status !== undefined ? { status: error.status } : {}),
            reason,
          };
        }),
      );
      for (const index of refused) this.settle(items[index]!.ticket);
      const rest = items.filter((_, i) => !refusedSet.has(i));
      if (rest.length > 0) this.retryBatches.unshift(rest);
      return;
    }
    const middle = Math.ceil(items.length / 2);
    this.logger.info("SentinelOne refused a batch without naming the items: splitting it", {
      iocs: items.length,
      reason: error.message,
    });
    this.retryBatches.unshift(items.slice(0, middle), items.slice(middle));
  }

  private async writeDeadLetters(records: DeadLetterRecord[]): Promise<void> {
    this.metrics.iocsDeadLettered.inc(records.length);
    for (const record of records) {
      this.logger.error("SentinelOne refused an IOC operation; written to the dead-letter file", {
        event_id: record.eventId,
        indicator_id: record.indicatorId,
        status: record.status,
        reason: record.reason,
        dead_letter_path: this.deadLetter.location,
      });
    }
    try {
      await this.deadLetter.write(records);
    } catch (error) {
      // Keep going (the event is acknowledged): the full record is in the log instead.
      this.logger.error("Could not write the dead-letter file; the refused records follow", {
        dead_letter_path: this.deadLetter.location,
        reason: (error as Error)?.message ?? String(error),
        records,
      });
    }
  }
}

function safeCall(fn: () => void, logger: Logger): void {
  try {
    fn();
  } catch (error) {
    logger.error("Acknowledging an event failed", { reason: (error as Error)?.message ?? String(error) });
  }
}
