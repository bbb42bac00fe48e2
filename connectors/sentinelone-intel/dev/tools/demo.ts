/**
 * `npm run demo`: the real connector, run by the SDK runner, against the OpenCTI and SentinelOne simulators on
 * loopback. It loads a feed (see demo-feed.ts), waits until every event is handled and the push queue is empty,
 * stops the connector gracefully, and compares what SentinelOne holds with what the feed says it must hold.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ConnectorRun, compareStreamIds, type RunResult, startConnector } from "@octi/connector-sdk";

import {
  createEvent,
  deleteEvent,
  makeIndicator,
  mergeEvent,
  OpenCtiSimulator,
  type PublishedEvent,
  type StixIndicator,
  updateEvent,
} from "@octi/connector-sdk-testing";
import type { SentinelOneIntelHandler } from "#src/handler.js";
import { plugin } from "#src/index.js";
import type { SentinelOneSettings } from "#src/settings.js";
import { type CliIo, parseArgs, positiveInteger, UsageError } from "#src/tools/args.js";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, DEFAULT_RATE_LIMIT, SentinelOneSimulator } from "../simulator/index.js";
import {
  buildDemoFeed,
  compareIocs,
  type DemoFeed,
  expectedIocs,
  type FeedIndicator,
  type FeedStep,
  feedEvents,
} from "./demo-feed.js";
import type { DemoResult } from "./demo-result.js";
import { createProgress, type ProgressTarget } from "./progress.js";
import { renderSummary } from "./summary.js";

export type { DemoResult, RegisteredConnectorView } from "./demo-result.js";

export const DEMO_STREAM_ID = "sentinelone-demo-stream";
const DEMO_OPENCTI_TOKEN = "demo-opencti-token";

export interface DemoHookContext {
  readonly sentinelOne: SentinelOneSimulator;
  readonly opencti: OpenCtiSimulator;
  readonly feed: DemoFeed;
}

export interface DemoOptions {
  /** Indicators in the feed (default 3000). */
  readonly size?: number;
  /** SentinelOne rate limit in requests per minute, bursts of a tenth of it (default: off). */
  readonly rateLimit?: number | null;
  /** No progress output. */
  readonly quiet?: boolean;
  /** Where progress goes (default `process.stdout`). */
  readonly output?: ProgressTarget;
  /** Directory for the connector log and dead-letter file (default: a new temp dir, removed at the end). */
  readonly workDir?: string;
  /** Keep the temp dir made when `workDir` is not given (it is always kept when the demo fails). */
  readonly keep?: boolean;
  readonly seed?: string;
  /** Give up after this long (default 30 minutes); the result is then a failure. */
  readonly timeoutMs?: number;
  /** Extra connector env (overrides the demo's). */
  readonly env?: Readonly<Record<string, string>>;
  /** Test seam: runs after the connector stopped, right before SentinelOne's IOCs are compared. */
  readonly beforeCompare?: (context: DemoHookContext) => void | Promise<void>;
  /** Aborts the demo (the CLI wires SIGINT to it): the connector is stopped gracefully. */
  readonly signal?: AbortSignal;
}

/** The connector env the demo uses: small batches and short intervals so a few thousand events take seconds. */
export function demoEnv(openctiUrl: string, sentinelOneUrl: string, workDir: string): Record<string, string> {
  return {
    OPENCTI_URL: openctiUrl,
    OPENCTI_TOKEN: DEMO_OPENCTI_TOKEN,
    OPENCTI_JSON_LOGGING: "true",
    CONNECTOR_ID: randomUUID(),
    CONNECTOR_NAME: "SentinelOne Intel (demo)",
    CONNECTOR_LIVE_STREAM_ID: DEMO_STREAM_ID,
    CONNECTOR_LIVE_STREAM_LISTEN_DELETE: "true",
    CONNECTOR_LIVE_STREAM_NO_DEPENDENCIES: "true",
    CONNECTOR_LOG_LEVEL: "info",
    CONNECTOR_STATE_PING_INTERVAL: "1",
    CONNECTOR_SHUTDOWN_TIMEOUT: "60",
    CONNECTOR_EXPOSE_METRICS: "false",
    SENTINELONE_INTEL_API_URL: sentinelOneUrl,
    SENTINELONE_INTEL_API_KEY: DEFAULT_API_TOKEN,
    SENTINELONE_INTEL_ACCOUNT_ID: DEFAULT_ACCOUNT_ID,
    SENTINELONE_INTEL_SOURCE: "OpenCTI demo",
    SENTINELONE_INTEL_BATCH_SIZE: "200",
    SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "50",
    SENTINELONE_INTEL_RETRY_MAX_DELAY: "5",
    SENTINELONE_INTEL_DEAD_LETTER_PATH: join(workDir, "dead-letter.jsonl"),
    SENTINELONE_INTEL_DATA_DIR: join(workDir, "data"),
  };
}

interface IndicatorState {
  readonly name?: string;
  readonly score?: number;
  readonly revoked?: boolean;
  readonly labels?: readonly string[];
}

/** The feed indicator as OpenCTI streams it (SDK testing factory), with the changes made so far. */
function stixIndicator(indicator: FeedIndicator, state: IndicatorState, now: Date): StixIndicator {
  return makeIndicator({
    id: indicator.id,
    seed: indicator.id,
    pattern: indicator.pattern,
    patternType: indicator.patternType,
    name: state.name ?? indicator.name,
    description: indicator.description,
    score: state.score ?? indicator.score,
    revoked: state.revoked ?? false,
    labels: state.labels ?? indicator.labels,
    now,
  });
}

/** Publishes the feed; returns the SSE id given to each step, in order. */
function publishFeed(sim: OpenCtiSimulator, feed: DemoFeed, now: Date): string[] {
  const states = new Map<string, IndicatorState>();
  const current = (indicator: FeedIndicator) => stixIndicator(indicator, states.get(indicator.id) ?? {}, now);
  const publish = (event: PublishedEvent) => sim.publish(event, DEMO_STREAM_ID);
  const publishStep = (step: FeedStep): string => {
    switch (step.action) {
      case "create":
        states.set(step.indicator.id, {});
        return publish(createEvent(current(step.indicator)));
      case "update": {
        const before = current(step.indicator);
        states.set(step.indicator.id, { ...states.get(step.indicator.id), ...step.change });
        return publish(updateEvent(before, current(step.indicator), step.message));
      }
      case "merge": {
        const before = current(step.indicator);
        states.set(step.indicator.id, { ...states.get(step.indicator.id), labels: step.labels });
        const sources = step.sources.map((source) => current(source));
        for (const source of step.sources) states.delete(source.id);
        return publish(mergeEvent(current(step.indicator), sources, before));
      }
      case "delete": {
        const before = current(step.indicator);
        states.delete(step.indicator.id);
        return publish(deleteEvent(before));
      }
      case "malformed":
        return sim.publishRaw(step.event, step.data, DEMO_STREAM_ID);
    }
  };
  return feed.steps.map(publishStep);
}

/** What the demo reads of a prom-client counter (its values, by label). */
interface Counter<L extends string> {
  get(): Promise<{ readonly values: readonly { value: number; labels: Partial<Record<L, string | number>> }[] }>;
}

/** A counter's values summed by one of its labels. */
async function byLabel<L extends string>(counter: Counter<L>, label: L): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const value of (await counter.get()).values) {
    const key = String(value.labels[label] ?? "?");
    out[key] = (out[key] ?? 0) + value.value;
  }
  return out;
}

/** A counter's total over every label. */
async function total<L extends string>(counter: Counter<L>): Promise<number> {
  return (await counter.get()).values.reduce((sum, value) => sum + value.value, 0);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Index of the last step whose id is at or before `position` (+1 = steps handled). */
function handledCount(ids: readonly string[], position: string | undefined): number {
  if (!position) return 0;
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareStreamIds(ids[mid]!, position) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const feed = buildDemoFeed({ size: options.size ?? 3000, seed: options.seed });
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), "sentinelone-intel-demo-"));
  const ownWorkDir = options.workDir === undefined;
  let removedWorkDir = false;
  const logFile = join(workDir, "connector.log");
  const problems: string[] = [];

  const sentinelOne = new SentinelOneSimulator();
  if (options.rateLimit) {
    // As the console is observed to answer (nginx's HTML 429, no Retry-After), with bursts of a tenth of a minute.
    sentinelOne.setRateLimit({
      ...DEFAULT_RATE_LIMIT,
      requestsPerMinute: options.rateLimit,
      burst: Math.max(1, Math.round(options.rateLimit / 10)),
    });
  }
  const opencti = new OpenCtiSimulator({
    token: DEMO_OPENCTI_TOKEN,
    streams: [{ id: DEMO_STREAM_ID, name: "SentinelOne indicators (demo)" }],
    heartbeatIntervalMs: 200,
  });
  let logStream: WriteStream | undefined;
  let run: ConnectorRun<SentinelOneSettings, SentinelOneIntelHandler> | undefined;
  try {
    const s1Url = await sentinelOne.start();
    await opencti.start();
    logStream = createWriteStream(logFile, { flags: "a" });
    const env: Record<string, string> = { ...demoEnv(opencti.url, s1Url, workDir), ...options.env };
    const connectorId = env.CONNECTOR_ID ?? "";
    run = await startConnector(plugin, { env, searchDirs: [], logStream, retryBaseMs: 100 });
    const progress = options.quiet ? undefined : createProgress(options.output ?? process.stdout);
    // The run's handler: the very queue it feeds.
    const handler = run.handler;

    let ended: RunResult | undefined;
    void run.done.then((result) => {
      ended = result;
    });
    const deadline = started + (options.timeoutMs ?? 30 * 60_000);
    const timedOut = () => `timed out after ${Math.round((options.timeoutMs ?? 30 * 60_000) / 1000)} s`;

    // The feed is published once the connector follows the live stream, as OpenCTI users would create, edit,
    // merge, revoke and delete indicators while it runs: every step then arrives as its own live event. (Had it
    // been published first, the connector's first start would get OpenCTI's recovery snapshot instead: the
    // current version of each object, as `create` events.)
    await Promise.race([run.started, run.done]).catch(() => undefined);
    while (!ended && opencti.openStreamCount === 0 && !options.signal?.aborted && Date.now() <= deadline)
      await sleep(20);
    const ids = publishFeed(opencti, feed, new Date());
    const lastId = ids[ids.length - 1]!;

    let handledMs = 0;
    const snapshot = () => ({
      handled: handledCount(ids, run?.state()?.start_from),
      total: ids.length,
      iocs: sentinelOne.iocCount(),
      pending: handler.pendingCount,
      rateLimited: sentinelOne.stats().rateLimited,
      elapsedMs: Date.now() - started,
    });
    for (;;) {
      const now = snapshot();
      progress?.update(now);
      const position = run.state()?.start_from;
      if (position !== undefined && compareStreamIds(position, lastId) >= 0 && now.pending === 0) {
        handledMs = Date.now() - started;
        break;
      }
      if (ended) {
        problems.push(`the connector stopped before handling every event (${ended.reason})`);
        break;
      }
      if (options.signal?.aborted) {
        problems.push("interrupted");
        break;
      }
      if (Date.now() > deadline) {
        problems.push(timedOut());
        break;
      }
      await sleep(100);
    }
    progress?.done(snapshot());

    const result = await run.stop(problems.length === 0 ? "demo complete" : "demo ended");
    if (result.exitCode !== 0) problems.push(`the connector exited with code ${result.exitCode} (${result.reason})`);
    // The run's own counters, through the connector's typed handles.
    const s1 = handler.metrics;
    const sdk = run.metrics.sdk;
    const stats = sentinelOne.stats();
    const byStatus: Record<string, number> = {};
    for (const [status, n] of Object.entries(stats.byStatus)) byStatus[status] = n;
    const registered = opencti.connector(connectorId) as
      | { id?: string; name?: string; active?: boolean; state?: string | null }
      | undefined;

    const created = await byLabel(s1.iocsCreated, "type");
    const remaining: Record<string, number> = {};
    for (const ioc of sentinelOne.iocs()) remaining[ioc.type] = (remaining[ioc.type] ?? 0) + 1;
    const removed: Record<string, number> = {};
    for (const [type, n] of Object.entries(created)) removed[type] = n - (remaining[type] ?? 0);

    await options.beforeCompare?.({ sentinelOne, opencti, feed });
    const comparison = compareIocs(expectedIocs(feed), sentinelOne.iocs());
    if (!comparison.equal) {
      problems.push(`${comparison.missing.length} expected IOCs missing, ${comparison.unexpected.length} unexpected`);
    }
    const eventsReceived = await byLabel(sdk.eventsReceived, "event");
    const ok = problems.length === 0;
    if (ok && ownWorkDir && !options.keep) {
      if (logStream) await new Promise<void>((resolve) => logStream?.end(resolve));
      rmSync(workDir, { recursive: true, force: true });
      removedWorkDir = true;
    }
    return {
      ok,
      exitCode: ok ? 0 : 1,
      problems,
      feed: { indicators: feed.indicators.length, steps: feed.steps.length, events: feedEvents(feed) },
      eventsReceived,
      iocsCreated: created,
      iocsRemoved: removed,
      deletedReported: await total(s1.iocsDeleted),
      skipped: await byLabel(s1.indicatorsSkipped, "reason"),
      malformed: await total(sdk.eventsMalformed),
      handlerErrors: await total(sdk.eventsFailed),
      deadLettered: await total(s1.iocsDeadLettered),
      requests: { total: stats.requests, byStatus },
      connector: registered
        ? {
            id: registered.id ?? connectorId,
            name: registered.name ?? "?",
            active: registered.active,
            state: registered.state ?? null,
          }
        : null,
      comparison,
      run: result,
      handledMs,
      elapsedMs: Date.now() - started,
      logFile,
      workDir,
      removedWorkDir,
    };
  } finally {
    if (run) await run.stop("demo cleanup").catch(() => undefined);
    await opencti.stop().catch(() => undefined);
    await sentinelOne.stop().catch(() => undefined);
    if (logStream && !logStream.closed) await new Promise<void>((resolve) => logStream?.end(resolve));
  }
}

export const DEMO_USAGE = `Usage: npm run demo [-- --size N] [--rate-limit RPM] [--quiet] [--keep]

Runs the SentinelOne Intel connector against simulated OpenCTI and SentinelOne servers on loopback:
a feed of N indicators (default 3000) of every kind, with updates, merges, revocations, deletions and a few
malformed events. Prints a summary and compares SentinelOne's IOCs with the expected set.

  --size N           indicators in the feed (default 3000)
  --rate-limit RPM   SentinelOne allows RPM requests per minute, in bursts of RPM/10, and answers 429
                     beyond, as the console does (no Retry-After); default: no limit
  --quiet            no progress line, only the summary
  --keep             keep the temporary folder with the connector log (kept anyway when the demo fails)
`;

/** The `npm run demo` command line; returns the exit code. */
export async function demoCli(argv: readonly string[], io: CliIo): Promise<number> {
  let size: number;
  let rateLimit: number | null;
  let quiet: boolean;
  let keep: boolean;
  try {
    const args = parseArgs(argv, { values: ["size", "rate-limit"], flags: ["quiet", "keep"] });
    if (args.flags.has("help")) {
      io.out(DEMO_USAGE);
      return 0;
    }
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    size = positiveInteger("size", args.values.size, 3000);
    rateLimit =
      args.values["rate-limit"] === undefined ? null : positiveInteger("rate-limit", args.values["rate-limit"], 1);
    quiet = args.flags.has("quiet");
    keep = args.flags.has("keep");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${DEMO_USAGE}`);
    return 2;
  }

  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    io.err("\nInterrupted: stopping the connector gracefully (press Ctrl-C again to exit now)\n");
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    if (!quiet) {
      io.out(
        `Starting the simulators and the connector: ${size} indicators` +
          (rateLimit ? `, SentinelOne limited to ${rateLimit} requests per minute` : "") +
          "\n",
      );
    }
    const result = await runDemo({
      size,
      rateLimit,
      quiet,
      keep,
      signal: abort.signal,
      output: io.progress ?? { write: io.out },
    });
    io.out(`\n${renderSummary(result)}`);
    return result.exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
