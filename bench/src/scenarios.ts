/**
 * The measured runs. Each run starts fresh simulators (own processes), loads what it needs into the OpenCTI
 * simulator, spawns the real connector and measures from outside:
 * - progress and results from the SentinelOne simulator's control routes (`/__sim/stats`, `/__sim/iocs`);
 * - times from the simulators' own clocks: publication = the stream event id's ms part, storage = the IOC's
 *   `uploadTime` (all processes share the machine's clock);
 * - the connector's CPU time and peak RSS from `/proc/<pid>/stat` and `/proc/<pid>/status` (VmHWM), read just
 *   before it is stopped.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createEvent, type PublishedEvent } from "@octi/connector-sdk-testing";
import type { RequestLogEntry, SimulatorStats, StoredIoc } from "@octi/connector-sentinelone-intel/simulator";
import { connectorSettings, type RunningConnector, startConnectorProcess } from "./connector.js";
import { type LatencySummary, ProcSampler, type Progress, round, sleep, summarize } from "./measure.js";
import { MB, type ProcSnapshot, readProc } from "./proc.js";
import { describeExit } from "./processes.js";
import { OpenCtiProcess, SentinelOneProcess, uploadTimeMs } from "./simulators.js";
import { type Composition, liveIndicator, loadBacklog } from "./workload.js";

export interface BenchContext {
  readonly logDir: string;
  readonly profileDir: string;
  readonly pollMs: number;
  readonly env: NodeJS.ProcessEnv;
  /** Seed prefix: every run of the benchmark makes different ids. */
  readonly runId: string;
  readonly say: (line: string) => void;
  readonly progress: Progress;
  /** Extra environment of every connector process (`--connector-env`). */
  readonly connectorEnv: Readonly<Record<string, string>>;
  /** `--connector-main`. */
  readonly connectorMain: string | undefined;
  /** `--connector-node-flag`. */
  readonly connectorNodeFlags: readonly string[];
}

export interface ProcFigures {
  readonly cpuSeconds: number;
  /** The main (JavaScript) thread's share of `cpuSeconds`. */
  readonly mainThreadSeconds: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
  /** VmHWM. */
  readonly peakRssMB: number;
  /** VmRSS when read. */
  readonly rssMB: number;
}

export function figures(snapshot: ProcSnapshot | undefined, since?: ProcSnapshot): ProcFigures | undefined {
  if (!snapshot) return undefined;
  return {
    cpuSeconds: round(snapshot.cpuSeconds - (since?.cpuSeconds ?? 0), 2),
    mainThreadSeconds: round(snapshot.mainThreadSeconds - (since?.mainThreadSeconds ?? 0), 2),
    userSeconds: round(snapshot.userSeconds - (since?.userSeconds ?? 0), 2),
    systemSeconds: round(snapshot.systemSeconds - (since?.systemSeconds ?? 0), 2),
    peakRssMB: round(snapshot.peakRssBytes / MB, 1),
    rssMB: round(snapshot.rssBytes / MB, 1),
  };
}

// ---------------------------------------------------------------------------------------------- the rig

export interface Rig {
  readonly label: string;
  readonly opencti: OpenCtiProcess;
  readonly sentinelOne: SentinelOneProcess;
}

export interface RigOptions {
  readonly rateLimit?: { readonly rpm: number; readonly burst?: number };
  readonly latencyMs?: number;
  readonly profile?: boolean;
  /** OpenCTI's idle heartbeats move to `<now>-0`, as OpenCTI's do (a recovery snapshot's end shows on them). */
  readonly idleHeartbeatsAdvance?: boolean;
  /** OpenCTI's heartbeat period (default the simulator's). */
  readonly heartbeatMs?: number;
}

function profileFlags(ctx: BenchContext, label: string, who: string, profile: boolean | undefined): string[] {
  if (!profile) return [];
  mkdirSync(ctx.profileDir, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${ctx.profileDir}`, `--cpu-prof-name=${label}-${who}.cpuprofile`];
}

export async function withRig<T>(
  ctx: BenchContext,
  label: string,
  options: RigOptions,
  fn: (rig: Rig) => Promise<T>,
): Promise<T> {
  const common = { dir: ctx.logDir, label, env: ctx.env };
  const [opencti, sentinelOne] = await Promise.allSettled([
    OpenCtiProcess.start({
      ...common,
      nodeFlags: profileFlags(ctx, label, "opencti-simulator", options.profile),
      args: [
        ...(options.idleHeartbeatsAdvance ? ["--idle-heartbeats-advance"] : []),
        ...(options.heartbeatMs !== undefined ? ["--heartbeat-ms", String(options.heartbeatMs)] : []),
      ],
    }),
    SentinelOneProcess.start({
      ...common,
      nodeFlags: profileFlags(ctx, label, "sentinelone-simulator", options.profile),
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
    }),
  ]);
  if (opencti.status === "rejected" || sentinelOne.status === "rejected") {
    if (opencti.status === "fulfilled") await opencti.value.stop();
    if (sentinelOne.status === "fulfilled") await sentinelOne.value.stop();
    throw opencti.status === "rejected" ? opencti.reason : (sentinelOne as PromiseRejectedResult).reason;
  }
  try {
    return await fn({ label, opencti: opencti.value, sentinelOne: sentinelOne.value });
  } finally {
    await Promise.all([opencti.value.stop(), sentinelOne.value.stop()]);
  }
}

interface WaitOptions {
  readonly expected: number;
  readonly timeoutMs: number;
  /** Fail when the count has not moved for this long (default 180 s: longer than any Retry-After). */
  readonly stallMs?: number;
  readonly samplers: readonly ProcSampler[];
}

/** Polls the SentinelOne simulator until it holds `expected` IOCs; fails fast when the connector dies. */
async function waitForIocs(ctx: BenchContext, rig: Rig, connector: RunningConnector, options: WaitOptions) {
  const started = Date.now();
  let lastCount = -1;
  let lastMove = started;
  for (;;) {
    if (!connector.process.running) {
      throw new Error(
        `${rig.label}: the connector exited (${describeExit(connector.process.exit!)}) before SentinelOne held ${options.expected} IOCs: ${connector.process.logTail()}`,
      );
    }
    const stats = await rig.sentinelOne.stats();
    for (const sampler of options.samplers) sampler.tick();
    const now = Date.now();
    ctx.progress.update(
      `${rig.label}: ${stats.iocs}/${options.expected} IOCs, ${stats.requests} requests, ${stats.rateLimited} × 429, ${((now - started) / 1000).toFixed(1)} s`,
    );
    if (stats.iocs >= options.expected) return stats;
    if (stats.iocs !== lastCount) {
      lastCount = stats.iocs;
      lastMove = now;
    }
    if (now - started > options.timeoutMs || now - lastMove > (options.stallMs ?? 180_000)) {
      throw new Error(
        `${rig.label}: SentinelOne holds ${stats.iocs}/${options.expected} IOCs after ${Math.round((now - started) / 1000)} s (${now - lastMove > (options.stallMs ?? 180_000) ? "no progress" : "timeout"}); connector log: ${connector.process.logTail()}`,
      );
    }
    await sleep(ctx.pollMs);
  }
}

async function stopConnector(connector: RunningConnector): Promise<string> {
  const exit = await connector.process.stop(30_000);
  return describeExit(exit);
}

// ---------------------------------------------------------------------------------------------- backfill

export interface BackfillSpec {
  readonly label: string;
  readonly events: number;
  readonly batchSize?: number;
  readonly rateLimit?: { readonly rpm: number; readonly burst?: number };
  readonly latencyMs?: number;
  /** Compare the stored IOCs' externalIds with the expected STIX ids (lost / duplicated / unexpected). */
  readonly verifyIds: boolean;
  readonly profile?: boolean;
  readonly timeoutMs: number;
}

export interface IdCheck {
  readonly expected: number;
  readonly stored: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly unexpected: number;
}

export interface BackfillRun {
  readonly label: string;
  readonly events: number;
  readonly composition: Composition;
  readonly iocsExpected: number;
  readonly iocsStored: number;
  /** Expected IOCs missing from SentinelOne (by count, or by id when `ids` is set). */
  readonly lost: number;
  readonly ids?: IdCheck;
  /** Where the wall time went between the connector's create requests (when the ids were checked). */
  readonly timeline?: RequestTimeline;
  /** Connector spawn → the last IOC's uploadTime. */
  readonly wallSeconds: number;
  /** Connector spawn → the first IOC's uploadTime (start-up, registration, first batch). */
  readonly firstIocSeconds: number;
  /** Connector spawn → its first GraphQL request / its stream request (Node start-up, module loading, config). */
  readonly startup: { readonly firstGraphqlSeconds: number | null; readonly streamOpenedSeconds: number | null };
  /** Events per second of connector CPU (user + sys): what one core of connector could do alone. */
  readonly eventsPerConnectorCpuSecond: number;
  readonly eventsPerSecond: number;
  /** IOCs per second between the first and the last upload. */
  readonly iocsPerSecondAfterFirst: number;
  readonly requests: number;
  readonly requestsByStatus: Readonly<Record<string, number>>;
  /** POST requests answered 200. */
  readonly createRequests: number;
  readonly rateLimited: number;
  readonly iocsPerRequest: number;
  readonly connector: ProcFigures | undefined;
  readonly connectorExit: string;
  /** CPU the simulators used between the connector's spawn and the last IOC. */
  readonly openctiSimulator: ProcFigures | undefined;
  readonly sentinelOneSimulator: ProcFigures | undefined;
  readonly settings: Readonly<Record<string, string>>;
  readonly backlogLoadSeconds: number;
  /** The connector's RSS over time, `[s since spawn, MB]`. */
  readonly rssSeries: readonly [number, number][];
  readonly profiles?: readonly string[];
}

export async function runBackfill(ctx: BenchContext, spec: BackfillSpec): Promise<BackfillRun> {
  const rigOptions: RigOptions = {
    ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
    ...(spec.latencyMs ? { latencyMs: spec.latencyMs } : {}),
    ...(spec.profile ? { profile: true } : {}),
  };
  return withRig(ctx, spec.label, rigOptions, async (rig) => {
    ctx.progress.update(`${spec.label}: loading ${spec.events} events into the OpenCTI simulator`);
    const backlog = await loadBacklog(rig.opencti, spec.events, `${ctx.runId}:${spec.label}`);
    const expected = backlog.composition.supported;
    const openctiBefore = readProc(rig.opencti.process.pid);
    const s1Before = readProc(rig.sentinelOne.process.pid);
    const connector = await startConnectorProcess({
      dir: ctx.logDir,
      label: spec.label,
      opencti: rig.opencti,
      sentinelOne: rig.sentinelOne,
      ...(spec.batchSize !== undefined ? { batchSize: spec.batchSize } : {}),
      nodeFlags: [...ctx.connectorNodeFlags, ...profileFlags(ctx, spec.label, "connector", spec.profile)],
      extraEnv: ctx.connectorEnv,
      ...(ctx.connectorMain ? { main: ctx.connectorMain } : {}),
    });
    try {
      const sampler = new ProcSampler(connector.process.pid, connector.spawnedAt);
      const openctiSampler = new ProcSampler(rig.opencti.process.pid, connector.spawnedAt);
      const s1Sampler = new ProcSampler(rig.sentinelOne.process.pid, connector.spawnedAt);
      await waitForIocs(ctx, rig, connector, {
        expected,
        timeoutMs: spec.timeoutMs,
        samplers: [sampler, openctiSampler, s1Sampler],
      });
      const connectorFigures = figures(sampler.tick());
      const openctiFigures = figures(openctiSampler.tick(), openctiBefore);
      const s1Figures = figures(s1Sampler.tick(), s1Before);
      const ends = await rig.sentinelOne.ends();
      // A short look for anything sent after the expected count (duplicates would show here).
      await sleep(Math.min(500, ctx.pollMs * 4));
      const finalStats: SimulatorStats = await rig.sentinelOne.stats();
      const startup = await startupTimes(rig.opencti, connector.spawnedAt);
      const exit = await stopConnector(connector);
      let ids: IdCheck | undefined;
      let timeline: RequestTimeline | undefined;
      if (spec.verifyIds) {
        const iocs = await rig.sentinelOne.allIocs();
        ids = checkIds(iocs, backlog.expectedIds());
        timeline = requestTimeline(iocs, await rig.sentinelOne.requestLog());
      }
      const last = ends ? uploadTimeMs(ends.last) : Date.now();
      const first = ends ? uploadTimeMs(ends.first) : Date.now();
      const wallSeconds = (last - connector.spawnedAt) / 1000;
      // IOCs per create request: the connector's start-up listing (GET) and any deletes are not creates.
      const createRequests = finalStats.byMethod?.POST?.ok ?? finalStats.byStatus[200] ?? 0;
      return {
        label: spec.label,
        events: spec.events,
        composition: backlog.composition,
        iocsExpected: expected,
        iocsStored: finalStats.iocs,
        lost: ids ? ids.lost : Math.max(0, expected - finalStats.iocs),
        ...(ids ? { ids } : {}),
        ...(timeline ? { timeline } : {}),
        wallSeconds: round(wallSeconds, 3),
        firstIocSeconds: round((first - connector.spawnedAt) / 1000, 3),
        startup,
        eventsPerConnectorCpuSecond: connectorFigures
          ? round(spec.events / Math.max(0.01, connectorFigures.cpuSeconds), 0)
          : 0,
        eventsPerSecond: round(spec.events / wallSeconds, 1),
        iocsPerSecondAfterFirst: last > first ? round((finalStats.iocs - 1) / ((last - first) / 1000), 1) : 0,
        requests: finalStats.requests,
        requestsByStatus: finalStats.byStatus,
        rateLimited: finalStats.rateLimited,
        createRequests,
        iocsPerRequest: round(finalStats.iocsCreated / Math.max(1, createRequests), 1),
        connector: connectorFigures,
        connectorExit: exit,
        openctiSimulator: openctiFigures,
        sentinelOneSimulator: s1Figures,
        settings: connectorSettings(connector.env, ctx.connectorEnv),
        backlogLoadSeconds: round(backlog.loadMs / 1000, 2),
        rssSeries: sampler.rssSeries(),
        ...(spec.profile
          ? {
              profiles: ["connector", "opencti-simulator", "sentinelone-simulator"].map((who) =>
                join(ctx.profileDir, `${spec.label}-${who}.cpuprofile`),
              ),
            }
          : {}),
      };
    } finally {
      if (connector.process.running) await connector.process.stop(10_000);
    }
  });
}

/** When the connector first called GraphQL and opened the stream (the OpenCTI simulator's request log). */
async function startupTimes(opencti: OpenCtiProcess, spawnedAt: number): Promise<BackfillRun["startup"]> {
  try {
    const log = await opencti.requests();
    const first = (records: readonly { at: string }[]) =>
      records.length > 0 ? round((Date.parse(records[0]!.at) - spawnedAt) / 1000, 3) : null;
    return { firstGraphqlSeconds: first(log.graphql), streamOpenedSeconds: first(log.stream) };
  } catch {
    return { firstGraphqlSeconds: null, streamOpenedSeconds: null };
  }
}

export interface RequestTimeline {
  /** Successful create requests matched with their stored batch. */
  readonly creates: number;
  /** Request arrival → its IOCs stored (the simulator's parsing, validation, storage), ms. */
  readonly inSentinelOneMs: { readonly total: number; readonly median: number; readonly p90: number };
  /**
   * A batch stored → the next request arrives, ms: the simulator's answer (serialisation, transfer), then the
   * connector reading it and preparing the next request; 429 waits included.
   */
  readonly betweenRequestsMs: { readonly total: number; readonly median: number; readonly p90: number };
  /** The one create request in flight at a time: first arrival → last storage, ms. */
  readonly windowMs: number;
}

/**
 * Matches the simulator's request log with the stored batches (`batchId`, `uploadTime`): the connector sends one
 * create at a time, so the n-th successful POST stored the n-th batch.
 */
function requestTimeline(iocs: readonly StoredIoc[], log: readonly RequestLogEntry[]): RequestTimeline | undefined {
  const stored: number[] = [];
  let lastBatch: string | undefined;
  for (const ioc of iocs) {
    if (ioc.batchId === lastBatch) continue;
    lastBatch = ioc.batchId;
    stored.push(uploadTimeMs(ioc));
  }
  const arrivals = log.filter((r) => r.method === "POST" && r.status === 200).map((r) => r.at);
  if (arrivals.length === 0 || arrivals.length !== stored.length) return undefined;
  const inside: number[] = [];
  const between: number[] = [];
  for (let i = 0; i < arrivals.length; i++) {
    inside.push(stored[i]! - arrivals[i]!);
    if (i + 1 < arrivals.length) between.push(arrivals[i + 1]! - stored[i]!);
  }
  const stats = (values: number[]) => {
    const s = summarize(values);
    return {
      total: round(
        values.reduce((a, b) => a + b, 0),
        0,
      ),
      median: s.p50,
      p90: s.p90,
    };
  };
  return {
    creates: arrivals.length,
    inSentinelOneMs: stats(inside),
    betweenRequestsMs: stats(between),
    windowMs: round(stored[stored.length - 1]! - arrivals[0]!, 0),
  };
}

function checkIds(iocs: readonly StoredIoc[], expected: Set<string>): IdCheck {
  const seen = new Map<string, number>();
  for (const ioc of iocs) {
    const id = ioc.externalId ?? "";
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  let lost = 0;
  for (const id of expected) if (!seen.has(id)) lost++;
  let duplicates = 0;
  let unexpected = 0;
  for (const [id, n] of seen) {
    if (!expected.has(id)) unexpected += n;
    else duplicates += n - 1;
  }
  return { expected: expected.size, stored: iocs.length, lost, duplicates, unexpected };
}

// ---------------------------------------------------------------------------------------------- live

export interface LiveSpec {
  readonly rate: number;
  readonly seconds: number;
  readonly batchSize?: number;
  readonly timeoutMs: number;
}

export interface LiveRun {
  readonly label: string;
  readonly rate: number;
  readonly seconds: number;
  readonly published: number;
  /** Events published / publishing window. */
  readonly achievedRate: number;
  readonly publishWindowSeconds: number;
  /** Most events the publisher was ever behind its schedule (it catches up in one request). */
  readonly maxPublisherLagEvents: number;
  readonly warmupEvents: number;
  readonly iocsStored: number;
  readonly lost: number;
  /** Publication (event id ms) → storage (IOC uploadTime), ms. */
  readonly latencyMs: LatencySummary;
  /** Last publication → last IOC stored, ms. */
  readonly drainMs: number;
  readonly requests: number;
  readonly iocsPerRequest: number;
  /** CPU used during the publishing window and the drain, and its share of one core. */
  readonly connector: (ProcFigures & { readonly cpuPercentOfOneCore: number }) | undefined;
  readonly connectorExit: string;
  readonly settings: Readonly<Record<string, string>>;
}

export async function runLive(ctx: BenchContext, spec: LiveSpec): Promise<LiveRun> {
  const label = "live";
  return withRig(ctx, label, {}, async (rig) => {
    const connector = await startConnectorProcess({
      dir: ctx.logDir,
      label,
      opencti: rig.opencti,
      sentinelOne: rig.sentinelOne,
      ...(spec.batchSize !== undefined ? { batchSize: spec.batchSize } : {}),
      extraEnv: ctx.connectorEnv,
      ...(ctx.connectorMain ? { main: ctx.connectorMain } : {}),
      nodeFlags: ctx.connectorNodeFlags,
    });
    try {
      const sampler = new ProcSampler(connector.process.pid, connector.spawnedAt);
      // Caught up: the connector holds the stream open (it is empty).
      const deadline = Date.now() + 60_000;
      while ((await rig.opencti.status()).openStreams < 1) {
        if (!connector.process.running) throw new Error(`live: the connector exited: ${connector.process.logTail()}`);
        if (Date.now() > deadline)
          throw new Error(`live: the connector did not open the stream: ${connector.process.logTail()}`);
        await sleep(ctx.pollMs);
      }
      // Warm-up (connections, JIT), then a quiet second.
      const seed = `${ctx.runId}:live`;
      const warmup = Math.min(200, spec.rate);
      const now = new Date();
      await rig.opencti.publish(
        Array.from({ length: warmup }, (_, i) => createEvent(liveIndicator(i, `${seed}:warmup`, now))),
      );
      await waitForIocs(ctx, rig, connector, { expected: warmup, timeoutMs: 60_000, samplers: [sampler] });
      await sleep(1000);
      const before = sampler.tick();
      const statsBefore = await rig.sentinelOne.stats();

      const total = spec.rate * spec.seconds;
      const published = new Map<string, number>(); // STIX id → publication ms (stream id)
      let sent = 0;
      let maxLag = 0;
      const t0 = Date.now();
      let lastPublication = t0;
      while (sent < total) {
        const elapsed = Date.now() - t0;
        const due = Math.min(total, Math.floor((elapsed * spec.rate) / 1000) + 1);
        if (due > sent) {
          maxLag = Math.max(maxLag, due - sent - 1);
          const at = new Date();
          const events: PublishedEvent[] = [];
          const stixIds: string[] = [];
          for (let seq = sent; seq < due; seq++) {
            const indicator = liveIndicator(seq, seed, at);
            stixIds.push(indicator.id);
            events.push(createEvent(indicator));
          }
          const ids = await rig.opencti.publish(events);
          ids.forEach((id, i) => {
            const ms = Number(id.split("-")[0]);
            published.set(stixIds[i]!, ms);
            lastPublication = Math.max(lastPublication, ms);
          });
          sent = due;
        }
        sampler.tick();
        ctx.progress.update(`live: published ${sent}/${total} at ${spec.rate}/s`);
        const nextAt = t0 + (sent * 1000) / spec.rate;
        await sleep(Math.max(1, Math.min(10, nextAt - Date.now())));
      }
      const windowSeconds = (Date.now() - t0) / 1000;
      const stats = await waitForIocs(ctx, rig, connector, {
        expected: warmup + total,
        timeoutMs: spec.timeoutMs,
        samplers: [sampler],
      });
      const after = sampler.tick();
      const iocs = await rig.sentinelOne.allIocs();
      const latencies: number[] = [];
      let lastStored = 0;
      for (const ioc of iocs) {
        const at = published.get(ioc.externalId ?? "");
        if (at === undefined) continue;
        const stored = uploadTimeMs(ioc);
        lastStored = Math.max(lastStored, stored);
        latencies.push(stored - at);
        published.delete(ioc.externalId ?? "");
      }
      const exit = await stopConnector(connector);
      const cpu = figures(after, before);
      const busySeconds = ((after?.at ?? Date.now()) - (before?.at ?? t0)) / 1000;
      const created = stats.iocsCreated - statsBefore.iocsCreated;
      const requests = stats.requests - statsBefore.requests;
      return {
        label,
        rate: spec.rate,
        seconds: spec.seconds,
        published: total,
        achievedRate: round(total / windowSeconds, 1),
        publishWindowSeconds: round(windowSeconds, 2),
        maxPublisherLagEvents: maxLag,
        warmupEvents: warmup,
        iocsStored: latencies.length,
        lost: published.size,
        latencyMs: summarize(latencies),
        drainMs: round(lastStored - lastPublication, 1),
        requests,
        iocsPerRequest: round(created / Math.max(1, requests), 1),
        connector: cpu
          ? {
              ...cpu,
              peakRssMB: round((after?.peakRssBytes ?? 0) / MB, 1),
              rssMB: round((after?.rssBytes ?? 0) / MB, 1),
              cpuPercentOfOneCore: round((100 * cpu.cpuSeconds) / Math.max(0.001, busySeconds), 1),
            }
          : undefined,
        connectorExit: exit,
        settings: connectorSettings(connector.env, ctx.connectorEnv),
      };
    } finally {
      if (connector.process.running) await connector.process.stop(10_000);
    }
  });
}
