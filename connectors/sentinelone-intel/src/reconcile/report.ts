/** The drift report as text (a summary table) and as JSON (`--json`), with a few examples of each category. */

import { driftRows, formatDuration, nonZero, renderTable } from "@octi/connector-sdk";
import { type DriftPlan, samplesOf } from "./diff.js";
import type { ReconcileReport } from "./run.js";

export function reportJson(report: ReconcileReport, plan: DriftPlan): string {
  return `${JSON.stringify({ ...report, samples: samplesOf(plan) }, null, 2)}\n`;
}

export function reportText(report: ReconcileReport): string {
  const c = report.counts;
  const rows = driftRows(c, { stale: nonZero(c.staleByField) });
  rows.push(["other sources", String(c.otherSources), "never touched"]);
  if (c.withoutUuid > 0) rows.push(["without uuid", String(c.withoutUuid), "cannot be addressed; left alone"]);
  const table = renderTable(["category", "count", "repair"], rows);
  const skipped = nonZero(c.skipped);
  const scope = Object.entries(report.scope)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const lines = [
    `Reconciliation (${report.mode === "apply" ? "apply" : "dry run"}) of source "${report.source}" in ${scope || "the token's scope"}, OpenCTI as of ${report.recoverUntil}`,
    "",
    `OpenCTI:     ${c.indicators} indicators (${c.otherObjects} other objects) -> ${c.expectedIocs} expected IOCs` +
      (skipped ? `; not mapped: ${skipped}` : ""),
    `SentinelOne: ${c.listed} IOCs listed (${c.ours} of our source) in ${report.sentinelone.pages} pages, ` +
      `${report.sentinelone.rateLimited} requests rate-limited (429)`,
    "",
    ...table,
    "",
    ...renderTable(["requests", "count"], requestRows(report.sentinelone.requests)),
    "",
    `Duration: ${formatDuration(report.durationMs)}`,
    report.inSync
      ? "In sync: nothing to repair."
      : report.repair
        ? `Repaired: ${report.repair.created} IOCs created, ${report.repair.deleted} deleted` + "."
        : "Drift found. Nothing was changed (dry run): run with --apply to repair.",
  ];
  return `${lines.join("\n")}\n`;
}

/** Requests by kind, in the order they happen, with a total. */
function requestRows(byKind: Readonly<Record<string, number>>): string[][] {
  const order = ["list", "delete_key", "delete_ids", "create"];
  const kinds = Object.keys(byKind).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const total = kinds.reduce((n, k) => n + (byKind[k] ?? 0), 0);
  return [...kinds.map((k) => [k.replace("_", " by "), String(byKind[k])]), ["total", String(total)]];
}
