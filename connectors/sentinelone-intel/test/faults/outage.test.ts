/**
 * Scenario 3: SentinelOne unavailable for a while (503 / 502 pages, requests that never answer, 429 storms with and
 * without Retry-After, nginx HTML or JSON bodies). The connector (in-process, real runner) must lose nothing, never
 * stop, and keep its memory bounded while it waits: the SDK's in-flight window and the push queue stay within the
 * configured limits (plus what one socket read can carry), and the heap does not grow with the backlog.
 */

import { describe, expect, it } from "vitest";
import type { RateLimitConfig } from "../../dev/simulator/index.js";
import { generateFeed } from "./feed.js";
import {
  budget,
  compare,
  connectorEnv,
  publishFeed,
  REPLAY_HISTORY,
  recordRow,
  rowFrom,
  SEED,
  type Sims,
  sized,
  sleep,
  startInProcess,
  startSims,
  useScenarioHooks,
  waitFor,
  waitUntilDelivered,
} from "./harness.js";
import { describeReport } from "./oracle.js";

useScenarioHooks();

const MAX_IN_FLIGHT = 60;
const MAX_PENDING = 40;
/** The most queue items one event adds (a merge: delete + up to 3 creates + a source delete). */
const MOST_ITEMS_PER_EVENT = 5;

interface Variant {
  readonly name: string;
  readonly env?: Record<string, string>;
  /** Faults set before the connector starts. */
  readonly before: (s1: Sims["s1"]) => void;
  /** Faults set once SentinelOne holds some IOCs. */
  readonly during?: (s1: Sims["s1"]) => void;
  /** Runs alongside the connector (e.g. ends a storm). */
  readonly alongside?: (s1: Sims["s1"]) => Promise<void>;
  /** Checks on the simulator's counters at the end. */
  readonly check?: (stats: ReturnType<Sims["s1"]["stats"]>, elapsedMs: number) => void;
}

/**
 * One request every 3 s, no burst: batched rounds (deletes by uuid included) are few, and each must meet the storm
 * (the connector's waits are capped at retry_max_delay = 1 s, so every round after the first meets 429s).
 */
const storm = (config: Omit<RateLimitConfig, "requestsPerMinute" | "burst">): RateLimitConfig => ({
  requestsPerMinute: 20,
  burst: 1,
  ...config,
});

/** A storm ends after this many 429s (each costs the connector about a second). */
const STORM_429S = sized(3, 40);

/** Lifts the rate limit once the storm has produced its 429s. */
async function endStorm(s1: Sims["s1"]): Promise<void> {
  await waitFor(() => s1.stats().rateLimited >= STORM_429S, `${STORM_429S} answers 429`, budget(60_000, 300_000));
  s1.setRateLimit(null);
}

/** No hot loop: every 429 is followed by a wait (Retry-After, else backoff capped at retry_max_delay = 1 s). */
function politeAfter429(stats: { rateLimited: number }, elapsedMs: number): void {
  expect(stats.rateLimited).toBeGreaterThan(0);
  expect(stats.rateLimited).toBeLessThanOrEqual(Math.ceil(elapsedMs / 1000) * 6 + 10);
}

const variants: Variant[] = [
  {
    name: "503 then 502 (nginx HTML / JSON)",
    before: (s1) => s1.failNext(sized(4, 40), 503),
    during: (s1) => s1.failNext(sized(3, 30), 502, "json"),
    check: (stats) => expect((stats.byStatus[503] ?? 0) + (stats.byStatus[502] ?? 0)).toBeGreaterThan(0),
  },
  {
    name: "timeouts (held requests, 1 s request timeout)",
    env: { SENTINELONE_INTEL_REQUEST_TIMEOUT: "1" },
    // All armed before the start: a second wave armed after 20 IOCs could miss a short feed already delivered.
    before: (s1) => s1.hangNext(sized(3, 12)),
    check: (stats) => expect(stats.hung).toBeGreaterThanOrEqual(sized(3, 12)),
  },
  {
    name: "429 storm, no Retry-After, nginx HTML",
    before: (s1) => s1.setRateLimit(storm({ retryAfter: "none", body: "html" })),
    alongside: endStorm,
    check: politeAfter429,
  },
  {
    name: "429 storm, Retry-After seconds, JSON",
    before: (s1) => s1.setRateLimit(storm({ retryAfter: "seconds", body: "json" })),
    alongside: endStorm,
    check: politeAfter429,
  },
  {
    name: "429 storm, Retry-After HTTP date, nginx HTML",
    before: (s1) => s1.setRateLimit(storm({ retryAfter: "http-date", body: "html" })),
    alongside: endStorm,
    check: politeAfter429,
  },
];

describe("3. SentinelOne outage", () => {
  it.for(variants)(
    "$name: nothing lost, no crash, memory bounded",
    { timeout: budget(120_000, 600_000) },
    async (variant, { task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:outage:${variant.name}`;
      const sims = await startSims();
      const { octi, s1 } = sims;
      const steps = generateFeed({ count: sized(80, 1500), seed });
      const feed = publishFeed(octi, steps);
      const minEventBytes = Math.min(...steps.map((s) => JSON.stringify(s.event).length));
      // One socket read (64 KiB) may deliver this many events after the gate closed.
      const readSlack = Math.ceil(65_536 / minEventBytes);
      variant.before(s1);
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: {
          ...REPLAY_HISTORY,
          CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
          SENTINELONE_INTEL_MAX_PENDING_IOCS: String(MAX_PENDING),
          SENTINELONE_INTEL_BATCH_SIZE: "20",
          ...variant.env,
        },
      });
      const connectorId = env.CONNECTOR_ID!;
      const connector = await startInProcess(`outage ${variant.name}`, env);
      global.gc?.();
      const heapAtStart = process.memoryUsage().heapUsed;
      let maxInFlight = 0;
      let maxPending = 0;
      let maxHeap = heapAtStart;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          maxInFlight = Math.max(maxInFlight, await connector.inFlight());
          maxPending = Math.max(maxPending, connector.pending());
          maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
          await sleep(10);
        }
      })();
      const alongside = variant.alongside?.(s1);
      if (variant.during) {
        await waitFor(() => s1.iocCount() >= 20 || connector.ended(), "some IOCs before the second wave", 60_000);
        variant.during(s1);
      }
      try {
        await waitUntilDelivered(octi, connectorId, feed.lastId, variant.name, budget(90_000, 400_000));
        await alongside;
      } finally {
        sampling = false;
        await sampler;
      }
      expect(connector.ended(), "the connector stopped by itself").toBe(false);
      const elapsed = Date.now() - startedAt;
      variant.check?.(s1.stats(), elapsed);
      const result = await connector.run.stop("test end");
      expect(result.exitCode).toBe(0);
      const report = compare(feed, s1);
      const stats = s1.stats();
      recordRow(
        task,
        rowFrom(
          `3 outage: ${variant.name}`,
          steps.length,
          report,
          0,
          startedAt,
          `max in-flight ${maxInFlight}/${MAX_IN_FLIGHT}(+${readSlack}), max queued ${maxPending}/${MAX_PENDING}, heap +${Math.round((maxHeap - heapAtStart) / 1048576)} MB; S1 ${stats.requests} req, ${JSON.stringify(stats.byStatus)}, hung ${stats.hung}`,
        ),
      );
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicates, "no crash, so no replay, so no duplicate").toBe(0);
      expect(maxInFlight).toBeLessThanOrEqual(MAX_IN_FLIGHT + readSlack);
      expect(maxPending).toBeLessThanOrEqual(MAX_PENDING + MOST_ITEMS_PER_EVENT);
      // Coarse: the backlog is held by TCP, not in memory (a full feed in memory would be many times this).
      expect(maxHeap - heapAtStart).toBeLessThan(256 * 1024 * 1024);
    },
  );
});
