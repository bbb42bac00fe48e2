/** A reconciliation's report as text (summary tables) and as JSON (`--json`), in the connector's words. */
import type { ReconcileReport } from "./run.js";
import type { ReconcileNames } from "./spec.js";
import { driftRows, formatDuration, nonZero, renderTable } from "./summary.js";

const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();

/** JSON keys in the connector's words: `expectedIocs`, `withoutUuid`, `orphanUuids`, `sentinelone`, `uuid`. */
export function reportJson(report: ReconcileReport, names: ReconcileNames): string {
  const { counts, target, samples, ...rest } = report;
  const { expectedItems, withoutId, ...otherCounts } = counts;
  const Id = capital(names.id);
  const json = {
    ...rest,
    counts: { ...otherCounts, [`expected${capital(names.items)}`]: expectedItems, [`without${Id}`]: withoutId },
    [names.target.toLowerCase()]: target,
    samples: {
      missing: samples.missing,
      [`orphan${Id}s`]: samples.orphanIds,
      [`duplicate${Id}s`]: samples.duplicateIds,
      stale: samples.stale.map(({ id, ...s }) => ({ ...s, [names.id]: id })),
    },
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

export function reportText(report: ReconcileReport, names: ReconcileNames): string {
  const c = report.counts;
  const rows = driftRows(c, { stale: nonZero(c.staleByField) });
  rows.push(["other sources", String(c.otherSources), "never touched"]);
  if (c.withoutId > 0) rows.push([`without ${names.id}`, String(c.withoutId), "cannot be addressed; left alone"]);
  const skipped = nonZero(c.skipped);
  const scope = Object.entries(report.scope)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
  const t = report.target;
  const lines = [
    `Reconciliation (${report.mode === "apply" ? "apply" : "dry run"}) of source "${report.source}" in ${scope || "the token's scope"}, OpenCTI as of ${report.recoverUntil}`,
    "",
    `OpenCTI:     ${c.indicators} indicators (${c.otherObjects} other objects) -> ${c.expectedItems} expected ${names.items}` +
      (skipped ? `; not mapped: ${skipped}` : ""),
    `${`${names.target}:`.padEnd(12)} ${c.listed} ${names.items} listed (${c.ours} of our source) in ${t.pages} pages, ` +
      `${t.rateLimited} requests rate-limited (429)`,
    "",
    ...renderTable(["category", "count", "repair"], rows),
    "",
    ...renderTable(["requests", "count"], requestRows(t.requests)),
    "",
    `Duration: ${formatDuration(report.durationMs)}`,
    report.inSync
      ? "In sync: nothing to repair."
      : report.repair
        ? `Repaired: ${report.repair.created} ${names.items} created, ${report.repair.deleted} deleted.`
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
