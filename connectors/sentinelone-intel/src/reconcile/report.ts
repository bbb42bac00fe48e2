/** The drift report as text (a summary table) and as JSON (`--json`), with a few examples of each category. */
import type { DriftPlan } from "./diff.js";
import { STALE_FIELDS } from "./fields.js";
import type { ReconcileReport } from "./run.js";

/** Examples per category in the JSON report (the full lists are only needed to repair). */
export const SAMPLE_SIZE = 20;

export function reportJson(report: ReconcileReport, plan: DriftPlan): string {
  const samples = {
    missing: plan.missing.slice(0, SAMPLE_SIZE),
    orphanUuids: plan.orphanUuids.slice(0, SAMPLE_SIZE),
    duplicateUuids: plan.duplicateUuids.slice(0, SAMPLE_SIZE),
    stale: plan.stale.slice(0, SAMPLE_SIZE),
  };
  return `${JSON.stringify({ ...report, samples }, null, 2)}\n`;
}

export function reportText(report: ReconcileReport): string {
  const c = report.counts;
  const staleDetail = STALE_FIELDS.filter((f) => c.staleByField[f] > 0)
    .map((f) => `${f} ${c.staleByField[f]}`)
    .join(", ");
  const rows: [string, string, string][] = [
    ["category", "count", "repair"],
    ["in sync", String(c.inSync), "-"],
    ["missing", String(c.missing), "create"],
    ["orphans", String(c.orphans), "delete by uuid"],
    ["duplicates", String(c.duplicates), "delete by uuid"],
    ["stale", String(c.stale), `replace${staleDetail ? ` (${staleDetail})` : ""}`],
    ["other sources", String(c.otherSources), "never touched"],
  ];
  if (c.withoutUuid > 0) rows.push(["without uuid", String(c.withoutUuid), "cannot be addressed; left alone"]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const table = rows.map(([a, b, d]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${d}`.trimEnd());
  table.splice(1, 0, `  ${"-".repeat(w0)}  ${"-".repeat(w1)}  ------`);
  const skipped = Object.entries(c.skipped)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  const scope = Object.entries(report.scope)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const lines = [
    `Reconciliation (${report.mode === "apply" ? "apply" : "dry run"}) of source "${report.source}" in ${scope || "the token's scope"}, OpenCTI as of ${report.recoverUntil}`,
    "",
    `OpenCTI:     ${c.indicators} indicators (${c.otherObjects} other objects) -> ${c.expectedIocs} expected IOCs` +
      (skipped ? `; not mapped: ${skipped}` : ""),
    `SentinelOne: ${c.listed} IOCs listed (${c.ours} of our source) in ${report.sentinelone.pages} pages, ` +
      `${report.sentinelone.requests} requests, ${report.sentinelone.rateLimited} rate-limited`,
    "",
    ...table,
    "",
    report.inSync
      ? "In sync: nothing to repair."
      : report.repair
        ? `Repaired: ${report.repair.created} IOCs created, ${report.repair.deleted} deleted` +
          (report.repair.vanished > 0
            ? ` (${report.repair.vanished} changed in OpenCTI meanwhile: left to the live stream)`
            : "") +
          "."
        : "Drift found. Nothing was changed (dry run): run with --apply to repair.",
  ];
  return `${lines.join("\n")}\n`;
}
