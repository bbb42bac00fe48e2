/**
 * A state reset in OpenCTI (the UI's "reset state"; issue 12): the running connector restarts its stream from
 * `0-0` with `recover=<now>` and OpenCTI replays its recovery snapshot (every indicator, current version, as
 * `create`). The target index already holds each IOC with the same fingerprint: nothing is posted again.
 * Issue 12's target: 20,000 indicators synced, 0 new duplicates, ≤ 60 SentinelOne requests.
 */
import { createEvent, makeIndicator, updateEvent } from "@octi/connector-sdk/testing";
import { describe, expect, it } from "vitest";
import type { FeedStep } from "./feed.js";
import {
  budget,
  compare,
  connectorEnv,
  publishFeed,
  recordRow,
  rowFrom,
  SEED,
  sized,
  startInProcess,
  startSims,
  useScenarioHooks,
  waitFor,
  waitUntilDelivered,
} from "./harness.js";
import { describeReport } from "./oracle.js";

useScenarioHooks();

const DAY_MS = 86_400_000;

function ipValue(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function ipIndicator(i: number, seed: string, validUntil: number, score = 50) {
  const now = new Date(Date.UTC(2026, 0, 1));
  return makeIndicator({
    pattern: `[ipv4-addr:value = '${ipValue(i)}']`,
    seed: `${seed}:${i}`,
    now,
    validFrom: now,
    score,
    validUntil: new Date(validUntil),
  });
}

describe("a state reset in OpenCTI", () => {
  it(
    "replays the recovery snapshot without posting anything SentinelOne already holds",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:state-reset`;
      const count = sized(3000, 20_000);
      const sims = await startSims({
        s1: { rateLimit: { requestsPerMinute: 30, retryAfter: "none", body: "html" } },
      });
      const { octi, s1 } = sims;
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        // The connector's defaults, paced at SentinelOne's 30 requests per minute.
        extra: {
          SENTINELONE_INTEL_BATCH_SIZE: "2000",
          SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "250",
          SENTINELONE_INTEL_MAX_PENDING_IOCS: "20000",
          SENTINELONE_INTEL_REQUESTS_PER_MINUTE: "30",
        },
      });
      const connectorId = env.CONNECTOR_ID!;
      const validUntil = Date.now() + 10 * DAY_MS;
      const v1 = Array.from({ length: count }, (_, i) => ipIndicator(i, seed, validUntil));
      const step = (event: FeedStep["event"], i: number): FeedStep => ({
        event,
        changes: [{ externalId: v1[i]!.id, iocs: [{ type: "IPV4", value: ipValue(i) }] }],
        label: event.event,
      });
      let feed = publishFeed(
        octi,
        v1.map((ind, i) => step(createEvent(ind), i)),
      );
      // A tenth updated once: the snapshot then carries their second version (the one SentinelOne holds).
      const updated = Math.floor(count / 10);
      feed = publishFeed(
        octi,
        v1.slice(0, updated).map((ind, i) => step(updateEvent(ind, ipIndicator(i, seed, validUntil, 40)), i)),
        feed,
      );
      const run = await startInProcess("state reset", env);
      await waitUntilDelivered(octi, connectorId, feed.lastId, "first sync", budget(120_000, 600_000));
      expect(s1.iocCount()).toBe(count);
      const before = s1.stats().requests;
      const createdBefore = s1.stats().iocsCreated;

      const resetAt = Date.now();
      octi.resetState(connectorId);
      await waitFor(() => run.logs.count("Connector state has been remotely reset") > 0, "the reset seen", 20_000);
      await waitUntilDelivered(octi, connectorId, feed.lastId, "recovery snapshot", budget(120_000, 600_000));
      const resetMs = Date.now() - resetAt;
      const stats = s1.stats();
      const requests = stats.requests - before;
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          `state reset with ${count} synced`,
          feed.ids.length,
          report,
          0,
          startedAt,
          `after the reset: ${requests} requests, ${stats.iocsCreated - createdBefore} IOCs created, ${resetMs} ms; seed ${seed}`,
        ),
      );
      expect(run.ended()).toBe(false);
      expect(report.duplicated, describeReport(report)).toEqual([]);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(stats.iocsCreated - createdBefore).toBe(0);
      expect(requests).toBeLessThanOrEqual(60);
      expect(stats.rateLimited).toBe(0);
    },
    budget(300_000, 1_200_000),
  );
});
