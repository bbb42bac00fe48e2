/** The demo's end-of-run summary: plain-text tables, no colours (it must read the same in CI logs). */
import type { DemoResult } from "./demo-result.js";
import { formatDuration } from "./progress.js";

type Row = readonly [string, string | number];

const fmt = (value: string | number): string => (typeof value === "number" ? value.toLocaleString("en-US") : value);

/** Width of the first column of every summary table, so that they line up. */
const LABEL_WIDTH = 40;

/** Two columns, the second right-aligned; a `total` row when asked. */
export function renderTable(
  title: string,
  rows: readonly Row[],
  options: { total?: boolean; empty?: string; labelWidth?: number } = {},
): string {
  const body: Row[] = rows.length > 0 ? [...rows] : [[options.empty ?? "(none)", ""]];
  if (options.total && rows.length > 0) {
    body.push(["total", rows.reduce((sum, [, v]) => sum + (typeof v === "number" ? v : 0), 0)]);
  }
  const left = Math.max(options.labelWidth ?? LABEL_WIDTH, title.length, ...body.map(([k]) => k.length));
  const right = Math.max(1, ...body.map(([, v]) => fmt(v).length));
  const rule = `${"-".repeat(left + 2)}+${"-".repeat(right + 2)}`;
  const lines = [title, rule];
  body.forEach(([k, v], index) => {
    if (options.total && index === body.length - 1 && rows.length > 0) lines.push(rule);
    lines.push(` ${k.padEnd(left)} | ${fmt(v).padStart(right)}`);
  });
  return lines.join("\n");
}

const sortedRows = (record: Readonly<Record<string, number>>): Row[] =>
  Object.entries(record)
    .filter(([, v]) => v > 0)
    .sort(([a], [b]) => a.localeCompare(b));

export function renderSummary(result: DemoResult): string {
  const out: string[] = [];
  const c = result.comparison;
  out.push(
    `SentinelOne Intel demo: ${result.feed.indicators.toLocaleString("en-US")} indicators, ` +
      `${result.feed.steps.toLocaleString("en-US")} stream events, ${formatDuration(result.elapsedMs)}`,
  );
  // Counted as the "Events received" table counts: by SSE event name.
  const { byEvent, revocations, malformed } = result.feed.events;
  const known = ["create", "update", "merge", "delete"];
  const names = [
    ...known,
    ...Object.keys(byEvent)
      .filter((e) => !known.includes(e))
      .sort(),
  ];
  out.push(
    `Feed: ${names
      .filter((event) => (byEvent[event] ?? 0) > 0 || known.includes(event))
      .map((event) => `${fmt(byEvent[event] ?? 0)} ${event}`)
      .join(
        ", ",
      )}; of these, ${fmt(revocations)} updates revoke an indicator and ${fmt(malformed)} events are malformed`,
  );
  out.push("");
  if (result.connector) {
    out.push("Connector as the simulated OpenCTI lists it");
    out.push(`  id     ${result.connector.id}`);
    out.push(`  name   ${result.connector.name}`);
    out.push(`  active ${result.connector.active === undefined ? "?" : String(result.connector.active)}`);
    out.push(`  state  ${result.connector.state ?? "(none)"}`);
  } else {
    out.push("Connector: not registered in the simulated OpenCTI");
  }
  out.push("");
  out.push(renderTable("Events received (by type)", sortedRows(result.eventsReceived), { total: true }));
  out.push("");
  out.push(renderTable("IOCs created (by SentinelOne type)", sortedRows(result.iocsCreated), { total: true }));
  out.push("");
  out.push(renderTable("IOCs removed (by SentinelOne type)", sortedRows(result.iocsRemoved), { total: true }));
  out.push(
    `  (SentinelOne reported ${result.deletedReported.toLocaleString("en-US")} IOCs deleted by the connector's requests)`,
  );
  out.push("");
  out.push(renderTable("Indicators skipped (by reason)", sortedRows(result.skipped), { total: true }));
  out.push("");
  out.push(
    renderTable("Other outcomes", [
      ["malformed events (logged, skipped)", result.malformed],
      ["handler errors", result.handlerErrors],
      ["dead-lettered IOCs", result.deadLettered],
    ]),
  );
  out.push("");
  out.push(
    renderTable(
      "SentinelOne requests (by HTTP status)",
      Object.entries(result.requests.byStatus)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([status, n]) => [status === "0" ? "no answer" : status, n] as const),
      { total: true },
    ),
  );
  out.push("");
  out.push(
    renderTable("Elapsed", [
      ["until every event was handled", formatDuration(result.handledMs)],
      ["total, with start-up and graceful stop", formatDuration(result.elapsedMs)],
    ]),
  );
  out.push("");
  out.push(
    result.removedWorkDir
      ? "Connector log: removed with the demo's temporary folder (npm run demo -- --keep keeps it)"
      : `Connector log: ${result.logFile}`,
  );
  out.push("");
  if (result.ok) {
    out.push(`RESULT: OK. SentinelOne holds exactly the ${c.expected.toLocaleString("en-US")} expected IOCs.`);
  } else {
    out.push(
      `RESULT: FAILED. expected ${c.expected}, SentinelOne holds ${c.actual}: ` +
        `${c.missing.length} missing, ${c.unexpected.length} unexpected` +
        (result.problems.length > 0 ? `; ${result.problems.join("; ")}` : ""),
    );
    for (const ioc of c.missing.slice(0, 5)) out.push(`  missing    ${ioc.type} ${ioc.value} (${ioc.externalId})`);
    for (const ioc of c.unexpected.slice(0, 5)) out.push(`  unexpected ${ioc.type} ${ioc.value} (${ioc.externalId})`);
  }
  return `${out.join("\n")}\n`;
}
