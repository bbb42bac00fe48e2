/**
 * The end-of-run table of the fault suite: one row per scenario (events, lost, duplicates, unexpected, crashes,
 * time). Tests attach rows to `task.meta.faults`; `faults/table-reporter.ts` prints them all at the end of `npm run test:faults`.
 * No dependency on the connector, so the reporter can load it cheaply.
 */

export interface FaultRow {
  readonly scenario: string;
  readonly events: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly unexpected: number;
  /** Unplanned connector exits (fatal errors, crashes); injected kills are in `notes`. */
  readonly crashes: number;
  readonly timeMs: number;
  readonly notes?: string;
}

export function formatTable(rows: readonly FaultRow[], maxNotes = 160): string {
  const header = ["scenario", "events", "lost", "duplicates", "unexpected", "crashes", "time", "notes"];
  const body = rows.map((r) => [
    r.scenario,
    String(r.events),
    String(r.lost),
    String(r.duplicates),
    String(r.unexpected),
    String(r.crashes),
    `${(r.timeMs / 1000).toFixed(1)} s`,
    (r.notes ?? "").length > maxNotes ? `${(r.notes ?? "").slice(0, maxNotes - 1)}…` : (r.notes ?? ""),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}
