/**
 * SentinelOne's side of reconciliation: every IOC in our scope, cursor-paged (`limit=1000`), paced under the
 * Threat Intelligence rate limit (30 requests/minute, reference §7.3), a 429 waited out (Retry-After, else the
 * SDK's backoff) and the same page asked again. `source` is sent, but SentinelOne may ignore it on GET (§4.1):
 * the caller keeps only our records.
 *
 * It reads through `IocPageSource` (the client's `listIocs`), so it works with the index helper's client as well;
 * a repeated cursor is an error, never a loop.
 */
import type { IocPage, ListIocsQuery } from "../sentinelone/client.js";
import type { IocRecord } from "../sentinelone/types.js";
import { type PacedCallOptions, PacedCalls } from "./paced-calls.js";

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

export interface ListingOptions extends PacedCallOptions {
  /** Safety stop (default 10,000 pages = 10 million IOCs). */
  readonly maxPages?: number;
  /** Called after each page. */
  readonly onPage?: (stats: Readonly<ListingStats>) => void;
  /** Share the pace with other requests (the repairs); default: its own. */
  readonly calls?: PacedCalls;
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

  private readonly calls: PacedCalls;

  constructor(
    private readonly api: IocPageSource,
    private readonly options: ListingOptions = {},
  ) {
    this.calls = options.calls ?? new PacedCalls(options);
  }

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

  private async fetchPage(cursor: string | undefined): Promise<IocPage> {
    const calls = this.calls;
    const before = { ...calls.stats };
    try {
      return await calls.call("SentinelOne's listing", true, () =>
        this.api.listIocs({ limit: PAGE_SIZE, ...(cursor !== undefined ? { cursor } : {}) }, calls.signal),
      );
    } finally {
      this.stats.requests += calls.stats.requests - before.requests;
      this.stats.rateLimited += calls.stats.rateLimited - before.rateLimited;
      this.stats.waitedMs += calls.stats.waitedMs - before.waitedMs;
    }
  }
}
