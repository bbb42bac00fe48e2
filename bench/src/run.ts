/**
 * `runBench(options)`: runs the selected sections one after the other (never two measured processes at once),
 * evaluates the targets, writes `<results>/latest.json` and returns the results. Used by the CLI and the test.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { configSchema } from "@octi/connector-sentinelone-intel";
import type { ChurnRun } from "./churn.js";
import { runChurn } from "./churn.js";
import { cleanEnv } from "./connector.js";
import { Progress, round } from "./measure.js";
import type { BenchOptions, Section } from "./options.js";
import {
  BUILD_ORDER,
  DEFAULT_RESULTS_DIR,
  missingBuiltFiles,
  REPO_ROOT,
  reconcileScriptNodeFlags,
  startScriptEnv,
  startScriptNodeFlags,
} from "./paths.js";
import { cpuModel } from "./proc.js";
import { stopAll } from "./processes.js";
import { type ProfileSummary, summarizeProfile } from "./profile.js";
import { runReconcileSection } from "./reconcile.js";
import { evaluateTargets } from "./report.js";
import type { BenchResults, ConnectorDefaults } from "./results.js";
import { type BackfillRun, type BenchContext, runBackfill, runLive } from "./scenarios.js";

export type {
  BaselineResult,
  BenchResults,
  ConnectorDefaults,
  Machine,
  ProfileResult,
  RateLimitedResult,
} from "./results.js";

function describeChurn(r: ChurnRun): string {
  const s = r.state;
  return `${r.settled ? `settled in ${r.settleSeconds} s` : `NOT settled after ${r.churnSeconds} s`}, ${r.churnRequests.total} requests; missing ${s.missing}, duplicates ${s.duplicates}, leftovers ${s.leftovers}, stale validUntil ${s.staleValidUntil}`;
}

export interface RunHooks {
  /** Human-readable progress lines (default: stderr). */
  readonly say?: (line: string) => void;
  /** In-place progress on a TTY (default: when stderr is a TTY). */
  readonly liveProgress?: boolean;
}

function schemaDefault(key: string): number {
  const property = (configSchema.properties as Record<string, { default?: unknown } | undefined>)[key];
  const value = property?.default;
  if (typeof value !== "number") throw new Error(`the connector's config schema has no numeric default for ${key}`);
  return value;
}

export function connectorDefaults(): ConnectorDefaults {
  return {
    batchSize: schemaDefault("batch_size"),
    flushIntervalMs: schemaDefault("batch_flush_interval"),
    maxPendingIocs: schemaDefault("max_pending_iocs"),
  };
}

/** `npx tsc -p <project>` for the SDK, its testing package, then the connector and its simulator (what the processes run). */
export function buildPackages(say: (line: string) => void = () => undefined): void {
  for (const project of BUILD_ORDER) {
    say(`building ${project}`);
    execFileSync("npx", ["tsc", "-p", project], { cwd: REPO_ROOT, stdio: "inherit" });
  }
}

/** Generous per-run time budget: the run fails rather than hangs. */
function budgetMs(events: number, eventsPerSecond: number): number {
  return 120_000 + Math.ceil((events / eventsPerSecond) * 1000);
}

export async function runBench(options: BenchOptions, command: string, hooks: RunHooks = {}): Promise<BenchResults> {
  const say = hooks.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const progress = new Progress(hooks.liveProgress ?? process.stderr.isTTY === true);
  if (options.build) buildPackages(say);
  const missing = missingBuiltFiles();
  if (missing.length > 0) {
    throw new Error(`built files missing (run \`npm run build\` or pass --build): ${missing.join(", ")}`);
  }
  const resultsDir = options.resultsDir ?? DEFAULT_RESULTS_DIR;
  const logDir = join(resultsDir, "logs");
  const profileDir = join(resultsDir, "profiles");
  mkdirSync(logDir, { recursive: true });
  // The connectors' working directories of an earlier invocation (an on-disk index must not leak into this one).
  for (const entry of readdirSync(logDir)) {
    if (entry.endsWith("-work")) rmSync(join(logDir, entry), { recursive: true, force: true });
  }
  const started = new Date();
  const loadAverageStart = loadavg().map((l) => round(l, 2));
  const ctx: BenchContext = {
    logDir,
    profileDir,
    pollMs: options.pollMs,
    env: cleanEnv(),
    runId: `bench-${started.getTime().toString(36)}`,
    say,
    progress,
    // What `npm start` sets before `node` (the allocator's arena limit) unless --bare; --connector-env wins.
    connectorEnv: { ...(options.deployed ? startScriptEnv() : {}), ...options.connectorEnv },
    connectorMain: options.connectorMain,
    connectorNodeFlags: [...(options.deployed ? startScriptNodeFlags() : []), ...options.connectorNodeFlags],
  };
  const defaults = connectorDefaults();
  const batchSize = options.batchSize ?? defaults.batchSize;
  const sections: BenchResults["sections"] = {};
  const errors: { section: string; message: string }[] = [];

  const run = async (section: Section | "profile" | "churn-kills", fn: () => Promise<void>) => {
    const t = Date.now();
    say(`▶ ${section}`);
    try {
      await fn();
      progress.clear();
      say(`  ${section} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    } catch (error) {
      progress.clear();
      const message = (error as Error)?.message ?? String(error);
      errors.push({ section, message });
      say(`  ${section} FAILED: ${message}`);
      await stopAll();
    }
  };
  const want = (s: Section) => options.only.includes(s);
  const common = options.batchSize !== undefined ? { batchSize: options.batchSize } : {};

  if (want("backfill")) {
    await run("backfill", async () => {
      sections.backfill = await runBackfill(ctx, {
        label: "backfill",
        events: options.backfill,
        ...common,
        verifyIds: options.backfill <= 200_000,
        timeoutMs: budgetMs(options.backfill, 1_000),
      });
    });
  }
  if (want("live")) {
    await run("live", async () => {
      sections.live = await runLive(ctx, {
        rate: options.liveRate,
        seconds: options.liveSeconds,
        ...common,
        timeoutMs: 120_000,
      });
    });
  }
  if (want("rate-limited")) {
    await run("rate-limited", async () => {
      const burst = options.rateLimitBurst ?? options.rateLimitRpm;
      const minutes = 2 * (options.rateLimited / batchSize / options.rateLimitRpm);
      const result = await runBackfill(ctx, {
        label: "rate-limited",
        events: options.rateLimited,
        ...common,
        rateLimit: {
          rpm: options.rateLimitRpm,
          ...(options.rateLimitBurst !== undefined ? { burst: options.rateLimitBurst } : {}),
        },
        verifyIds: true,
        timeoutMs: 120_000 + minutes * 60_000 * 3,
      });
      sections.rateLimited = {
        ...result,
        rateLimitRpm: options.rateLimitRpm,
        rateLimitBurst: burst,
        batchSize,
        targetSeconds: round(minutes * 60, 1),
      };
    });
  }
  if (want("baseline")) {
    await run("baseline", async () => {
      const result = await runBackfill(ctx, {
        label: "baseline",
        events: options.baseline,
        batchSize: 1,
        latencyMs: options.baselinePauseMs,
        verifyIds: true,
        timeoutMs: budgetMs(options.baseline, 2),
      });
      sections.baseline = {
        ...result,
        pauseMs: options.baselinePauseMs,
        pauseBy: `SentinelOne simulator --latency ${options.baselinePauseMs} (the connector has no pause option)`,
      };
    });
  }
  if (want("memory")) {
    await run("memory", async () => {
      const runs: BackfillRun[] = [];
      for (const events of options.memory) {
        if (sections.backfill && sections.backfill.events === events && options.batchSize === undefined) {
          say(`  memory ${events}: the backfill run above`);
          runs.push(sections.backfill);
          continue;
        }
        runs.push(
          await runBackfill(ctx, {
            label: `memory-${events}`,
            events,
            ...common,
            verifyIds: events <= 200_000,
            timeoutMs: budgetMs(events, 1_000),
          }),
        );
        say(`  memory ${events}: peak RSS ${runs[runs.length - 1]!.connector?.peakRssMB ?? "?"} MB`);
      }
      sections.memory = { runs };
    });
  }
  if (want("churn")) {
    const churn: { plain?: ChurnRun; withKills?: ChurnRun } = {};
    sections.churn = churn;
    const spec = {
      size: options.churn,
      rpm: options.churnRpm,
      ...(options.churnBurst !== undefined ? { burst: options.churnBurst } : {}),
      ...common,
      deadlineMs: options.churnDeadlineSeconds * 1000,
      // Creates: at least N / batch size requests at the limited rate, three times over, plus start-up.
      createsTimeoutMs: 120_000 + 3 * 60_000 * Math.ceil(options.churn / batchSize / options.churnRpm),
    };
    await run("churn", async () => {
      churn.plain = await runChurn(ctx, { ...spec, label: "churn", kills: 0 });
      say(`  churn: ${describeChurn(churn.plain)}`);
    });
    if (options.churnKills > 0) {
      await run("churn-kills", async () => {
        churn.withKills = await runChurn(ctx, { ...spec, label: "churn-kills", kills: options.churnKills });
        say(`  churn with ${options.churnKills} SIGKILLs: ${describeChurn(churn.withKills)}`);
      });
    }
  }
  if (want("reconcile")) {
    await run("reconcile", async () => {
      sections.reconcile = await runReconcileSection(ctx, {
        label: "reconcile",
        size: options.reconcile,
        rpm: options.reconcileRpm,
        // Small runs: a snapshot pass ends on an idle heartbeat, which would otherwise be most of their time.
        ...(options.quick ? { heartbeatMs: 500 } : {}),
        nodeFlags: [...(options.deployed ? reconcileScriptNodeFlags() : []), ...options.connectorNodeFlags],
      });
    });
  }
  if (options.profile) {
    await run("profile", async () => {
      const events = options.profileSize ?? options.backfill;
      const result = await runBackfill(ctx, {
        label: "profile",
        events,
        ...common,
        verifyIds: false,
        profile: true,
        timeoutMs: budgetMs(events, 500),
      });
      const summaries: ProfileSummary[] = [];
      for (const file of result.profiles ?? []) {
        try {
          summaries.push(summarizeProfile(file));
        } catch (error) {
          errors.push({ section: "profile", message: `could not read ${file}: ${(error as Error).message}` });
        }
      }
      sections.profile = { run: result, summaries };
    });
  }
  await stopAll();

  const finished = new Date();
  const resultsFile = join(resultsDir, "latest.json");
  const results: BenchResults = {
    schema: 1,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: round((finished.getTime() - started.getTime()) / 1000, 1),
    command,
    options,
    machine: {
      cores: cpus().length,
      cpuModel: cpuModel(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      totalMemoryGiB: round(totalmem() / 1024 ** 3, 1),
      loadAverageStart,
      loadAverageEnd: loadavg().map((l) => round(l, 2)),
    },
    connectorDefaults: defaults,
    connectorNodeFlags: ctx.connectorNodeFlags,
    connectorEnv: ctx.connectorEnv,
    sections,
    targets: [],
    errors,
    resultsFile,
  };
  const withTargets: BenchResults = { ...results, targets: evaluateTargets(results) };
  writeFileSync(resultsFile, `${JSON.stringify(withTargets, null, 2)}\n`);
  return withTargets;
}
