/**
 * SentinelOne's side of reconciliation: every IOC in our scope, cursor-paged (`limit=1000`), paced under the
 * Threat Intelligence rate limit (30 requests/minute, reference §7.3), a 429 waited out (Retry-After, else the
 * SDK's backoff) and the same page asked again. `source` is sent, but SentinelOne may ignore it on GET (§4.1):
 * the caller keeps only our records.
 *
 * It reads through `IocPageSource` (the client's `listIocs`), so it works with the index helper's client as well;
 * a repeated cursor is an error, never a loop.
 */
import { backoffDelay, sleep as sdkSleep } from "@octi/connector-sdk";
import type { IocPage, ListIocsQuery } from "../sentinelone/client.js";
import { SentinelOneApiError } from "../sentinelone/errors.js";
import type { IocRecord } from "../sentinelone/types.js";

/** SentinelOne's largest page. */
export const PAGE_SIZE = 1000;

export interface IocPageSource {
  listIocs(query: ListIocsQuery, signal?: AbortSignal): Promise<IocPage>;
}

export interface ListingStats {
  pages: number;
  records: number;
  /** Requests sent, 429s and failed attempts included. */
  requests: number;
  rateLimited: number;
  /** Total reported by SentinelOne (first page), when it says. */
  totalItems: number | undefined;
  /** Time spent waiting for the pace or a retry (ms). */
  waitedMs: number;
}

export interface ListingOptions {
  /** Requests per minute allowed (0 = unpaced). Default 30. */
  readonly requestsPerMinute?: number;
  /** Attempts per page on retryable failures (429, 5xx, timeouts, network). Default 8. */
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Safety stop (default 10,000 pages = 10 million IOCs). */
  readonly maxPages?: number;
  readonly signal?: AbortSignal;
  /** Called after each page. */
  readonly onPage?: (stats: Readonly<ListingStats>) => void;
  /** Test seams. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Lists every record in our scope; `stats` fills in as pages arrive. */
export class IocListing implements AsyncIterable<IocRecord> {
  readonly stats: ListingStats = {
    pages: 0,
    records: 0,
    requests: 0,
    rateLimited: 0,
    totalItems: undefined,
    waitedMs: 0,
  };

  constructor(
    private readonly api: IocPageSource,
    private readonly options: ListingOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<IocRecord> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    const maxPages = this.options.maxPages ?? 10_000;
    for (let page = 0; page < maxPages; page++) {
      const result = await this.fetchPage(cursor);
      this.stats.pages++;
      this.stats.records += result.data.length;
      if (page === 0) this.stats.totalItems = result.totalItems;
      this.options.onPage?.(this.stats);
      yield* result.data;
      if (result.nextCursor === null) return;
      if (seen.has(result.nextCursor)) {
        throw new Error(
          `SentinelOne returned the same listing cursor twice (after ${this.stats.records} IOCs): the listing would never end`,
        );
      }
      seen.add(result.nextCursor);
      cursor = result.nextCursor;
    }
    throw new Error(`SentinelOne's listing went past ${maxPages} pages: stopped (is the scope the intended one?)`);
  }

  private nextAllowedAt = 0;

  private async fetchPage(cursor: string | undefined): Promise<IocPage> {
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
        return await this.api.listIocs(
          { limit: PAGE_SIZE, ...(cursor !== undefined ? { cursor } : {}) },
          options.signal,
        );
      } catch (error) {
        if (!(error instanceof SentinelOneApiError) || !error.retryable || error.aborted) throw error;
        if (attempt + 1 >= maxAttempts) {
          throw new Error(`SentinelOne's listing failed ${maxAttempts} times in a row: ${error.message}`);
        }
        if (error.kind === "rate_limited") this.stats.rateLimited++;
        const delay =
          error.retryAfterMs ??
          backoffDelay(attempt, { baseMs: options.retryBaseMs ?? 2000, maxMs: options.retryMaxMs ?? 60_000 });
        this.nextAllowedAt = Math.max(this.nextAllowedAt, now() + delay);
      }
    }
  }
}
