/** The summary a reconciliation prints at its end: a plain-text table per section (categories, requests). */
import type { Registry } from "prom-client";
import { type DiffCounts, DRIFT_CATEGORIES } from "./keyed-diff.js";

/** Columns padded to their widest cell (numbers right-aligned), a rule under the header. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^[\d.,]*$/.test(r[c] ?? "")));
  const line = (r: readonly string[]) =>
    `  ${widths.map((w, c) => (numeric[c] ? (r[c] ?? "").padStart(w) : (r[c] ?? "").padEnd(w))).join("  ")}`.trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

/**
 * The category rows of a diff: in sync, then each repair category with its count and repair; `details` adds words
 * after a category's repair (e.g. which fields are stale).
 */
export function driftRows(
  counts: Pick<DiffCounts<string>, "inSync" | "missing" | "orphans" | "duplicates" | "stale">,
  details: Partial<Record<(typeof DRIFT_CATEGORIES)[number]["name"], string>> = {},
): string[][] {
  return [
    ["in sync", String(counts.inSync), "-"],
    ...DRIFT_CATEGORIES.map(({ name, repair }) => {
      const detail = details[name];
      return [name, String(counts[name]), detail ? `${repair} (${detail})` : repair];
    }),
  ];
}

/** `field n, field m` for the fields with a non-zero count. */
export function nonZero(byName: Readonly<Record<string, number>>): string {
  return Object.entries(byName)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
}

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/**
 * A counter's values summed by one label, read from a run's registry (`name` without the run's prefixes), e.g.
 * the sink's `sink_requests_total` by `kind` for the summary's requests table.
 */
export async function metricByLabel(registry: Registry, name: string, label: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name || m.name.endsWith(`_${name}`));
  const by: Record<string, number> = {};
  for (const v of metric?.values ?? []) {
    const key = String(v.labels[label] ?? "");
    by[key] = (by[key] ?? 0) + v.value;
  }
  return by;
}
