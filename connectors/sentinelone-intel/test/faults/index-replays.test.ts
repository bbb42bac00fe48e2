/**
 * The target index under faults (issue 11): SIGKILLs during a first run with the state never saved in between
 * (every restart replays everything), churn under SentinelOne's 30 requests per minute, an index file removed
 * between two runs, and IOCs removed in the console behind the connector's back.
 */
import { rmSync } from "node:fs";
import { createEvent, type PublishedEvent, type StixIndicator, updateEvent } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
import type { FeedStep } from "./feed.js";
import { generateFeed, prng } from "./feed.js";
import {
  budget,
  ConnectorProcess,
  compare,
  connectorEnv,
  ensureBuilt,
  publishFeed,
  REPLAY_HISTORY,
  recordRow,
  rowFrom,
  SEED,
  sized,
  startInProcess,
  startSims,
  storedAtOrAfter,
  useScenarioHooks,
  waitFor,
  waitUntilDelivered,
} from "./harness.js";
import { DAY_MS, ipIndicator, ipValue } from "./ip-indicators.js";
import { describeReport } from "./oracle.js";

useScenarioHooks();

/** A step of the oracle: the indicator keeps its one IPv4 IOC, or has none. */
function step(event: PublishedEvent, indicator: StixIndicator, i: number, live: boolean): FeedStep {
  return {
    event,
    changes: [{ externalId: indicator.id, iocs: live ? [{ type: "IPV4", value: ipValue(i) }] : [] }],
    label: event.event,
  };
}

/** Requests SentinelOne received, by method. */
function byMethod(requests: readonly { method: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) counts[r.method] = (counts[r.method] ?? 0) + 1;
  return counts;
}

describe("the target index", () => {
  it(
    "SIGKILLed three times during a first run whose state is never saved: 0 lost, 0 left behind, 0 duplicates",
    async ({ task }) => {
      const startedAt = Date.now();
      await ensureBuilt();
      const seed = `${SEED}:index-crash`;
      const sims = await startSims({ s1: { latencyMs: 10 } });
      const { octi, s1 } = sims;
      const steps = generateFeed({ count: sized(1500, 20_000), seed, createShare: 0.9 });
      const feed = publishFeed(octi, steps);
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: {
          ...REPLAY_HISTORY,
          // No state saved between the kills: each restart replays the whole feed (the worst case).
          CONNECTOR_STATE_PING_INTERVAL: "3600",
          SENTINELONE_INTEL_BATCH_SIZE: "200",
          SENTINELONE_INTEL_MAX_PENDING_IOCS: "400",
        },
      });
      const connectorId = env.CONNECTOR_ID!;
      const random = prng(`${seed}:kills`);
      const kills: number[] = [];
      for (let k = 0; k < 3; k++) {
        const proc = new ConnectorProcess(`index crash run ${k + 1}`, env);
        // Kill once SentinelOne holds a growing share of the feed, a few requests into this run.
        const target = Math.floor(((k + 1) / 4) * feed.expected.indicators * (0.6 + 0.3 * random()));
        await waitFor(
          () => s1.iocCount() >= target || proc.exit !== undefined,
          () =>
            `${target} IOCs in SentinelOne (run ${k + 1}, ${s1.iocCount()} so far); stderr:\n${proc.stderr.slice(-3000)}`,
          budget(60_000, 300_000),
          2,
        );
        expect(proc.exit, `run ${k + 1} ended by itself: ${proc.stderr.slice(-2000)}`).toBeUndefined();
        proc.kill("SIGKILL");
        await proc.exited;
        kills.push(s1.iocCount());
      }
      const last = new ConnectorProcess("index crash final run", { ...env, CONNECTOR_STATE_PING_INTERVAL: "1" });
      await waitUntilDelivered(octi, connectorId, feed.lastId, "final run", budget(90_000, 600_000));
      last.kill("SIGTERM");
      expect((await last.exited).code, last.stderr.slice(-2000)).toBe(0);
      expect(storedAtOrAfter(octi, connectorId, feed.lastId)).toBe(true);

      const report = compare(feed, s1);
      const requests = byMethod(s1.requests);
      recordRow(
        task,
        rowFrom(
          "index: 3 SIGKILLs, no state saved",
          steps.length,
          report,
          0,
          startedAt,
          `IOCs at the kills ${kills.join(",")}; requests ${JSON.stringify(requests)}; seed ${seed}`,
        ),
      );
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicated, describeReport(report)).toEqual([]);
    },
    budget(180_000, 900_000),
  );

  it(
    "churn at 30 requests per minute: creates, two score updates each, a third revoked, a third extended",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:churn`;
      const count = sized(900, 10_000);
      const sims = await startSims({
        s1: { rateLimit: { requestsPerMinute: 30, retryAfter: "none", body: "html" } },
      });
      const { octi, s1 } = sims;
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        // The connector's defaults (the harness shrinks batches for other scenarios), paced at 30 per minute.
        extra: {
          SENTINELONE_INTEL_BATCH_SIZE: "2000",
          SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "250",
          SENTINELONE_INTEL_MAX_PENDING_IOCS: "20000",
          SENTINELONE_INTEL_REQUESTS_PER_MINUTE: "30",
        },
      });
      const connectorId = env.CONNECTOR_ID!;
      const run = await startInProcess("churn", env);
      await waitFor(() => run.logs.count("Starting to listen stream events") > 0, "streaming");

      const validUntil = Date.now() + 10 * DAY_MS;
      const later = Date.now() + 20 * DAY_MS;
      const v1 = Array.from({ length: count }, (_, i) => ipIndicator(i, seed, { validUntil }));
      const creates = publishFeed(
        octi,
        v1.map((ind, i) => step(createEvent(ind), ind, i, true)),
      );
      await waitUntilDelivered(octi, connectorId, creates.lastId, "creates", budget(120_000, 300_000));
      const createdAt = Date.now();
      const requestsAfterCreates = s1.stats().requests;

      // Two decay-style score updates each, after the creates landed; then a third revoked, a third extended.
      const v2 = v1.map((_, i) => ipIndicator(i, seed, { validUntil, score: 40 }));
      const v3 = v1.map((_, i) => ipIndicator(i, seed, { validUntil, score: 30 }));
      const v4 = v1.map((_, i) =>
        i % 3 === 0
          ? ipIndicator(i, seed, { validUntil, score: 30, revoked: true })
          : i % 3 === 1
            ? ipIndicator(i, seed, { validUntil: later, score: 30 })
            : v3[i]!,
      );
      let feed = publishFeed(
        octi,
        v1.map((ind, i) => step(updateEvent(ind, v2[i]!), ind, i, true)),
        creates,
      );
      feed = publishFeed(
        octi,
        v2.map((ind, i) => step(updateEvent(ind, v3[i]!), ind, i, true)),
        feed,
      );
      feed = publishFeed(
        octi,
        v3.flatMap((ind, i) => (i % 3 === 2 ? [] : [step(updateEvent(ind, v4[i]!), ind, i, i % 3 !== 0)])),
        feed,
      );
      await waitUntilDelivered(octi, connectorId, feed.lastId, "churn", budget(240_000, 600_000));
      const settledMs = Date.now() - createdAt;

      const report = compare(feed, s1);
      const stats = s1.stats();
      const churnRequests = stats.requests - requestsAfterCreates;
      const requests = byMethod(s1.requests);
      // Every live IOC carries its indicator's current validUntil and score.
      const stale = s1.iocs().filter((r) => {
        const i = Number(r.value.split(".").reduce((n, part) => n * 256 + Number(part), 0) & 0xffffff);
        const wanted = i % 3 === 1 ? later : validUntil;
        return Math.abs(Date.parse(String(r.validUntil)) - wanted) > 1000 || r.originalRiskScore !== 30;
      });
      recordRow(
        task,
        rowFrom(
          `index: churn ${count} at 30 req/min`,
          feed.ids.length,
          report,
          0,
          startedAt,
          `all requests ${stats.requests} ${JSON.stringify(requests)}, 429s ${stats.rateLimited}; churn ${churnRequests} requests, settled ${settledMs} ms after the creates; seed ${seed}`,
        ),
      );
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicates).toBe(0);
      expect(stale.map((r) => r.value)).toEqual([]);
      // The bound for 10,000 indicators (creates included); batches make it hold for any size here.
      expect(stats.requests).toBeLessThanOrEqual(80);
      expect(stats.rateLimited).toBe(0);
    },
    budget(300_000, 900_000),
  );

  it(
    "an index removed between two runs is rebuilt from SentinelOne's listing; revocations then go by uuid",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:rebuild`;
      const count = sized(2500, 100_000);
      // SentinelOne's 30 requests per minute; the connector paces itself to it (no 429).
      const sims = await startSims({ s1: { rateLimit: { requestsPerMinute: 30, retryAfter: "none", body: "html" } } });
      const { octi, s1 } = sims;
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: {
          SENTINELONE_INTEL_BATCH_SIZE: "5000",
          SENTINELONE_INTEL_MAX_PENDING_IOCS: "20000",
          // A window long enough to gather the revocations the stream delivers during the rebuild.
          SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "1000",
          CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT: "20000",
          SENTINELONE_INTEL_REQUESTS_PER_MINUTE: "30",
        },
      });
      const connectorId = env.CONNECTOR_ID!;
      const v1 = Array.from({ length: count }, (_, i) => ipIndicator(i, seed, {}));
      const creates = publishFeed(
        octi,
        v1.map((ind, i) => step(createEvent(ind), ind, i, true)),
      );
      const first = await startInProcess("rebuild run 1", env);
      await waitUntilDelivered(octi, connectorId, creates.lastId, "creates", budget(60_000, 600_000));
      await first.run.stop("first run done");
      rmSync(env.SENTINELONE_INTEL_DATA_DIR!, { recursive: true, force: true });

      const revoked = Math.min(count, 5000);
      const feed = publishFeed(
        octi,
        v1.slice(0, revoked).map((ind, i) => step(updateEvent(ind, { ...ind, revoked: true }), ind, i, false)),
        creates,
      );
      const before = s1.requests.length;
      const secondAt = Date.now();
      const second = await startInProcess("rebuild run 2", env);
      await waitUntilDelivered(octi, connectorId, feed.lastId, "revocations", budget(60_000, 600_000));
      const secondMs = Date.now() - secondAt;
      const requests = byMethod(s1.requests.slice(before));
      const progress = second.logs.lines().filter((l) => l.message === "Rebuilding the target index from SentinelOne");
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          "index: removed, rebuilt, revocations by uuid",
          feed.ids.length,
          report,
          0,
          startedAt,
          `run 2 requests ${JSON.stringify(requests)} in ${secondMs} ms, 429s ${s1.stats().rateLimited}; ${progress.length} progress lines; seed ${seed}`,
        ),
      );
      expect(second.logs.count("Target index is empty or incomplete: rebuilding it from SentinelOne")).toBe(1);
      expect(progress.at(-1)?.attributes).toMatchObject({ records_listed: count, index_records: count });
      expect(requests.GET).toBe(Math.ceil(count / 1000));
      expect(requests.DELETE).toBe(1);
      expect(requests.POST ?? 0).toBe(0);
      expect(s1.stats().rateLimited).toBe(0);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicates).toBe(0);
    },
    budget(120_000, 900_000),
  );

  it(
    "SIGKILLed three times during churn (score updates, revocations, extensions): 0 lost, 0 left behind, 0 duplicates",
    async ({ task }) => {
      const startedAt = Date.now();
      await ensureBuilt();
      const seed = `${SEED}:churn-kills`;
      const count = sized(1500, 10_000);
      const sims = await startSims({ s1: { latencyMs: 20 } });
      const { octi, s1 } = sims;
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: {
          ...REPLAY_HISTORY,
          SENTINELONE_INTEL_BATCH_SIZE: "300",
          SENTINELONE_INTEL_MAX_PENDING_IOCS: "600",
        },
      });
      const connectorId = env.CONNECTOR_ID!;
      const validUntil = Date.now() + 10 * DAY_MS;
      const v1 = Array.from({ length: count }, (_, i) => ipIndicator(i, seed, { validUntil }));
      const creates = publishFeed(
        octi,
        v1.map((ind, i) => step(createEvent(ind), ind, i, true)),
      );
      const first = new ConnectorProcess("churn kills: creates", { ...env, CONNECTOR_STATE_PING_INTERVAL: "1" });
      await waitUntilDelivered(octi, connectorId, creates.lastId, "creates", budget(60_000, 300_000));
      first.kill("SIGTERM");
      expect((await first.exited).code, first.stderr.slice(-2000)).toBe(0);

      const v2 = v1.map((_, i) => ipIndicator(i, seed, { validUntil, score: 40 }));
      const v3 = v1.map((_, i) =>
        i % 3 === 0
          ? ipIndicator(i, seed, { validUntil, score: 40, revoked: true })
          : i % 3 === 1
            ? ipIndicator(i, seed, { validUntil: validUntil + DAY_MS, score: 40 })
            : ipIndicator(i, seed, { validUntil, score: 30 }),
      );
      let feed = publishFeed(
        octi,
        v1.map((ind, i) => step(updateEvent(ind, v2[i]!), ind, i, true)),
        creates,
      );
      feed = publishFeed(
        octi,
        v2.map((ind, i) => step(updateEvent(ind, v3[i]!), ind, i, i % 3 !== 0)),
        feed,
      );
      const random = prng(`${seed}:kills`);
      const requestsBefore = s1.stats().requests;
      const killedAt: number[] = [];
      for (let k = 0; k < 3; k++) {
        const proc = new ConnectorProcess(`churn kills: run ${k + 1}`, {
          ...env,
          CONNECTOR_STATE_PING_INTERVAL: "3600",
        });
        const target = s1.stats().requests + 2 + Math.floor(random() * 3);
        await waitFor(
          () => s1.stats().requests >= target || proc.exit !== undefined,
          () => `SentinelOne request #${target} (run ${k + 1}); stderr:\n${proc.stderr.slice(-3000)}`,
          budget(60_000, 300_000),
          2,
        );
        expect(proc.exit, `run ${k + 1} ended by itself: ${proc.stderr.slice(-2000)}`).toBeUndefined();
        proc.kill("SIGKILL");
        await proc.exited;
        killedAt.push(s1.stats().requests - requestsBefore);
      }
      const last = new ConnectorProcess("churn kills: final run", { ...env, CONNECTOR_STATE_PING_INTERVAL: "1" });
      await waitUntilDelivered(octi, connectorId, feed.lastId, "final run", budget(90_000, 600_000));
      last.kill("SIGTERM");
      expect((await last.exited).code, last.stderr.slice(-2000)).toBe(0);
      const report = compare(feed, s1);
      const stale = s1.iocs().filter((r) => {
        const i = Number(r.value.split(".").reduce((n, part) => n * 256 + Number(part), 0) & 0xffffff);
        const wanted = i % 3 === 1 ? validUntil + DAY_MS : validUntil;
        return Math.abs(Date.parse(String(r.validUntil)) - wanted) > 1000;
      });
      recordRow(
        task,
        rowFrom(
          "index: 3 SIGKILLs during churn",
          feed.ids.length,
          report,
          0,
          startedAt,
          `kills after churn request ${killedAt.join(",")}; churn requests ${s1.stats().requests - requestsBefore}; seed ${seed}`,
        ),
      );
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(report.duplicated, describeReport(report)).toEqual([]);
      expect(stale.map((r) => r.value)).toEqual([]);
    },
    budget(180_000, 900_000),
  );

  it(
    "IOCs removed in the console behind its back do not break a batched delete",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:console`;
      const count = sized(300, 3000);
      const sims = await startSims();
      const { octi, s1 } = sims;
      // Partial batches wait for the stream to pause (the runner's flush), not the harness's 20 ms: the revocations
      // then share DELETEs whatever the machine's speed (at 20 ms, how many go depends on how fast events arrive).
      const extra = { SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "5000" };
      const env = await connectorEnv({ octiUrl: octi.url, s1Url: s1.url, extra });
      const connectorId = env.CONNECTOR_ID!;
      const v1 = Array.from({ length: count }, (_, i) => ipIndicator(i, seed, {}));
      const creates = publishFeed(
        octi,
        v1.map((ind, i) => step(createEvent(ind), ind, i, true)),
      );
      const run = await startInProcess("console", env);
      await waitUntilDelivered(octi, connectorId, creates.lastId, "creates", budget(60_000, 300_000));

      // Someone removes a third of the IOCs in the console.
      const gone = s1
        .iocs()
        .filter((_, i) => i % 3 === 0)
        .map((r) => r.uuid);
      expect(s1.console.remove({ uuids: gone })).toHaveLength(gone.length);
      expect(s1.iocCount()).toBe(count - gone.length);

      const before = s1.requests.length;
      const feed = publishFeed(
        octi,
        v1.map((ind, i) => step(updateEvent(ind, { ...ind, revoked: true }), ind, i, false)),
        creates,
      );
      await waitUntilDelivered(octi, connectorId, feed.lastId, "revocations", budget(60_000, 300_000));
      const requests = byMethod(s1.requests.slice(before));
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          "index: console removed a third, then all revoked",
          feed.ids.length,
          report,
          0,
          startedAt,
          `requests after the removal ${JSON.stringify(requests)}; seed ${seed}`,
        ),
      );
      expect(s1.iocCount()).toBe(0);
      expect(requests.DELETE).toBeLessThanOrEqual(Math.ceil(count / 5000) + 1);
      expect(run.logs.count(/refused/)).toBe(0);
      expect(run.ended()).toBe(false);
      expect(report.unexpected, describeReport(report)).toEqual([]);
    },
    budget(60_000, 300_000),
  );
});
