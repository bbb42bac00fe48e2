/**
 * Spaces requests to stay under a target's rate limit: a token bucket of `perMinute` tokens refilled continuously,
 * starting full (the bucket SentinelOne is documented to use). `perMinute` 0 turns pacing off.
 */
import { sleep } from "../http/retry.js";

export class RequestPacer {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = Math.max(0, perMinute);
    this.updatedAt = now();
  }

  /** Milliseconds until a request may go (0: now). */
  delay(): number {
    if (this.perMinute <= 0) return 0;
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }

  /** Waits for a token and takes it (rejects when `signal` aborts). */
  async take(signal: AbortSignal): Promise<void> {
    if (this.perMinute <= 0) return;
    for (let wait = this.delay(); wait > 0; wait = this.delay()) await sleep(wait, signal);
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.now();
    if (now <= this.updatedAt) return;
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
  }
}
