/**
 * Spaces requests to stay under a target's rate limit: a token bucket of `perMinute` tokens refilled continuously
 * (the bucket SentinelOne is documented to use). It starts with one token, not full: a previous run, or another
 * client of the same API token, may have spent the target's bucket; it fills while requests are rare. A rate-limit
 * answer empties it (`exhausted`). `perMinute` 0 turns pacing off.
 */
import { sleep } from "../http/retry.js";

export class RequestPacer {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = Math.min(1, Math.max(0, perMinute));
    this.updatedAt = now();
  }

  /** Milliseconds until a request may go (0: now). */
  delay(): number {
    if (this.perMinute <= 0) return 0;
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }

  /** Whole requests that may go now (Infinity when not paced). */
  available(): number {
    if (this.perMinute <= 0) return Number.POSITIVE_INFINITY;
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Waits for a token and takes it (rejects when `signal` aborts). */
  async take(signal: AbortSignal): Promise<void> {
    if (this.perMinute <= 0) return;
    for (let wait = this.delay(); wait > 0; wait = this.delay()) await sleep(wait, signal);
    this.tokens -= 1;
  }

  /** The target said its bucket is empty (429): start again from nothing. */
  exhausted(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const now = this.now();
    if (now <= this.updatedAt) return;
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
  }
}
