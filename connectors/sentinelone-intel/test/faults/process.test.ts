/**
 * Scenarios 1 and 2: the connector as a real process (`node dist/main.js`), killed with SIGKILL at random points of
 * a backfill and restarted, or stopped with SIGTERM under load. Both simulators run in this test process.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compareStreamIds } from "@octi/connector-sdk";
import { describe, expect, it } from "vitest";
import { feedCounts, generateFeed, prng } from "./feed.js";
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
  startSims,
  storedAtOrAfter,
  storedStartFrom,
  useScenarioHooks,
  waitFor,
  waitUntilDelivered,
} from "./harness.js";
import { describeReport } from "./oracle.js";

useScenarioHooks();

/** Events up to and including `id` (feed ids are in stream order). */
function indexOf(ids: readonly string[], id: string | undefined): number {
  if (id === undefined) return -1;
  let lo = 0;
  let hi = ids.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compareStreamIds(ids[mid]!, id) <= 0) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

describe("the connector process", () => {
  it(
    "1. crash: SIGKILLed at random points of a backfill and restarted, loses nothing",
    async ({ task }) => {
      const startedAt = Date.now();
      await ensureBuilt();
      const seed = `${SEED}:crash`;
      const sims = await startSims({ s1: { latencyMs: 15 } });
      const { octi, s1 } = sims;
      const steps = generateFeed({ count: sized(500, 4000), seed });
      const feed = publishFeed(octi, steps);
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: {
          ...REPLAY_HISTORY,
          SENTINELONE_INTEL_BATCH_SIZE: "40",
          CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT: "300",
          SENTINELONE_INTEL_MAX_PENDING_IOCS: "200",
        },
      });
      const connectorId = env.CONNECTOR_ID!;
      const random = prng(`${seed}:kills`);
      const kills = sized(3, 6);
      /** Per kill: the index of the last event whose state OpenCTI stored (the restart resumes after it). */
      const committedAtKill: number[] = [];
      let unplanned = 0;
      for (let k = 0; k < kills; k++) {
        const proc = new ConnectorProcess(`crash run ${k + 1}`, env);
        const done = () => proc.exit !== undefined || storedAtOrAfter(octi, connectorId, feed.lastId);
        // Spread the kills over the backfill: first let OpenCTI store a position past this run's share…
        const goal = Math.floor(((k + 0.2 + 0.6 * random()) / kills) * 0.9 * feed.ids.length);
        await waitFor(
          () => indexOf(feed.ids, storedStartFrom(octi, connectorId)) >= goal || done(),
          () => {
            if (process.env.FAULTS_DEBUG_DIR)
              writeFileSync(join(process.env.FAULTS_DEBUG_DIR, `crash-run-${k + 1}.log`), proc.stderr);
            return `stored position past event ${goal} (run ${k + 1}); its stderr:\n${proc.stderr.slice(-3000)}`;
          },
          budget(60_000, 300_000),
          5,
        );
        // …then kill it a random number of SentinelOne requests later, wherever that falls between two pings.
        const target = s1.stats().requests + 1 + Math.floor(random() * 20);
        await waitFor(() => s1.stats().requests >= target || done(), `SentinelOne request #${target}`, 60_000, 2);
        if (proc.exit !== undefined) unplanned++;
        proc.kill("SIGKILL");
        const exit = await proc.exited;
        expect(
          exit.signal === "SIGKILL" || exit.code === 0,
          `run ${k + 1} ended by itself: ${proc.stderr.slice(-2000)}`,
        ).toBe(true);
        committedAtKill.push(indexOf(feed.ids, storedStartFrom(octi, connectorId)));
        if (storedAtOrAfter(octi, connectorId, feed.lastId)) break;
      }
      const last = new ConnectorProcess("crash final run", env);
      await waitFor(
        () => last.lines().some((l) => l.message === "Starting to listen stream events"),
        "final run streaming",
      );
      await waitUntilDelivered(octi, connectorId, feed.lastId, "final run", budget(60_000, 300_000));
      last.kill("SIGTERM");
      const exit = await last.exited;
      expect(exit.code, last.stderr.slice(-2000)).toBe(0);

      const report = compare(feed, s1);
      // A duplicate is allowed only for an IOC whose last push was replayed: its event lies after the position
      // OpenCTI had stored when some kill happened (the unacknowledged window plus one ping interval).
      const unexplained = report.duplicated.filter((d) => {
        const touched = feed.lastTouch.get(d.externalId) ?? -1;
        const replays = committedAtKill.filter((committed) => committed < touched).length;
        return d.copies - 1 > replays;
      });
      const windows = committedAtKill.map((c) => feed.ids.length - 1 - c);
      recordRow(
        task,
        rowFrom(
          "1 crash (SIGKILL x restart)",
          steps.length,
          report,
          unplanned,
          startedAt,
          `${committedAtKill.length} kills at events ${committedAtKill.map((c) => c + 1).join(",")}; ${JSON.stringify(feedCounts(steps))}; seed ${seed}`,
        ),
      );
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
      expect(unexplained, `duplicates outside the replayed windows (${windows.join(", ")})`).toEqual([]);
      expect(unplanned).toBe(0);
    },
    budget(120_000, 600_000),
  );

  it(
    "2. graceful stop: SIGTERM under load exits 0 promptly with the final state pushed; the restart loses nothing",
    async ({ task }) => {
      const startedAt = Date.now();
      await ensureBuilt();
      const seed = `${SEED}:sigterm`;
      const sims = await startSims({ s1: { latencyMs: 20 } });
      const { octi, s1 } = sims;
      const steps = generateFeed({ count: sized(300, 3000), seed });
      const feed = publishFeed(octi, steps);
      const shutdownTimeout = sized(3, 10);
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: {
          ...REPLAY_HISTORY,
          CONNECTOR_SHUTDOWN_TIMEOUT: String(shutdownTimeout),
          CONNECTOR_STATE_PING_INTERVAL: "60",
          // Small windows, so a stop leaves work for the next run.
          CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT: "50",
          SENTINELONE_INTEL_MAX_PENDING_IOCS: "50",
        },
      });
      const connectorId = env.CONNECTOR_ID!;

      // (a) under load: SentinelOne answers slowly, requests are in flight. Batches carry whole windows of
      // indicators now (deletes by uuid too), so three requests (the start-up listing and two batches) are early.
      const first = new ConnectorProcess("sigterm run 1", env);
      await waitFor(
        () => s1.stats().requests >= 3,
        () => {
          if (process.env.FAULTS_DEBUG_DIR)
            writeFileSync(join(process.env.FAULTS_DEBUG_DIR, "sigterm-run-1.log"), first.stderr);
          return `3 SentinelOne requests (${s1.stats().requests} so far); stderr:\n${first.stderr.slice(-3000)}`;
        },
        60_000,
        5,
      );
      const pingsBefore = octi.connector(connectorId)?.pingCount ?? 0;
      const termAt = Date.now();
      first.kill("SIGTERM");
      const exit = await first.exited;
      expect(exit.code, first.stderr.slice(-2000)).toBe(0);
      const stopMs = exit.at - termAt;
      expect(stopMs, "exit within the shutdown timeout (plus start-up slack)").toBeLessThan(
        shutdownTimeout * 1000 + 5000,
      );
      // The final state was pushed on the way out (the ping interval is 60 s, so only the shutdown ping explains it).
      const stopped = first.lines().find((l) => l.message === "Connector stopped");
      const finalState = (stopped?.attributes?.state as { start_from?: string } | undefined)?.start_from;
      expect(finalState).toBeDefined();
      expect(octi.connector(connectorId)!.pingCount).toBeGreaterThan(pingsBefore);
      expect(storedStartFrom(octi, connectorId)).toBe(finalState);
      const before = compare(feed, s1);
      expect(storedAtOrAfter(octi, connectorId, feed.lastId), "the first stop left work for the next runs").toBe(false);

      // (b) SentinelOne stops answering: the drain cannot finish, the stop must still honour its deadline.
      // One held request is enough: the queue sends one request at a time and the timeout outlasts the drain.
      const second = new ConnectorProcess("sigterm run 2 (SentinelOne hanging)", {
        ...env,
        SENTINELONE_INTEL_REQUEST_TIMEOUT: String(shutdownTimeout * 3),
      });
      s1.hangNext(1);
      await waitFor(() => s1.stats().hung >= 1, "a held SentinelOne request", 30_000);
      const termAt2 = Date.now();
      second.kill("SIGTERM");
      const exit2 = await second.exited;
      expect(exit2.code, second.stderr.slice(-2000)).toBe(0);
      expect(exit2.at - termAt2).toBeLessThan(shutdownTimeout * 1000 + 5000);
      const stopped2 = second.lines().find((l) => l.message === "Connector stopped");
      expect(storedStartFrom(octi, connectorId)).toBe(
        (stopped2?.attributes?.state as { start_from?: string } | undefined)?.start_from,
      );

      const secondAt = Date.now();
      // (c) the restart finishes the work.
      const third = new ConnectorProcess("sigterm run 3", { ...env, CONNECTOR_STATE_PING_INTERVAL: "1" });
      await waitFor(
        () => third.lines().some((l) => l.message === "Starting to listen stream events"),
        "run 3 streaming",
      );
      await waitUntilDelivered(octi, connectorId, feed.lastId, "restart", budget(60_000, 300_000));
      third.kill("SIGTERM");
      expect((await third.exited).code).toBe(0);
      const report = compare(feed, s1);
      recordRow(
        task,
        rowFrom(
          "2 graceful stop (SIGTERM x2)",
          steps.length,
          report,
          0,
          startedAt,
          `stops took ${stopMs} ms, ${exit2.at - termAt2} ms with SentinelOne hanging; ${before.actual} IOCs at the first stop; last run ${Date.now() - secondAt} ms; seed ${seed}`,
        ),
      );
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.unexpected, describeReport(report)).toEqual([]);
    },
    budget(120_000, 600_000),
  );
});
