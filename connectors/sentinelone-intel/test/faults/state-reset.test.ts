/**
 * A state reset in OpenCTI (the UI's "reset state"; issue 12): the running connector restarts its stream from
 * `0-0` with `recover=<now>` and OpenCTI replays its recovery snapshot (every indicator, current version, as
 * `create`). The target index already holds each IOC with the same fingerprint: nothing is posted again.
 * Issue 12's target: 20,000 indicators synced, 0 new duplicates, ≤ 60 SentinelOne requests.
 */
import { createEvent, deleteEvent, updateEvent } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
import type { FeedStep } from "./feed.js";
import {
  budget,
  compare,
  connectorEnv,
  OUR_SOURCE,
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
import { DAY_MS, ipIndicator, ipValue } from "./ip-indicators.js";
import { describeReport } from "./oracle.js";

useScenarioHooks();

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
      const v1 = Array.from({ length: count }, (_, i) => ipIndicator(i, seed, { validUntil }));
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
        v1
          .slice(0, updated)
          .map((ind, i) => step(updateEvent(ind, ipIndicator(i, seed, { validUntil, score: 40 })), i)),
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

  it(
    "a start without state is a reconciliation: what the snapshot did not want is removed, other sources untouched",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:state-reset-orphans`;
      const count = sized(2000, 20_000);
      const sims = await startSims({
        s1: { rateLimit: { requestsPerMinute: 30, retryAfter: "none", body: "html" } },
      });
      const { octi, s1 } = sims;
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: {
          SENTINELONE_INTEL_BATCH_SIZE: "2000",
          SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "250",
          SENTINELONE_INTEL_MAX_PENDING_IOCS: "20000",
          SENTINELONE_INTEL_REQUESTS_PER_MINUTE: "30",
        },
      });
      const connectorId = env.CONNECTOR_ID!;
      const validUntil = Date.now() + 10 * DAY_MS;
      const v1 = Array.from({ length: count + 1 }, (_, i) => ipIndicator(i, seed, { validUntil }));
      const iocs = (i: number, live: boolean) => [
        { externalId: v1[i]!.id, iocs: live ? [{ type: "IPV4" as const, value: ipValue(i) }] : [] },
      ];
      let feed = publishFeed(
        octi,
        v1.slice(0, count).map((ind, i) => ({ event: createEvent(ind), changes: iocs(i, true), label: "create" })),
      );
      const first = await startInProcess("reconcile on reset: first run", env);
      await waitUntilDelivered(octi, connectorId, feed.lastId, "first sync", budget(120_000, 600_000));
      await first.run.stop("first run done");

      // While the connector is down: a tenth deleted in OpenCTI, 1 % duplicated and 50 orphans of our source added
      // in the console, 50 IOCs of another source; then the state is reset in the UI.
      const deleted = Math.floor(count / 10);
      feed = publishFeed(
        octi,
        v1.slice(0, deleted).map((ind, i) => ({ event: deleteEvent(ind), changes: iocs(i, false), label: "delete" })),
        feed,
      );
      for (let i = deleted; i < deleted + count / 100; i++) s1.console.duplicate({ externalId: v1[i]!.id });
      const orphan = (n: number, source: string) => ({
        type: "IPV4",
        value: `203.0.${n >> 8}.${n & 255}`,
        method: "EQUALS",
        source,
        externalId: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
      });
      s1.console.add(Array.from({ length: 50 }, (_, n) => orphan(n, OUR_SOURCE)));
      s1.console.add(Array.from({ length: 50 }, (_, n) => orphan(n + 100, "Another feed")));
      octi.resetState(connectorId);

      const before = s1.stats().requests;
      const second = await startInProcess("reconcile on reset: second run", env);
      await waitFor(() => second.logs.count("Starting to listen stream events") > 0, "streaming");
      // A live event ends the snapshot (an idle OpenCTI would send a heartbeat past the recover date instead).
      feed = publishFeed(octi, [{ event: createEvent(v1[count]!), changes: iocs(count, true), label: "create" }], feed);
      await waitUntilDelivered(octi, connectorId, feed.lastId, "snapshot and live event", budget(120_000, 600_000));
      const requests = s1.stats().requests - before;
      const report = compare(feed, s1);
      const others = s1.iocs().filter((r) => r.source === "Another feed");
      const sweep = second.logs.lines().find((l) => l.message.startsWith("Sweep over"));
      recordRow(
        task,
        rowFrom(
          `start without state: ${deleted} deleted while down, 50 orphans, ${count / 100} duplicated`,
          feed.ids.length,
          report,
          0,
          startedAt,
          `second run: ${requests} requests; sweep ${JSON.stringify(sweep?.attributes)}; seed ${seed}`,
        ),
      );
      expect(
        second.logs.count("Connector state was reset in OpenCTI while the connector was stopped: started from scratch"),
      ).toBe(1);
      expect(sweep?.attributes).toMatchObject({ orphan_keys: deleted + 50 });
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.duplicated, describeReport(report)).toEqual([]);
      expect(
        report.unexpected.filter((u) => u.source !== "Another feed"),
        describeReport(report),
      ).toEqual([]);
      expect(others).toHaveLength(50);
      expect(s1.iocs().filter((r) => r.source === OUR_SOURCE)).toHaveLength(count - deleted + 1);
      expect(requests).toBeLessThanOrEqual(60);
      expect(s1.stats().rateLimited).toBe(0);
    },
    budget(300_000, 1_200_000),
  );
});
