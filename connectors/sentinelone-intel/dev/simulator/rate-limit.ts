/** Per-token token bucket for `/threat-intelligence/*` (spec §7.3, [INF]). */
import type { RateLimitConfig } from "./types.js";

/** The spec's suggested limit (S14's table: 30 requests per minute per token) with nginx's HTML 429 and no Retry-After. */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimitConfig> = Object.freeze({
  requestsPerMinute: 30,
  retryAfter: "none",
  body: "html",
});

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly config: RateLimitConfig) {
    if (!(config.requestsPerMinute > 0)) throw new RangeError("requestsPerMinute must be > 0");
    if (config.burst !== undefined && !(config.burst >= 1)) throw new RangeError("burst must be >= 1");
  }

  get settings(): RateLimitConfig {
    return this.config;
  }

  private get capacity(): number {
    return this.config.burst ?? this.config.requestsPerMinute;
  }

  /** Takes one token; returns 0 when allowed, else the seconds (≥ 1, rounded up) until a token is available. */
  take(key: string, nowMs: number): number {
    const perMs = this.config.requestsPerMinute / 60_000;
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { tokens: this.capacity, updatedMs: nowMs };
      this.buckets.set(key, b);
    } else if (nowMs > b.updatedMs) {
      b.tokens = Math.min(this.capacity, b.tokens + (nowMs - b.updatedMs) * perMs);
      b.updatedMs = nowMs;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
  }
}
