/**
 * Reconciliation's Prometheus metrics (names get the run's CONNECTOR_METRICS_NAMESPACE / _SUBSYSTEM prefixes): one
 * set per run's registry, shared by the sink queue's sweep (a start without state, a scheduled reconciliation) and
 * a reconcile command. The drift gauges hold the last run's counts, so an alert can fire on drift that keeps coming
 * back.
 */
import type { Counter, Gauge } from "prom-client";
import type { Metrics } from "../metrics/types.js";
import { reportInProgress } from "../runtime/progress.js";
import { DRIFT_CATEGORIES } from "./keyed-diff.js";

export type DriftCategory = (typeof DRIFT_CATEGORIES)[number]["name"];

/** How a reconciliation ran: a sweep at the end of a full snapshot (in the connector), or a command. */
export type ReconcileTrigger = "sweep" | "command";

const created = new WeakMap<Metrics, ReconcileMetrics>();

export class ReconcileMetrics {
  /** `reconcile_runs_total{trigger}` */
  readonly runs: Counter<"trigger">;
  /** `reconcile_drift{category}`: what the last run found (a sweep knows only its orphans). */
  readonly drift: Gauge<"category">;
  /** `reconcile_last_run_timestamp_seconds` */
  readonly lastRun: Gauge;
  /** `reconcile_last_run_duration_seconds` */
  readonly lastDuration: Gauge;

  constructor(metrics: Metrics) {
    this.runs = metrics.counter("reconcile_runs_total", "Reconciliations finished, by trigger", ["trigger"]);
    this.drift = metrics.gauge("reconcile_drift", "Drift found by the last reconciliation, by category", ["category"]);
    this.lastRun = metrics.gauge("reconcile_last_run_timestamp_seconds", "When the last reconciliation finished");
    this.lastDuration = metrics.gauge("reconcile_last_run_duration_seconds", "How long the last reconciliation took");
    reportInProgress(metrics, { key: "reconciliations", label: "reconciliations", metric: this.runs });
  }

  /** One reconciliation finished; categories not given are unknown to it and keep no stale value. */
  record(
    trigger: ReconcileTrigger,
    found: Partial<Record<DriftCategory, number>>,
    durationMs: number,
    now = Date.now(),
  ): void {
    this.runs.inc({ trigger });
    this.drift.reset();
    for (const { name } of DRIFT_CATEGORIES) {
      const n = found[name];
      if (n !== undefined) this.drift.set({ category: name }, n);
    }
    this.lastRun.set(Math.floor(now / 1000));
    this.lastDuration.set(durationMs / 1000);
  }
}

/** The run's reconcile metrics, created once per registry (the sink queue and a command may both ask). */
export function reconcileMetrics(metrics: Metrics): ReconcileMetrics {
  let existing = created.get(metrics);
  if (existing === undefined) {
    existing = new ReconcileMetrics(metrics);
    created.set(metrics, existing);
  }
  return existing;
}
