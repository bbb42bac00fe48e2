/** SentinelOne's side of reconciliation: the paced, cursor-paged listing, against the simulator over loopback. */
import { Agent } from "node:http";
import type { HttpAgents } from "@octi/connector-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, SentinelOneSimulator } from "../../dev/simulator/index.js";
import { IocListing, type IocPageSource } from "../../src/reconcile/listing.js";
import type { IocPage } from "../../src/sentinelone/client.js";
import { SentinelOneClient } from "../../src/sentinelone/client.js";
import { SentinelOneApiError } from "../../src/sentinelone/errors.js";
import type { IocPayload, IocRecord } from "../../src/sentinelone/types.js";
import { resolveSettings } from "../../src/settings.js";
import { fakeMetrics } from "../helpers/fakes.js";

const agents: HttpAgents = { forUrl: () => new Agent({ keepAlive: true }) };

function client(apiUrl: string, source = "OpenCTI", apiKey = DEFAULT_API_TOKEN): SentinelOneClient {
  const settings = resolveSettings({
    api_url: apiUrl,
    api_key: apiKey,
    account_id: DEFAULT_ACCOUNT_ID,
    source,
    batch_size: 500,
    batch_flush_interval: 250,
    max_pending_iocs: 20000,
    request_timeout: 10,
    retry_max_delay: 300,
    dead_letter_path: "unused.jsonl",
    ssl_verify: true,
    requests_per_minute: 0,
    skip_score_only_updates: false,
    reconcile_interval: 0,
    data_dir: "unused",
  });
  return new SentinelOneClient(settings, agents, fakeMetrics().metrics);
}

const ip = (i: number, source: string): IocPayload => ({
  type: "IPV4",
  value: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  method: "EQUALS",
  source,
  externalId: `indicator--00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
});

async function seed(apiUrl: string, count: number, source: string, offset = 0): Promise<void> {
  const api = client(apiUrl, source);
  for (let start = 0; start < count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) => ip(offset + start + i, source));
    await api.createIocs(batch);
  }
}

async function collect(listing: AsyncIterable<IocRecord>): Promise<IocRecord[]> {
  const out: IocRecord[] = [];
  for await (const record of listing) out.push(record);
  return out;
}

describe("IocListing against the SentinelOne simulator", () => {
  let sim: SentinelOneSimulator;
  let url: string;

  beforeEach(async () => {
    sim = new SentinelOneSimulator();
    url = await sim.start();
  });

  afterEach(async () => {
    await sim.stop();
  });

  it("lists every record of the scope, 1,000 per page, following the cursor", async () => {
    await seed(url, 2500, "OpenCTI");
    await seed(url, 300, "Other feed", 10_000);
    const listing = new IocListing(client(url), { requestsPerMinute: 0 });
    const records = await collect(listing);
    // SentinelOne ignores `source` on GET (as observed, reference §4.1): the other source is listed too, and the
    // diff keeps only ours.
    expect(records).toHaveLength(2800);
    expect(new Set(records.map((r) => r.uuid)).size).toBe(2800);
    expect(records.filter((r) => r.source === "Other feed")).toHaveLength(300);
    expect(listing.stats).toMatchObject({ pages: 3, records: 2800, requests: 3, rateLimited: 0, totalItems: 2800 });
    expect(sim.requests.filter((r) => r.method === "GET")).toHaveLength(3);
  });

  it("waits out 429s (Retry-After) and asks for the same page again: nothing lost, nothing repeated", async () => {
    await seed(url, 2100, "OpenCTI");
    sim.setRateLimit({ requestsPerMinute: 120, burst: 1, retryAfter: "seconds", body: "html" });
    const listing = new IocListing(client(url), { requestsPerMinute: 0 });
    const records = await collect(listing);
    expect(records).toHaveLength(2100);
    expect(new Set(records.map((r) => r.uuid)).size).toBe(2100);
    expect(listing.stats.rateLimited).toBeGreaterThan(0);
    expect(listing.stats.requests).toBe(3 + listing.stats.rateLimited);
    expect(sim.stats().rateLimited).toBe(listing.stats.rateLimited);
  });

  it("a refused API key fails at once, naming the status", async () => {
    const listing = new IocListing(client(url, "OpenCTI", "not-a-key"), { requestsPerMinute: 0 });
    await expect(collect(listing)).rejects.toThrow(/401/);
    expect(listing.stats.requests).toBe(1);
  });
});

describe("IocListing pacing and guards (injected clock)", () => {
  const page = (n: number, next: string | null): IocPage => ({
    data: [{ uuid: `u${n}`, source: "OpenCTI" }],
    nextCursor: next,
    totalItems: 3,
  });

  function fakeClock() {
    let now = 0;
    const sleeps: number[] = [];
    return {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      sleeps,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it("keeps 60/rpm seconds between requests (30/min: 2 s)", async () => {
    const clock = fakeClock();
    const sentAt: number[] = [];
    const pages = [page(1, "c1"), page(2, "c2"), page(3, null)];
    const api: IocPageSource = {
      listIocs: async () => {
        sentAt.push(clock.now());
        clock.advance(300); // the request itself takes 0.3 s
        return pages[sentAt.length - 1]!;
      },
    };
    const listing = new IocListing(api, { requestsPerMinute: 30, now: clock.now, sleep: clock.sleep });
    expect((await collect(listing)).map((r) => r.uuid)).toEqual(["u1", "u2", "u3"]);
    expect(sentAt).toEqual([0, 2000, 4000]);
    expect(listing.stats.waitedMs).toBe(3400);
    expect(listing.stats.totalItems).toBe(3);
  });

  it("a 429 without Retry-After backs off, then the same cursor is asked again", async () => {
    const clock = fakeClock();
    const cursors: (string | undefined)[] = [];
    let calls = 0;
    const api: IocPageSource = {
      listIocs: async (query) => {
        calls++;
        cursors.push(query.cursor);
        if (calls === 2) {
          throw new SentinelOneApiError("HTTP 429", { method: "GET", path: "/x", status: 429, kind: "rate_limited" });
        }
        return calls === 1 ? page(1, "c1") : page(2, null);
      },
    };
    const listing = new IocListing(api, {
      requestsPerMinute: 0,
      retryBaseMs: 1000,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(await collect(listing)).toHaveLength(2);
    expect(cursors).toEqual([undefined, "c1", "c1"]);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(500);
  });

  it("a cursor that comes back twice is an error, never a loop", async () => {
    const api: IocPageSource = { listIocs: async () => page(1, "same") };
    await expect(collect(new IocListing(api, { requestsPerMinute: 0 }))).rejects.toThrow(/same listing cursor twice/);
  });

  it("gives up after maxAttempts retryable failures with the last reason", async () => {
    const clock = fakeClock();
    const api: IocPageSource = {
      listIocs: async () => {
        throw new SentinelOneApiError("SentinelOne GET failed: HTTP 503", {
          method: "GET",
          path: "/x",
          status: 503,
          kind: "unavailable",
        });
      },
    };
    const listing = new IocListing(api, { requestsPerMinute: 0, maxAttempts: 3, now: clock.now, sleep: clock.sleep });
    await expect(collect(listing)).rejects.toThrow(/failed 3 times in a row: .*503/);
    expect(listing.stats.requests).toBe(3);
  });
});
