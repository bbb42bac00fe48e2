/**
 * The churn run (see churn-workload.ts for the feed): N creates published live; once every indicator has an IOC in
 * SentinelOne, the two score updates of every indicator, the revocations and the later `valid_until`s are published
 * at once. SentinelOne is rate limited (30 requests/minute by default). The run ends when SentinelOne holds exactly
 * the expected IOCs and still does once the connector has saved a position at or past the last event (settled: the
 * time reported is when that matching state began), or at the deadline; it reports the state at that moment.
 * With `kills`, the connector gets SIGKILL that many times (then is restarted, same connector id and working
 * directory): once during the creates, then once after the churn's first write, then once after the restarted
 * connector's first write.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { PublishedEvent } from "@octi/connector-sdk-testing";
import type { MethodStats, SimulatorStats, StoredIoc } from "@octi/connector-sentinelone-intel/simulator";
import { buildChurnFeed, type ChurnCheck, checkChurn, createsLanded } from "./churn-workload.js";
import { connectorSettings, type RunningConnector, startConnectorProcess } from "./connector.js";
import { ProcSampler, round, sleep } from "./measure.js";
import { MB } from "./proc.js";
import { describeExit } from "./processes.js";
import { type BenchContext, type Rig, withRig } from "./scenarios.js";

export interface ChurnSpec {
  readonly label: string;
  readonly size: number;
  readonly rpm: number;
  readonly burst?: number;
  /** From the first churn event's publication; then the state is reported as "not settled". */
  readonly deadlineMs: number;
  /** SIGKILLs of the connector during the run (0: none). */
  readonly kills: number;
  readonly batchSize?: number;
  /** How long the creates may take to be in SentinelOne before the run fails. */
  readonly createsTimeoutMs: number;
}

/** Requests SentinelOne answered during a phase. */
export interface PhaseRequests {
  /** Every request answered (429s included). */
  readonly total: number;
  readonly rateLimited: number;
  /** By method: answered, answered 200, items of the 200s (IOCs sent / listed / deleted). */
  readonly byMethod: Readonly<Record<string, MethodStats>>;
  readonly iocsCreated: number;
  readonly iocsDeleted: number;
  /** (IOCs created + upserted + deleted) / POST and DELETE requests answered 200. */
  readonly iocOperationsPerWrite: number;
}

export interface ChurnKill {
  /** Seconds since the first create was published. */
  readonly atSeconds: number;
  readonly phase: "creates" | "churn";
  /** What SentinelOne held then. */
  readonly iocs: number;
  /** How the killed process ended (`signal SIGKILL`). */
  readonly exit: string;
}

export interface ChurnRun {
  readonly label: string;
  readonly size: number;
  readonly rpm: number;
  readonly burst: number;
  readonly deadlineSeconds: number;
  readonly events: { readonly creates: number; readonly scoreUpdates: number; readonly finalUpdates: number };
  readonly killsRequested: number;
  readonly kills: readonly ChurnKill[];
  /** First create published → every indicator has an IOC. */
  readonly createsSeconds: number;
  readonly createRequests: PhaseRequests;
  /**
   * SentinelOne holds exactly the expected IOCs (each with its current validUntil), and still did once the
   * connector's saved position reached the last published event (so no pending work can change it again).
   */
  readonly settled: boolean;
  /** First churn event published → the start of the matching state that lasted to that confirmation; null if none. */
  readonly settleSeconds: number | null;
  /** First churn event published → the connector's saved position reached the last event, state still matching. */
  readonly confirmedSeconds: number | null;
  /** Seconds the churn phase was watched (to the settle, or to the deadline). */
  readonly churnSeconds: number;
  readonly churnRequests: PhaseRequests;
  /** SentinelOne against the expected state when settled, or at the deadline. */
  readonly state: ChurnCheck;
  /** Peak RSS (VmHWM) over every connector process of the run, and the last one's RSS when stopped. */
  readonly connector: { readonly peakRssMB: number; readonly rssMB: number; readonly cpuSeconds: number };
  /** How the last connector process ended when the run stopped it (SIGTERM, then SIGKILL after 30 s). */
  readonly finalExit: string;
  readonly settings: Readonly<Record<string, string>>;
}

const PUBLISH_BLOCK = 1_000;

/** Publishes in blocks; answers the last stream id. */
async function publishAll(rig: Rig, events: readonly PublishedEvent[]): Promise<string | undefined> {
  let last: string | undefined;
  for (let i = 0; i < events.length; i += PUBLISH_BLOCK) {
    const ids = await rig.opencti.publish(events.slice(i, i + PUBLISH_BLOCK));
    last = ids[ids.length - 1] ?? last;
  }
  return last;
}

/** `<ms>-<seq>` stream ids in stream order. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am !== bm ? am - bm : as - bs;
}

/** The position the connector last saved in OpenCTI (`start_from` of its state), if any. */
async function savedPosition(rig: Rig, connectorId: string): Promise<string | undefined> {
  const connector = (await rig.opencti.status()).connectors.find((c) => c.id === connectorId);
  if (typeof connector?.state !== "string" || connector.state === "") return undefined;
  try {
    const state: unknown = JSON.parse(connector.state);
    if (typeof state === "object" && state !== null && "start_from" in state && typeof state.start_from === "string") {
      return state.start_from;
    }
  } catch {
    // not JSON: nothing saved that we can read
  }
  return undefined;
}

export function diffRequests(after: SimulatorStats, before: SimulatorStats): PhaseRequests {
  const byMethod: Record<string, MethodStats> = {};
  for (const [method, m] of Object.entries(after.byMethod ?? {})) {
    const b = before.byMethod?.[method] ?? { requests: 0, ok: 0, items: 0 };
    if (m.requests === b.requests) continue;
    byMethod[method] = { requests: m.requests - b.requests, ok: m.ok - b.ok, items: m.items - b.items };
  }
  const writes = (byMethod.POST?.ok ?? 0) + (byMethod.DELETE?.ok ?? 0);
  const created = after.iocsCreated - before.iocsCreated;
  const updated = after.iocsUpdated - before.iocsUpdated;
  const deleted = after.iocsDeleted - before.iocsDeleted;
  return {
    total: after.requests - before.requests,
    rateLimited: after.rateLimited - before.rateLimited,
    byMethod,
    iocsCreated: created,
    iocsDeleted: deleted,
    iocOperationsPerWrite: round((created + updated + deleted) / Math.max(1, writes), 1),
  };
}

const writesOf = (s: SimulatorStats): number => (s.byMethod?.POST?.ok ?? 0) + (s.byMethod?.DELETE?.ok ?? 0);
const versionOf = (s: SimulatorStats): number => s.iocsCreated + s.iocsUpdated + s.iocsDeleted;

export async function runChurn(ctx: BenchContext, spec: ChurnSpec): Promise<ChurnRun> {
  const rateLimit = { rpm: spec.rpm, ...(spec.burst !== undefined ? { burst: spec.burst } : {}) };
  return withRig(ctx, spec.label, { rateLimit }, async (rig) => {
    const say = (text: string) => ctx.progress.update(`${spec.label}: ${text}`);
    const feed = buildChurnFeed(spec.size, `${ctx.runId}:${spec.label}`, new Date());
    // Its own working directory, kept across restarts (a connector's on-disk files, if any, survive a SIGKILL).
    const workDir = join(ctx.logDir, `${spec.label}-work`);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const connectorId = randomUUID();
    let peakRssMB = 0;
    let cpuSeconds = 0;
    let launches = 0;
    let connector: RunningConnector;
    let sampler: ProcSampler;
    const launch = async () => {
      connector = await startConnectorProcess({
        dir: ctx.logDir,
        label: spec.label,
        cwd: workDir,
        logSuffix: launches === 0 ? "" : `-restart-${launches}`,
        opencti: rig.opencti,
        sentinelOne: rig.sentinelOne,
        ...(spec.batchSize !== undefined ? { batchSize: spec.batchSize } : {}),
        nodeFlags: ctx.connectorNodeFlags,
        extraEnv: { ...ctx.connectorEnv, CONNECTOR_ID: connectorId },
        ...(ctx.connectorMain ? { main: ctx.connectorMain } : {}),
      });
      launches++;
      sampler = new ProcSampler(connector.process.pid, connector.spawnedAt);
    };
    /** Reads the process' last figures (VmHWM, CPU) before it goes. */
    const account = () => {
      const last = sampler.tick() ?? sampler.last;
      if (!last) return;
      peakRssMB = Math.max(peakRssMB, last.peakRssBytes / MB);
      cpuSeconds += last.cpuSeconds;
    };
    const alive = () => {
      if (!connector.process.running) {
        throw new Error(
          `${spec.label}: the connector exited (${describeExit(connector.process.exit!)}): ${connector.process.logTail()}`,
        );
      }
    };
    const kills: ChurnKill[] = [];
    let t0 = Date.now();
    const killAndRestart = async (phase: ChurnKill["phase"], iocs: number) => {
      account();
      const exit = await connector.process.kill();
      kills.push({ atSeconds: round((Date.now() - t0) / 1000, 2), phase, iocs, exit: describeExit(exit) });
      await launch();
    };
    const allIocs = (): Promise<StoredIoc[]> => rig.sentinelOne.allIocs();

    await launch();
    try {
      // The connector is up and reading the (empty) stream: what follows is live.
      const openBy = Date.now() + 60_000;
      while ((await rig.opencti.status()).openStreams < 1) {
        alive();
        if (Date.now() > openBy) throw new Error(`${spec.label}: the connector did not open the stream`);
        await sleep(ctx.pollMs);
      }

      // 1. Creates, until every indicator has an IOC.
      const start = await rig.sentinelOne.stats();
      t0 = Date.now();
      await publishAll(rig, feed.creates);
      let landed = 0;
      let checkedAt = -1;
      for (;;) {
        alive();
        const stats = await rig.sentinelOne.stats();
        sampler!.tick();
        if (kills.length < Math.min(1, spec.kills) && stats.iocsCreated > start.iocsCreated) {
          await killAndRestart("creates", stats.iocs);
          continue;
        }
        if (stats.iocs >= spec.size && versionOf(stats) !== checkedAt) {
          checkedAt = versionOf(stats);
          landed = createsLanded(await allIocs(), feed.expected);
          if (landed === spec.size) break;
        }
        say(`creates: ${stats.iocs}/${spec.size} IOCs, ${stats.requests} requests, ${stats.rateLimited} × 429`);
        if (Date.now() - t0 > spec.createsTimeoutMs) {
          throw new Error(
            `${spec.label}: after ${Math.round((Date.now() - t0) / 1000)} s SentinelOne holds ${stats.iocs} IOCs (${landed} of ${spec.size} indicators); connector log: ${connector!.process.logTail()}`,
          );
        }
        await sleep(ctx.pollMs);
      }
      const createsDone = Date.now();
      const beforeChurn = await rig.sentinelOne.stats();

      // 2. The churn: score updates, then revocations and later valid_until, all published at once.
      const tChurn = Date.now();
      const lastScore = await publishAll(rig, feed.scoreUpdates);
      const lastEventId = (await publishAll(rig, feed.finalUpdates)) ?? lastScore ?? "0-0";
      const deadline = tChurn + spec.deadlineMs;
      let state: ChurnCheck | undefined;
      let lastVersion = versionOf(beforeChurn);
      let writesAtRestart = writesOf(beforeChurn);
      let matchedSince: number | null = null;
      let settledAt: number | null = null;
      let confirmedAt: number | null = null;
      for (;;) {
        alive();
        const stats = await rig.sentinelOne.stats();
        sampler!.tick();
        const now = Date.now();
        if (versionOf(stats) !== lastVersion || now >= deadline) {
          lastVersion = versionOf(stats);
          state = checkChurn(await allIocs(), feed.expected);
          if (!state.settled) matchedSince = null;
          else matchedSince ??= now;
        }
        if (matchedSince !== null) {
          const saved = await savedPosition(rig, connectorId);
          if (saved !== undefined && compareStreamIds(saved, lastEventId) >= 0) {
            settledAt = matchedSince;
            confirmedAt = Date.now();
            break;
          }
        }
        if (now >= deadline) break;
        if (kills.length < spec.kills && writesOf(stats) > writesAtRestart) {
          await killAndRestart("churn", stats.iocs);
          writesAtRestart = writesOf(await rig.sentinelOne.stats());
          continue;
        }
        say(
          `churn: ${stats.iocs} IOCs, ${stats.requests - beforeChurn.requests} requests, ${((now - tChurn) / 1000).toFixed(0)}/${Math.round(spec.deadlineMs / 1000)} s`,
        );
        await sleep(Math.max(ctx.pollMs, 200));
      }
      const watchedUntil = confirmedAt ?? Date.now();
      const end = await rig.sentinelOne.stats();
      account();
      const rssMB = round((sampler!.last?.rssBytes ?? 0) / MB, 1);
      const finalExit = describeExit(await connector!.process.stop(30_000));
      return {
        label: spec.label,
        size: spec.size,
        rpm: spec.rpm,
        burst: spec.burst ?? spec.rpm,
        deadlineSeconds: round(spec.deadlineMs / 1000, 1),
        events: {
          creates: feed.creates.length,
          scoreUpdates: feed.scoreUpdates.length,
          finalUpdates: feed.finalUpdates.length,
        },
        killsRequested: spec.kills,
        kills,
        createsSeconds: round((createsDone - t0) / 1000, 2),
        createRequests: diffRequests(beforeChurn, start),
        settled: settledAt !== null,
        settleSeconds: settledAt !== null ? round((settledAt - tChurn) / 1000, 2) : null,
        confirmedSeconds: confirmedAt !== null ? round((confirmedAt - tChurn) / 1000, 2) : null,
        churnSeconds: round((watchedUntil - tChurn) / 1000, 2),
        churnRequests: diffRequests(end, beforeChurn),
        state: state ?? checkChurn(await allIocs(), feed.expected),
        connector: { peakRssMB: round(peakRssMB, 1), rssMB, cpuSeconds: round(cpuSeconds, 2) },
        finalExit,
        settings: connectorSettings(connector!.env, ctx.connectorEnv),
      };
    } finally {
      if (connector!.process.running) await connector!.process.stop(10_000);
    }
  });
}
