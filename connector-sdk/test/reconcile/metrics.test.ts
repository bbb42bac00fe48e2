import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/metrics/metrics.js";
import { metricByLabel, reconcileMetrics } from "../../src/reconcile/index.js";
import { startProgress } from "../../src/runtime/progress.js";

const logger = { debug: () => {}, info: () => {}, warning: () => {}, error: () => {}, child: () => logger };

describe("reconcile metrics", () => {
  it("one set per registry; the last run's drift replaces the previous one; runs counted by trigger", async () => {
    const metrics = createMetrics({ namespace: "octi", subsystem: "" });
    const m = reconcileMetrics(metrics);
    expect(reconcileMetrics(metrics)).toBe(m);
    m.record("command", { missing: 3, orphans: 2, duplicates: 0, stale: 1 }, 1500, 1_700_000_000_000);
    m.record("sweep", { orphans: 5 }, 200, 1_700_000_100_000);
    expect(await metricByLabel(metrics.registry, "reconcile_drift", "category")).toEqual({ orphans: 5 });
    expect(await metricByLabel(metrics.registry, "reconcile_runs_total", "trigger")).toEqual({ command: 1, sweep: 1 });
    const text = await metrics.registry.metrics();
    expect(text).toContain("octi_reconcile_last_run_timestamp_seconds 1700000100");
    expect(text).toContain("octi_reconcile_last_run_duration_seconds 0.2");
    // The connector's periodic progress line shows them.
    const progress = startProgress({ logger, metrics, intervalSeconds: 0, position: () => undefined });
    expect((await progress.line()).message).toContain("reconciliations 2");
  });
});
