/**
 * `SENTINELONE_INTEL_RECONCILE_INTERVAL` (issue 12): in-process, while the connector runs, SentinelOne tampered in the
 * console (IOCs removed, duplicated, given another validUntil, orphans of our source, IOCs of another source) is
 * repaired by the next scheduled reconciliation: the index rebuilt from a full listing, the recovery snapshot read
 * again, orphans swept; the other source's IOCs untouched; live events still delivered.
 */
import { createEvent } from "@octi/connector-sdk-testing";
import { describe, expect, it } from "vitest";
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

describe("scheduled reconciliation", () => {
  it(
    "repairs console drift in-process: removed, duplicated, changed validUntil, orphans; other source untouched",
    async ({ task }) => {
      const startedAt = Date.now();
      const seed = `${SEED}:scheduled`;
      const count = sized(1000, 10_000);
      const sims = await startSims({ idleHeartbeatsAdvance: true });
      const { octi, s1 } = sims;
      const env = await connectorEnv({
        octiUrl: octi.url,
        s1Url: s1.url,
        extra: {
          SENTINELONE_INTEL_BATCH_SIZE: "2000",
          SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "250",
          SENTINELONE_INTEL_MAX_PENDING_IOCS: "20000",
          SENTINELONE_INTEL_RECONCILE_INTERVAL: "0.002", // 7.2 s
        },
      });
      const connectorId = env.CONNECTOR_ID!;
      const validUntil = Date.now() + 10 * DAY_MS;
      const indicators = Array.from({ length: count + 1 }, (_, i) => ipIndicator(i, seed, { validUntil }));
      const step = (i: number) => ({
        event: createEvent(indicators[i]!),
        changes: [{ externalId: indicators[i]!.id, iocs: [{ type: "IPV4" as const, value: ipValue(i) }] }],
        label: "create",
      });
      let feed = publishFeed(
        octi,
        indicators.slice(0, count).map((_, i) => step(i)),
      );
      const run = await startInProcess("scheduled reconcile", env);
      await waitUntilDelivered(octi, connectorId, feed.lastId, "first sync", budget(60_000, 300_000));

      // Console drift while the connector runs.
      const soon = new Date(Date.now() + 3 * DAY_MS).toISOString();
      let removed = 0;
      for (let i = 0; i < count; i++) {
        const externalId = indicators[i]!.id;
        if (i % 20 < 2) removed += s1.console.remove({ externalId }).length;
        else if (i % 20 === 2) s1.console.duplicate({ externalId });
        else if (i % 20 === 3) s1.console.edit({ externalId }, { validUntil: soon });
      }
      const orphan = (n: number, source: string) => ({
        type: "IPV4",
        value: `203.0.${n >> 8}.${n & 255}`,
        method: "EQUALS",
        source,
        externalId: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
      });
      s1.console.add(Array.from({ length: 50 }, (_, n) => orphan(n, OUR_SOURCE)));
      s1.console.add(Array.from({ length: 50 }, (_, n) => orphan(n + 100, "Another feed")));
      const sweeps = () => run.logs.lines().filter((l) => l.message.startsWith("Sweep over"));
      const sweepsBefore = sweeps().length;
      const before = s1.stats().requests;
      // A live event meanwhile.
      feed = publishFeed(octi, [step(count)], feed);

      const sweptAfterDrift = () => sweeps().slice(sweepsBefore);
      await waitFor(() => sweptAfterDrift().length > 0, "a sweep after the drift", budget(60_000, 300_000));
      await waitUntilDelivered(octi, connectorId, feed.lastId, "after the sweep", budget(60_000, 300_000));
      await waitFor(() => run.pending() === 0, "queue empty", 30_000);
      const report = compare(feed, s1);
      const stale = s1
        .iocs()
        .filter((r) => r.source === OUR_SOURCE && Math.abs(Date.parse(String(r.validUntil)) - validUntil) > 1000);
      const others = s1.iocs().filter((r) => r.source === "Another feed");
      recordRow(
        task,
        rowFrom(
          `scheduled reconcile: ${count} synced, ${removed} removed, 5 % duplicated, 5 % validUntil, 50+50 orphans`,
          feed.ids.length,
          report,
          0,
          startedAt,
          `requests from the drift to repaired ${s1.stats().requests - before}; sweep ${JSON.stringify(sweptAfterDrift()[0]?.attributes)}; seed ${seed}`,
        ),
      );
      expect(run.logs.count("Reading the stream again from scratch")).toBeGreaterThan(0);
      expect(report.lost, describeReport(report)).toEqual([]);
      expect(report.duplicated, describeReport(report)).toEqual([]);
      expect(
        report.unexpected.filter((u) => u.source !== "Another feed"),
        describeReport(report),
      ).toEqual([]);
      expect(stale.map((r) => r.value)).toEqual([]);
      expect(others).toHaveLength(50);
      expect(s1.iocs().filter((r) => r.source === OUR_SOURCE)).toHaveLength(count + 1);
      expect(run.ended()).toBe(false);
    },
    budget(180_000, 900_000),
  );
});
