/**
 * Reconciliation's requests to SentinelOne, one at a time, paced under the rate limit (at most `requestsPerMinute`,
 * evenly spaced) and retried when SentinelOne says to (429: after Retry-After, else the SDK's backoff). Other
 * retryable failures are retried only when the request is safe to repeat (a read, or a write that cannot have
 * landed); a write whose outcome is unknown fails, and the next reconciliation sees what it did.
 */
import { backoffDelay, sleep as sdkSleep } from "@octi/connector-sdk";
import { SentinelOneApiError } from "../sentinelone/errors.js";

/** Network failures raised before the request left: nothing can have landed. */
const NOT_SENT: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

export interface PacedCallOptions {
  /** Requests per minute allowed (0 = unpaced). Default 30 (SentinelOne's Threat Intelligence limit, §7.3). */
  readonly requestsPerMinute?: number;
  /** Attempts per request. Default 8. */
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly signal?: AbortSignal;
  /** Test seams. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PacedCallStats {
  /** Requests sent, 429s and failed attempts included. */
  requests: number;
  rateLimited: number;
  /** Time spent waiting for the pace or a retry (ms). */
  waitedMs: number;
}

export class PacedCalls {
  readonly stats: PacedCallStats = { requests: 0, rateLimited: 0, waitedMs: 0 };
  private nextAllowedAt = 0;

  constructor(private readonly options: PacedCallOptions = {}) {}

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  /** Runs `request`; `idempotent` says whether a failure that may have landed can be repeated (reads). */
  async call<T>(what: string, idempotent: boolean, request: () => Promise<T>): Promise<T> {
    const { options } = this;
    const now = options.now ?? Date.now;
    const pause = options.sleep ?? sdkSleep;
    const rpm = options.requestsPerMinute ?? 30;
    const interval = rpm > 0 ? Math.ceil(60_000 / rpm) : 0;
    const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    for (let attempt = 0; ; attempt++) {
      const wait = this.nextAllowedAt - now();
      if (wait > 0) {
        this.stats.waitedMs += wait;
        await pause(wait, options.signal);
      }
      this.nextAllowedAt = now() + interval;
      this.stats.requests++;
      try {
        return await request();
      } catch (error) {
        if (!(error instanceof SentinelOneApiError) || !error.retryable || error.aborted) throw error;
        const notSent = error.kind === "rate_limited" || (error.kind === "network" && NOT_SENT.has(error.code ?? ""));
        if (!idempotent && !notSent) {
          throw new Error(`${what}: ${error.message}; it may have been applied: run the reconciliation again`);
        }
        if (attempt + 1 >= maxAttempts)
          throw new Error(`${what} failed ${maxAttempts} times in a row: ${error.message}`);
        if (error.kind === "rate_limited") this.stats.rateLimited++;
        const delay =
          error.retryAfterMs ??
          backoffDelay(attempt, { baseMs: options.retryBaseMs ?? 2000, maxMs: options.retryMaxMs ?? 60_000 });
        this.nextAllowedAt = Math.max(this.nextAllowedAt, now() + delay);
      }
    }
  }
}
