/**
 * The reconcile section (issue 12): N indicators in OpenCTI's stream against the N IOCs the connector maps them to
 * in SentinelOne, with the drift (`reconcile-drift`: 10 % removed, 5 % duplicated, 5 % another validUntil,
 * 50 orphans, 50 IOCs of another source); SentinelOne rate limited. `npm run reconcile` runs three times as its own
 * process with the root script's node flags: a dry run (exit 3), `--apply` (exit 0), a dry run (in sync, exit 0).
 * Each step reports its wall time, the requests SentinelOne answered by method, the command's own counts and its
 * peak RSS (VmHWM, read every poll while it runs: the last 50 ms before it exits may be missed). SentinelOne is then
 * checked against the expected set.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { syntheticIndicatorFeed } from "@octi/connector-sdk-testing";
import { driftedIocs, type ExpectedDrift } from "@octi/connector-sentinelone-intel/reconcile-drift";
import { diffRequests, type PhaseRequests } from "./churn.js";
import { connectorEnv } from "./connector.js";
import { ProcSampler, round, sleep } from "./measure.js";
import { BUILT } from "./paths.js";
import { MB } from "./proc.js";
import { describeExit, ManagedProcess } from "./processes.js";
import { type BenchContext, type Rig, withRig } from "./scenarios.js";

export interface ReconcileSpec {
  readonly label: string;
  readonly size: number;
  /** SentinelOne's limit and the command's pace (`--requests-per-minute`). */
  readonly rpm: number;
  /** Node flags of the command (the root `reconcile` script's). */
  readonly nodeFlags: readonly string[];
  /** OpenCTI's heartbeat period (default the simulator's, 5 s): a snapshot pass ends on an idle heartbeat. */
  readonly heartbeatMs?: number;
}

/** The command's counts (its JSON report), per category. */
export interface ReconcileCounts {
  readonly expected: number;
  readonly listed: number;
  readonly inSync: number;
  readonly missing: number;
  readonly orphans: number;
  readonly duplicates: number;
  readonly stale: number;
  readonly otherSources: number;
}

export interface ReconcileStep {
  readonly name: "dry run" | "apply" | "dry run after";
  readonly exitCode: number | null;
  readonly exit: string;
  /** Spawn to exit. */
  readonly seconds: number;
  /** SentinelOne's answers during the step (429s included), by method. */
  readonly requests: PhaseRequests;
  /** The command's requests by kind (`list`, `create`, `delete_ids`, …), from its report. */
  readonly commandRequests: Readonly<Record<string, number>>;
  readonly counts: ReconcileCounts | undefined;
  readonly repair: { readonly created: number; readonly deleted: number } | undefined;
  readonly peakRssMB: number;
  readonly cpuSeconds: number;
  /** `[s since spawn, MB]`. */
  readonly rssSeries: readonly [number, number][];
}

/** SentinelOne after the three steps. */
export interface ReconcileFinalState {
  readonly ours: number;
  /** Our records beyond one per (indicator, type, value). */
  readonly duplicates: number;
  /** Our records still holding the drift's short validUntil. */
  readonly stale: number;
  readonly otherSource: number;
  /** Equal to the expected set: one record per expected IOC, nothing else of ours, the other source untouched. */
  readonly equal: boolean;
}

export interface ReconcileRun {
  readonly label: string;
  readonly size: number;
  readonly rpm: number;
  readonly nodeFlags: readonly string[];
  /** What the drift should make the command find. */
  readonly seeded: ExpectedDrift;
  readonly seedSeconds: number;
  readonly steps: readonly ReconcileStep[];
  readonly final: ReconcileFinalState;
}

const SOURCE = "OpenCTI";
const OTHER_SOURCE = "Another feed";
const DAY_MS = 86_400_000;

function countsOf(report: Record<string, unknown> | undefined): ReconcileCounts | undefined {
  const c = report?.counts as Record<string, number> | undefined;
  if (c === undefined) return undefined;
  return {
    expected: c.expectedIocs ?? 0,
    listed: c.listed ?? 0,
    inSync: c.inSync ?? 0,
    missing: c.missing ?? 0,
    orphans: c.orphans ?? 0,
    duplicates: c.duplicates ?? 0,
    stale: c.stale ?? 0,
    otherSources: c.otherSources ?? 0,
  };
}

function readReport(file: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Seeds SentinelOne with the drifted IOCs of the same feed the OpenCTI simulator streams. */
async function seed(ctx: BenchContext, rig: Rig, spec: ReconcileSpec): Promise<ExpectedDrift> {
  const now = new Date();
  const seedText = `${ctx.runId}:${spec.label}`;
  await rig.opencti.addFeed(spec.size, seedText, now);
  const feed = syntheticIndicatorFeed({ count: spec.size, seed: seedText, now });
  const chunks = driftedIocs({
    count: spec.size,
    indicator: (i) => feed.make(i).data,
    mix: "issue",
    source: SOURCE,
    now: now.getTime(),
  });
  for (;;) {
    const next = chunks.next();
    if (next.done) return next.value;
    await rig.sentinelOne.consoleAdd(next.value);
    ctx.progress.update(`${spec.label}: seeding SentinelOne`);
  }
}

async function finalState(rig: Rig, seeded: ExpectedDrift): Promise<ReconcileFinalState> {
  const iocs = await rig.sentinelOne.allIocs();
  const soon = Date.now() + 4 * DAY_MS;
  const keys = new Set<string>();
  let ours = 0;
  let stale = 0;
  let otherSource = 0;
  for (const ioc of iocs) {
    if (ioc.source === OTHER_SOURCE) otherSource++;
    if (ioc.source !== SOURCE) continue;
    ours++;
    keys.add(`${ioc.externalId}\u0000${ioc.type}\u0000${ioc.value}`);
    // The drift's validUntil is 3 days out; every feed IOC is valid far longer (its own or SentinelOne's clamp).
    if (Date.parse(String(ioc.validUntil)) < soon) stale++;
  }
  const duplicates = ours - keys.size;
  const equal = ours === seeded.expected && duplicates === 0 && stale === 0 && otherSource === seeded.otherSource;
  return { ours, duplicates, stale, otherSource, equal };
}

export async function runReconcileSection(ctx: BenchContext, spec: ReconcileSpec): Promise<ReconcileRun> {
  const rigOptions = {
    rateLimit: { rpm: spec.rpm },
    idleHeartbeatsAdvance: true,
    ...(spec.heartbeatMs !== undefined ? { heartbeatMs: spec.heartbeatMs } : {}),
  };
  return withRig(ctx, spec.label, rigOptions, async (rig) => {
    const seedStarted = Date.now();
    const seeded = await seed(ctx, rig, spec);
    const seedSeconds = round((Date.now() - seedStarted) / 1000, 1);
    // One connector id and data directory for the three steps: --apply rebuilds the connector's own index there.
    const extraEnv = {
      CONNECTOR_ID: randomUUID(),
      CONNECTOR_LOG_LEVEL: "info",
      SENTINELONE_INTEL_SOURCE: SOURCE,
      SENTINELONE_INTEL_DATA_DIR: "{workdir}/data",
      ...ctx.connectorEnv,
    };
    const env = connectorEnv({
      dir: ctx.logDir,
      label: spec.label,
      opencti: rig.opencti,
      sentinelOne: rig.sentinelOne,
      extraEnv,
    });
    // Listing pages at the pace, plus the repairs, plus start-up: three times over before the run fails.
    const timeoutMs = 120_000 + 3 * 60_000 * ((spec.size / 1000 + 40) / spec.rpm);
    const steps: ReconcileStep[] = [];
    for (const [name, args] of [
      ["dry run", []],
      ["apply", ["--apply"]],
      ["dry run after", []],
    ] as const) {
      const file = join(ctx.logDir, `${spec.label}-${name.replaceAll(" ", "-")}`);
      const before = await rig.sentinelOne.stats();
      const spawnedAt = Date.now();
      const { process } = await ManagedProcess.start({
        name: `reconcile ${name}`,
        args: [...spec.nodeFlags, BUILT.reconcileCli, ...args, "--json", "--requests-per-minute", String(spec.rpm)],
        env,
        cwd: join(ctx.logDir, `${spec.label}-work`),
        logFile: `${file}.log`,
        stdoutFile: `${file}.json`,
      });
      const sampler = new ProcSampler(process.pid, spawnedAt);
      // Maxima over the ticks: once the process has exited (a zombie until reaped), /proc has no VmHWM for it.
      let peakRssBytes = 0;
      let cpuSeconds = 0;
      let lastSay = 0;
      while (process.running) {
        const snapshot = sampler.tick();
        peakRssBytes = Math.max(peakRssBytes, snapshot?.peakRssBytes ?? 0);
        cpuSeconds = Math.max(cpuSeconds, snapshot?.cpuSeconds ?? 0);
        if (Date.now() - spawnedAt > timeoutMs) {
          await process.stop(10_000);
          throw new Error(`${spec.label}: ${name} still running after ${Math.round(timeoutMs / 1000)} s`);
        }
        if (Date.now() - lastSay > 1000) {
          lastSay = Date.now();
          const stats = await rig.sentinelOne.stats();
          ctx.progress.update(
            `${spec.label}: ${name}, ${stats.requests - before.requests} requests, ${((Date.now() - spawnedAt) / 1000).toFixed(0)} s`,
          );
        }
        await sleep(ctx.pollMs);
      }
      const exit = process.exit ?? { code: null, signal: null };
      const seconds = round((Date.now() - spawnedAt) / 1000, 1);
      const report = readReport(`${file}.json`);
      const repair = report?.repair as { created: number; deleted: number } | undefined;
      const target = report?.sentinelone as { requests?: Record<string, number> } | undefined;
      steps.push({
        name,
        exitCode: exit.code,
        exit: describeExit(exit),
        seconds,
        requests: diffRequests(await rig.sentinelOne.stats(), before),
        commandRequests: target?.requests ?? {},
        counts: countsOf(report),
        repair,
        peakRssMB: round(peakRssBytes / MB, 1),
        cpuSeconds: round(cpuSeconds, 2),
        rssSeries: sampler.rssSeries(),
      });
      ctx.say(
        `  reconcile ${name}: ${describeExit(exit)} in ${seconds} s, ${steps[steps.length - 1]!.requests.total} requests, peak RSS ${steps[steps.length - 1]!.peakRssMB} MB`,
      );
    }
    return {
      label: spec.label,
      size: spec.size,
      rpm: spec.rpm,
      nodeFlags: spec.nodeFlags,
      seeded,
      seedSeconds,
      steps,
      final: await finalState(rig, seeded),
    };
  });
}
