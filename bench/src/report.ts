/** The targets of issue 6, checked against the figures, and the printed table / Markdown. */

import type { ChurnRun, PhaseRequests } from "./churn.js";
import { round } from "./measure.js";
import type { ReconcileRun, ReconcileStep } from "./reconcile.js";
import type { BenchResults, TargetCheck } from "./results.js";

export type { TargetCheck } from "./results.js";

export const TARGETS = {
  backfillEventsPerSecond: 20_000,
  baselineRatio: 1_000,
  iocsPerRequest: 100,
  liveP99Ms: 500,
  liveRate: 500,
  peakRssMB: 150,
  /** Issue 11: churn of 10,000 indicators at 30 requests/minute settles in ≤ 150 s with ≤ 80 requests. */
  churnSize: 10_000,
  churnRpm: 30,
  churnSettleSeconds: 150,
  churnRequests: 80,
  /** Issue 12: 100,000 IOCs against 100,000 indicators at 30 requests/minute, within the listing's time plus the changes. */
  reconcileSize: 100_000,
  reconcileRpm: 30,
  reconcileRssMB: 150,
  /** Start-up and the end of the snapshot's second pass, beyond the dry run's time and the writes at the pace. */
  reconcileSlackSeconds: 10,
} as const;

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n)
    ? "–"
    : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function evaluateTargets(results: BenchResults): TargetCheck[] {
  const { backfill, baseline, live, rateLimited, memory } = results.sections;
  const checks: TargetCheck[] = [];
  checks.push({
    id: "backfill-throughput",
    description: "backfill, end to end",
    target: `≥ ${fmt(TARGETS.backfillEventsPerSecond)} events/s`,
    measured: backfill ? `${fmt(backfill.eventsPerSecond)} events/s (${fmt(backfill.events)} events)` : "not run",
    pass: backfill ? backfill.eventsPerSecond >= TARGETS.backfillEventsPerSecond && backfill.lost === 0 : null,
  });
  const ratio = backfill && baseline ? backfill.eventsPerSecond / baseline.eventsPerSecond : undefined;
  checks.push({
    id: "backfill-vs-baseline",
    description: "backfill ÷ baseline (batch 1 + 200 ms per push), same run",
    target: `≥ ${fmt(TARGETS.baselineRatio)}×`,
    measured:
      ratio !== undefined
        ? `${fmt(ratio)}× (${fmt(backfill!.eventsPerSecond)} vs ${fmt(baseline!.eventsPerSecond, 2)} events/s)`
        : "not run",
    pass: ratio !== undefined ? ratio >= TARGETS.baselineRatio : null,
  });
  checks.push({
    id: "iocs-per-request",
    description: "IOCs per create request, backfill",
    target: `≥ ${TARGETS.iocsPerRequest}`,
    measured: backfill ? `${fmt(backfill.iocsPerRequest, 1)} (${fmt(backfill.requests)} requests)` : "not run",
    pass: backfill ? backfill.iocsPerRequest >= TARGETS.iocsPerRequest : null,
  });
  const atTargetRate = live !== undefined && live.rate >= TARGETS.liveRate;
  checks.push({
    id: "live-p99",
    description: `live latency p99 at ${TARGETS.liveRate} events/s`,
    target: `≤ ${TARGETS.liveP99Ms} ms`,
    measured: live
      ? `${fmt(live.latencyMs.p99, 1)} ms at ${fmt(live.rate)} events/s for ${live.seconds} s, ${live.lost} lost`
      : "not run",
    pass: live ? (atTargetRate ? live.latencyMs.p99 <= TARGETS.liveP99Ms && live.lost === 0 : null) : null,
  });
  checks.push({
    id: "rate-limited",
    description: "rate-limited sync: time and IOCs lost",
    target: rateLimited
      ? `≤ ${fmt(rateLimited.targetSeconds, 1)} s (2 × ${fmt(rateLimited.events)} / ${rateLimited.batchSize} / ${rateLimited.rateLimitRpm} min), 0 lost`
      : "≤ 2 × (N / batch size / 30) min, 0 lost",
    measured: rateLimited
      ? `${fmt(rateLimited.wallSeconds, 1)} s, ${rateLimited.lost} lost, ${rateLimited.rateLimited} × 429`
      : "not run",
    pass: rateLimited ? rateLimited.wallSeconds <= rateLimited.targetSeconds && rateLimited.lost === 0 : null,
  });
  const churnRun = results.sections.churn?.plain;
  const atTargetSize =
    churnRun !== undefined && churnRun.size === TARGETS.churnSize && churnRun.rpm === TARGETS.churnRpm;
  checks.push({
    id: "churn-settle",
    description: `churn of ${fmt(TARGETS.churnSize)} at ${TARGETS.churnRpm} requests/min: time to settle, requests`,
    target: `≤ ${TARGETS.churnSettleSeconds} s, ≤ ${TARGETS.churnRequests} requests`,
    measured: churnRun ? churnMeasured(churnRun) : "not run",
    pass:
      churnRun && atTargetSize
        ? churnRun.settled &&
          (churnRun.settleSeconds ?? Number.POSITIVE_INFINITY) <= TARGETS.churnSettleSeconds &&
          churnRun.churnRequests.total <= TARGETS.churnRequests
        : null,
  });
  const killed = results.sections.churn?.withKills;
  checks.push({
    id: "churn-kills",
    description: "churn with SIGKILLs of the connector: lost, left behind, duplicates",
    target: "settles; 0 lost, 0 left behind, 0 duplicates",
    measured: killed ? `${killed.kills.length} kills; ${churnMeasured(killed)}` : "not run",
    pass: killed ? killed.settled : null,
  });
  const reconcile = results.sections.reconcile;
  checks.push({
    id: "reconcile-repair",
    description: "npm run reconcile: dry run, --apply, dry run (issue 12's drift)",
    target: "exit 3 / 0 / 0; counts as seeded; SentinelOne then equal to the expected set",
    measured: reconcile ? reconcileRepairMeasured(reconcile) : "not run",
    pass: reconcile ? reconcileRepaired(reconcile) : null,
  });
  const atReconcileSize =
    reconcile !== undefined && reconcile.size === TARGETS.reconcileSize && reconcile.rpm === TARGETS.reconcileRpm;
  const apply = reconcile?.steps.find((s) => s.name === "apply");
  const limit = reconcile ? reconcileTimeLimit(reconcile) : undefined;
  const peak = reconcile ? Math.max(...reconcile.steps.map((s) => s.peakRssMB)) : undefined;
  checks.push({
    id: "reconcile-scale",
    description: `reconcile ${fmt(TARGETS.reconcileSize)} vs ${fmt(TARGETS.reconcileSize)} at ${TARGETS.reconcileRpm} requests/min: --apply's time, peak RSS`,
    target: `≤ the dry run's time + the writes at the pace + ${TARGETS.reconcileSlackSeconds} s; ≤ ${TARGETS.reconcileRssMB} MB`,
    measured:
      reconcile && apply
        ? `${fmt(reconcile.size)} at ${reconcile.rpm}/min: --apply ${fmt(apply.seconds, 1)} s (limit ${fmt(limit, 1)} s), ${fmt(apply.requests.total)} requests; peak RSS ${reconcile.steps.map((s) => fmt(s.peakRssMB, 1)).join(" / ")} MB`
        : "not run",
    pass:
      reconcile && apply && atReconcileSize && limit !== undefined && peak !== undefined
        ? apply.seconds <= limit && peak <= TARGETS.reconcileRssMB
        : null,
  });
  const runs = memory?.runs ?? [];
  const peaks = runs.map((r) => r.connector?.peakRssMB ?? Number.NaN);
  const maxPeak = peaks.length > 0 ? Math.max(...peaks) : undefined;
  checks.push({
    id: "peak-rss",
    description: "connector peak RSS at every backfill size",
    target: `≤ ${TARGETS.peakRssMB} MB`,
    measured:
      runs.length > 0
        ? runs.map((r) => `${fmt(r.events)}: ${fmt(r.connector?.peakRssMB, 1)} MB`).join(", ")
        : "not run",
    pass: maxPeak !== undefined && !Number.isNaN(maxPeak) ? maxPeak <= TARGETS.peakRssMB : null,
  });
  return checks;
}

/** The dry run's time (snapshot + listing) plus the apply's writes at the pace, plus the slack. */
function reconcileTimeLimit(r: ReconcileRun): number | undefined {
  const dry = r.steps.find((s) => s.name === "dry run");
  const apply = r.steps.find((s) => s.name === "apply");
  if (!dry || !apply) return undefined;
  const writes = (apply.requests.byMethod.POST?.requests ?? 0) + (apply.requests.byMethod.DELETE?.requests ?? 0);
  return dry.seconds + (writes * 60) / r.rpm + TARGETS.reconcileSlackSeconds;
}

function reconcileRepaired(r: ReconcileRun): boolean {
  const [dry, apply, after] = r.steps;
  const c = dry?.counts;
  const seeded = r.seeded;
  return (
    dry?.exitCode === 3 &&
    apply?.exitCode === 0 &&
    after?.exitCode === 0 &&
    c !== undefined &&
    c.missing === seeded.missing &&
    c.duplicates === seeded.duplicates &&
    c.stale === seeded.stale &&
    c.orphans === seeded.orphans &&
    c.otherSources === seeded.otherSource &&
    after?.counts?.inSync === seeded.expected &&
    r.final.equal
  );
}

function reconcileRepairMeasured(r: ReconcileRun): string {
  const exits = r.steps.map((s) => s.exitCode ?? s.exit).join(" / ");
  const c = r.steps[0]?.counts;
  const counts = c
    ? `missing ${fmt(c.missing)}, orphans ${fmt(c.orphans)}, duplicates ${fmt(c.duplicates)}, stale ${fmt(c.stale)}, other source ${fmt(c.otherSources)}`
    : "no report";
  const f = r.final;
  return `exit ${exits}; ${counts}; after: ${fmt(f.ours)} ours (${fmt(r.seeded.expected)} expected), ${fmt(f.duplicates)} duplicates, ${fmt(f.stale)} stale, ${fmt(f.otherSource)} of the other source`;
}

function reconcileRows(rows: string[][], r: ReconcileRun): void {
  rows.push([
    "reconcile",
    "seeded",
    `${fmt(r.size)} indicators; SentinelOne ${fmt(r.seeded.held)} records at ${r.rpm}/min (${fmt(r.seedSeconds, 1)} s); node flags ${r.nodeFlags.join(" ") || "none"}`,
  ]);
  for (const s of r.steps) {
    const c = s.counts;
    rows.push([
      "reconcile",
      `${s.name}: exit / time / peak RSS / CPU`,
      `${s.exit} / ${fmt(s.seconds, 1)} s / ${fmt(s.peakRssMB, 1)} MB / ${fmt(s.cpuSeconds, 2)} s`,
    ]);
    rows.push(["reconcile", `${s.name}: requests by kind`, `${fmt(s.requests.total)}: ${stepKinds(s)}`]);
    rows.push([
      "reconcile",
      `${s.name}: counts`,
      c
        ? `in sync ${fmt(c.inSync)}, missing ${fmt(c.missing)}, orphans ${fmt(c.orphans)}, duplicates ${fmt(c.duplicates)}, stale ${fmt(c.stale)}, other source ${fmt(c.otherSources)}${s.repair ? `; created ${fmt(s.repair.created)}, deleted ${fmt(s.repair.deleted)}` : ""}`
        : "no report",
    ]);
  }
  const f = r.final;
  rows.push([
    "reconcile",
    "SentinelOne afterwards",
    `${f.equal ? "equal to the expected set" : "NOT equal to the expected set"}: ${fmt(f.ours)} ours, ${fmt(f.duplicates)} duplicates, ${fmt(f.stale)} stale, ${fmt(f.otherSource)} of the other source`,
  ]);
}

const stepKinds = (s: ReconcileStep): string =>
  `${byKind(s.requests)}; the command's: ${Object.entries(s.commandRequests)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(", ")}`;

function churnMeasured(r: ChurnRun): string {
  const s = r.state;
  const when = r.settled
    ? `settled in ${fmt(r.settleSeconds ?? undefined, 1)} s`
    : `not settled after ${fmt(r.churnSeconds, 0)} s`;
  return `${fmt(r.size)} at ${r.rpm}/min: ${when}, ${fmt(r.churnRequests.total)} requests; lost ${fmt(s.missing)}, left behind ${fmt(s.leftovers)}, duplicates ${fmt(s.duplicates)}, stale validUntil ${fmt(s.staleValidUntil)}`;
}

const byKind = (p: PhaseRequests): string =>
  ["POST", "DELETE", "GET"]
    .map((m) => `${m} ${fmt(p.byMethod[m]?.requests ?? 0)} (${fmt(p.byMethod[m]?.ok ?? 0)} ok)`)
    .join(", ") + ` (${fmt(p.rateLimited)} × 429)`;

function churnRows(rows: string[][], r: ChurnRun): void {
  const name = r.label;
  const s = r.state;
  rows.push([
    name,
    "feed",
    `${fmt(r.size)} creates, ${fmt(r.events.scoreUpdates)} score updates, ${fmt(r.events.finalUpdates)} revocations / later valid_until; SentinelOne ${r.rpm}/min (bucket ${r.burst}); deadline ${fmt(r.deadlineSeconds)} s`,
  ]);
  if (r.killsRequested > 0) {
    rows.push([
      name,
      "SIGKILLs (s after the first create, phase, IOCs then)",
      r.kills.length > 0
        ? r.kills.map((k) => `${fmt(k.atSeconds, 1)} s ${k.phase} ${fmt(k.iocs)} (${k.exit})`).join("; ")
        : "none",
    ]);
  }
  rows.push([
    name,
    "creates: time / requests by kind / IOC ops per write",
    `${fmt(r.createsSeconds, 1)} s / ${byKind(r.createRequests)} / ${fmt(r.createRequests.iocOperationsPerWrite, 1)}`,
  ]);
  rows.push([
    name,
    "churn: time to settle",
    r.settled
      ? `${fmt(r.settleSeconds ?? undefined, 2)} s after its publication (confirmed by the connector's saved position at ${fmt(r.confirmedSeconds ?? undefined, 2)} s)`
      : `NOT settled after ${fmt(r.churnSeconds, 0)} s (deadline): figures below at that moment`,
  ]);
  rows.push([
    name,
    "churn: requests by kind / IOC ops per write",
    `${fmt(r.churnRequests.total)}: ${byKind(r.churnRequests)} / ${fmt(r.churnRequests.iocOperationsPerWrite, 1)} (${fmt(r.churnRequests.iocsCreated)} created, ${fmt(r.churnRequests.iocsDeleted)} deleted)`,
  ]);
  rows.push([
    name,
    "state: stored / expected / lost / duplicates / left behind / stale validUntil / stale score / unexpected",
    `${fmt(s.stored)} / ${fmt(s.expectedPresent)} / ${fmt(s.missing)} / ${fmt(s.duplicates)} / ${fmt(s.leftovers)} / ${fmt(s.staleValidUntil)} / ${fmt(s.staleScore)} / ${fmt(s.unexpected)}`,
  ]);
  rows.push([
    name,
    "connector peak RSS / CPU (all its processes)",
    `${fmt(r.connector.peakRssMB, 1)} MB / ${fmt(r.connector.cpuSeconds, 2)} s`,
  ]);
  rows.push([name, "connector exit at the end (SIGTERM, SIGKILL after 30 s)", r.finalExit]);
}

const verdict = (pass: boolean | null): string => (pass === null ? "n/a" : pass ? "PASS" : "MISS");

/** Rows `[section, figure, value]` of everything measured. */
export function figureRows(results: BenchResults): string[][] {
  const rows: string[][] = [];
  const { backfill, baseline, live, rateLimited, memory, profile } = results.sections;
  const run = (name: string, r: NonNullable<typeof backfill>) => {
    rows.push([
      name,
      "events (IOCs expected / stored / lost)",
      `${fmt(r.events)} (${fmt(r.iocsExpected)} / ${fmt(r.iocsStored)} / ${fmt(r.lost)})`,
    ]);
    if (r.ids)
      rows.push([name, "id check (duplicates / unexpected)", `${fmt(r.ids.duplicates)} / ${fmt(r.ids.unexpected)}`]);
    rows.push([
      name,
      "wall time, spawn → last IOC",
      `${fmt(r.wallSeconds, 2)} s (first IOC at ${fmt(r.firstIocSeconds, 2)} s)`,
    ]);
    rows.push([
      name,
      "start-up: GraphQL / stream opened / first IOC",
      `${fmt(r.startup.firstGraphqlSeconds ?? undefined, 2)} / ${fmt(r.startup.streamOpenedSeconds ?? undefined, 2)} / ${fmt(r.firstIocSeconds, 2)} s after spawn`,
    ]);
    rows.push([name, "events/s end to end", `${fmt(r.eventsPerSecond, r.eventsPerSecond < 100 ? 2 : 0)}`]);
    rows.push([name, "IOCs/s after the first upload", fmt(r.iocsPerSecondAfterFirst, 0)]);
    rows.push([
      name,
      "requests (429s) / IOCs per request",
      `${fmt(r.requests)} (${fmt(r.rateLimited)}) / ${fmt(r.iocsPerRequest, 1)}`,
    ]);
    rows.push([
      name,
      "connector CPU (user+sys; main thread) / peak RSS",
      r.connector
        ? `${fmt(r.connector.cpuSeconds, 2)} s (${fmt(r.connector.mainThreadSeconds, 2)} s) / ${fmt(r.connector.peakRssMB, 1)} MB`
        : "–",
    ]);
    rows.push([name, "events per connector CPU-second", fmt(r.eventsPerConnectorCpuSecond)]);
    if (r.timeline) {
      const t = r.timeline;
      rows.push([
        name,
        "per create: in SentinelOne / between requests",
        `median ${fmt(t.inSentinelOneMs.median, 1)} / ${fmt(t.betweenRequestsMs.median, 1)} ms; total ${fmt(t.inSentinelOneMs.total / 1000, 2)} / ${fmt(t.betweenRequestsMs.total / 1000, 2)} s of ${fmt(t.windowMs / 1000, 2)} s`,
      ]);
    }
    rows.push([
      name,
      "simulators CPU (OpenCTI / SentinelOne)",
      `${fmt(r.openctiSimulator?.cpuSeconds, 2)} s / ${fmt(r.sentinelOneSimulator?.cpuSeconds, 2)} s`,
    ]);
  };
  if (backfill) run("backfill", backfill);
  if (live) {
    rows.push([
      "live",
      "published (rate achieved)",
      `${fmt(live.published)} in ${fmt(live.publishWindowSeconds, 1)} s (${fmt(live.achievedRate, 1)}/s)`,
    ]);
    const l = live.latencyMs;
    rows.push([
      "live",
      "latency p50 / p95 / p99 / max",
      `${fmt(l.p50, 1)} / ${fmt(l.p95, 1)} / ${fmt(l.p99, 1)} / ${fmt(l.max, 1)} ms`,
    ]);
    rows.push(["live", "stored / lost", `${fmt(live.iocsStored)} / ${fmt(live.lost)}`]);
    rows.push(["live", "requests / IOCs per request", `${fmt(live.requests)} / ${fmt(live.iocsPerRequest, 1)}`]);
    if (live.connector) {
      rows.push([
        "live",
        "connector CPU / peak RSS",
        `${fmt(live.connector.cpuSeconds, 2)} s (${fmt(live.connector.cpuPercentOfOneCore, 1)} % of a core) / ${fmt(live.connector.peakRssMB, 1)} MB`,
      ]);
    }
  }
  if (rateLimited) {
    run("rate-limited", rateLimited);
    rows.push([
      "rate-limited",
      "limit",
      `${rateLimited.rateLimitRpm}/min, bucket ${rateLimited.rateLimitBurst}, Retry-After seconds`,
    ]);
  }
  if (baseline) {
    run("baseline", baseline);
    rows.push(["baseline", "design", `batch size 1, ${baseline.pauseBy}`]);
  }
  for (const r of memory?.runs ?? []) {
    rows.push([
      "memory",
      `${fmt(r.events)} events`,
      `peak RSS ${fmt(r.connector?.peakRssMB, 1)} MB, ${fmt(r.eventsPerSecond)} events/s, ${fmt(r.iocsPerRequest, 1)} IOCs/request, lost ${r.lost}`,
    ]);
  }
  if (results.sections.churn?.plain) churnRows(rows, results.sections.churn.plain);
  if (results.sections.churn?.withKills) churnRows(rows, results.sections.churn.withKills);
  if (results.sections.reconcile) reconcileRows(rows, results.sections.reconcile);
  if (profile) {
    const p = profile.run;
    rows.push([
      "profile",
      "profiled backfill (slower than unprofiled)",
      `${fmt(p.events)} events, ${fmt(p.eventsPerSecond)} events/s, connector CPU ${fmt(p.connector?.cpuSeconds, 2)} s`,
    ]);
    for (const s of profile.summaries) {
      const who = s.file.replace(/^.*\/profile-/, "").replace(/\.cpuprofile$/, "");
      rows.push([
        "profile",
        who,
        `busy ${fmt(s.busyMs)} ms: ${s.areas
          .slice(0, 4)
          .map((a) => `${a.name} ${fmt(a.percent, 1)} %`)
          .join(", ")}`,
      ]);
    }
  }
  return rows;
}

function align(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "))
    .join("\n");
}

export function renderTable(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `Machine: ${m.cores} cores, ${m.cpuModel}, Node ${m.node}, ${m.totalMemoryGiB} GiB; load ${m.loadAverageStart.join(" ")} → ${m.loadAverageEnd.join(" ")}`,
    `Command: ${results.command}   (${results.durationSeconds} s)`,
    `Connector node flags: ${results.connectorNodeFlags.join(" ") || "none"}; environment: ${envText(results.connectorEnv)}`,
    "",
    align([["section", "figure", "value"], ...figureRows(results)]),
    "",
    align([
      ["target", "wanted", "measured", ""],
      ...results.targets.map((t) => [t.description, t.target, t.measured, verdict(t.pass)]),
    ]),
  ];
  if (results.errors.length > 0) {
    lines.push("", "Errors:", ...results.errors.map((e) => `  ${e.section}: ${e.message}`));
  }
  lines.push("", `Results: ${results.resultsFile}`);
  return lines.join("\n");
}

const md = (cell: string): string => cell.replace(/\|/g, "\\|");

/** The figures as Markdown (for docs/benchmarks.md). */
export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const out = [
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${m.totalMemoryGiB} GiB, Node ${m.node}, ${m.platform}; load average ${m.loadAverageStart.join(" / ")} at the start, ${m.loadAverageEnd.join(" / ")} at the end`,
    `- Command: \`${results.command}\` (${results.startedAt}, ${round(results.durationSeconds / 60, 1)} min)`,
    `- Connector: batch size ${results.connectorDefaults.batchSize}, flush interval ${results.connectorDefaults.flushIntervalMs} ms, max pending IOCs ${results.connectorDefaults.maxPendingIocs} (defaults)${results.options.batchSize !== undefined ? `; this run: batch size ${results.options.batchSize}` : ""}; node flags: ${results.connectorNodeFlags.length > 0 ? `\`${results.connectorNodeFlags.join(" ")}\`` : "none"}${
      Object.keys(results.options.connectorEnv).length > 0
        ? `; extra environment: \`${Object.entries(results.options.connectorEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}\``
        : ""
    }`,
    "",
    "| target | wanted | measured | |",
    "|---|---|---|---|",
    ...results.targets.map(
      (t) => `| ${md(t.description)} | ${md(t.target)} | ${md(t.measured)} | ${verdict(t.pass)} |`,
    ),
    "",
    "| section | figure | value |",
    "|---|---|---|",
    ...figureRows(results).map((r) => `| ${r.map(md).join(" | ")} |`),
  ];
  if (results.errors.length > 0)
    out.push("", "Errors:", ...results.errors.map((e) => `- ${e.section}: ${md(e.message)}`));
  return `${out.join("\n")}\n`;
}

/** `NAME=value …` of the variables the connector processes got besides their configuration. */
function envText(env: Readonly<Record<string, string>> | undefined): string {
  const pairs = Object.entries(env ?? {}).map(([name, value]) => `${name}=${value}`);
  return pairs.length > 0 ? pairs.join(" ") : "none";
}
