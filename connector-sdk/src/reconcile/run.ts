/**
 * One reconciliation (decision 0013): OpenCTI's recovery snapshot through the connector's mapping, then the
 * target's full listing (paced, into a rebuilt index), then the diff; with `apply`, the repairs through the sink
 * queue. Nothing is registered or pinged in OpenCTI; a dry run creates and deletes nothing. The configuration is
 * loaded exactly as a run loads it (`loadPluginConfig`: same schema, cross-field rules and search directories).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { NamespaceSchema } from "../config/types.js";
import { createHttpAgents } from "../http/agents.js";
import { createLogger } from "../logging/logger.js";
import { createMetrics } from "../metrics/metrics.js";
import { JsonLinesFile } from "../runtime/dead-letter.js";
import type { StreamEventHandler } from "../runtime/plugin.js";
import { loadPluginConfig } from "../runtime/plugin-config.js";
import { type ProgressDisplayOptions, type ProgressState, startProgressDisplay } from "../runtime/progress.js";
import type { SinkChange } from "../sink/types.js";
import { RecoverySnapshot, type SnapshotObject, snapshotOptionsFromConfig } from "../stream/snapshot.js";
import { TargetIndex } from "../target-index/target-index.js";
import { type DriftCounts, DriftDiff, type DriftPlan, SAMPLE_SIZE } from "./drift-diff.js";
import { reconcileMetrics } from "./metrics.js";
import { ReconcileQueue } from "./reconcile-queue.js";
import type { ReconcileItems, ReconcileSpec } from "./spec.js";
import { metricByLabel } from "./summary.js";

export interface ReconcileOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where config.yml and .env are looked for (the run's search directories). */
  readonly searchDirs: readonly string[];
  /** Requests per minute towards the target (default: the connector's setting). */
  readonly requestsPerMinute?: number;
  /** Where log lines go (default stderr). */
  readonly logStream?: Writable;
  readonly signal?: AbortSignal;
  /** The recover date (default now). */
  readonly now?: number;
  /** Repair the drift (`--apply`) instead of only reporting it. */
  readonly apply?: boolean;
  /** Where the progress bar is drawn when it is a terminal (else plain log lines). Default: none. */
  readonly progress?: ProgressDisplayOptions["stream"];
  /** Between plain progress lines (default 10 s). */
  readonly progressIntervalMs?: number;
}

export interface ReconcileReport {
  readonly mode: "dry-run" | "apply";
  readonly inSync: boolean;
  /** The snapshot's recover date: OpenCTI's side is as of then. */
  readonly recoverUntil: string;
  readonly source: string;
  readonly scope: object;
  readonly counts: DriftCounts;
  readonly opencti: { readonly objects: number; readonly malformed: number; readonly reconnects: number };
  readonly target: {
    readonly pages: number;
    readonly totalItems: number | undefined;
    /** Requests sent by kind (`list`, `create`, `delete_ids`, `delete_key`), failed attempts included. */
    readonly requests: Readonly<Record<string, number>>;
    readonly rateLimited: number;
  };
  /** What `--apply` did (absent on a dry run or when in sync): records created, ids deleted. */
  readonly repair?: { readonly created: number; readonly deleted: number };
  readonly durationMs: number;
  /** The first few of each category. */
  readonly samples: DriftPlan;
}

type Phase = "snapshot" | "listing" | "repair";

/** Loads the configuration (throws `ConfigValidationError` listing every problem), then reconciles. */
export async function runReconcile<S extends NamespaceSchema, R, H extends StreamEventHandler, P, Rec>(
  spec: ReconcileSpec<S, R, H, P, Rec>,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const started = Date.now();
  const loaded = loadPluginConfig(spec.plugin, { env: options.env, searchDirs: [...options.searchDirs] });
  const config = loaded.config;
  const logger = createLogger({
    name: `${config.connector.name} reconcile`,
    level: config.connector.log_level,
    json: config.opencti.json_logging,
    secrets: loaded.secrets,
    ...(options.logStream ? { stream: options.logStream } : {}),
  });
  for (const warning of loaded.warnings) logger.warning(warning);
  const agents = createHttpAgents(options.env);
  const signal = options.signal ? { signal: options.signal } : {};
  // A private registry: the command's counters must not touch anything else.
  const metrics = createMetrics({ namespace: "", subsystem: "" });
  try {
    const side = spec.open({
      settings: loaded.settings,
      loaded,
      agents,
      logger,
      metrics,
      deadLetter: (path) => new JsonLinesFile(path, loaded.secrets),
    });
    const openSnapshot = (recoverUntilMs: number) =>
      new RecoverySnapshot({
        ...snapshotOptionsFromConfig(config, { agents, logger, ...signal }),
        recoverUntilMs,
        // Parsed objects waiting for the diff: a few hundred keep the socket busy without holding megabytes.
        maxBuffered: 256,
      });
    const snapshot = openSnapshot(options.now ?? Date.now());
    // Released once the listing is over: the repairs need only the keys to repair.
    let diff: DriftDiff<P, Rec> | undefined = new DriftDiff(side, snapshot.recoverUntilMs);
    logger.info("Reading OpenCTI's recovery snapshot of the live stream", {
      stream_id: config.connector.live_stream_id,
      recover_until: snapshot.recoverUntil,
    });
    let phase: Phase = "snapshot";
    let sink: ReconcileQueue<P, Rec> | undefined;
    const display = options.progress
      ? startProgressDisplay({
          stream: options.progress,
          logger,
          ...(options.progressIntervalMs !== undefined ? { plainIntervalMs: options.progressIntervalMs } : {}),
          read: () => progressState(phase, snapshot.stats.objects, sink, spec.names),
        })
      : undefined;
    try {
      for await (const object of snapshot) diff.addSnapshotObject(object.data);
    } catch (error) {
      display?.stop();
      throw error;
    }
    logger.info("Snapshot read", { objects: snapshot.stats.objects, malformed: snapshot.stats.malformed });

    // --apply rebuilds the connector's own index on the way; a dry run leaves it alone and uses a scratch file
    // (on disk, so that its memory stays bounded by SQLite's page cache at 100,000 records).
    const scratch = options.apply ? undefined : mkdtempSync(join(tmpdir(), "octi-reconcile-"));
    const indexPath = scratch ? join(scratch, "index.sqlite") : side.index.path;
    sink = new ReconcileQueue<P, Rec>({
      target: side.target,
      // Through `diff` itself, not a copy: the closure outlives the listing and must not keep the diff (about 30 MB
      // at 100,000 IOCs) alive during the repairs.
      listing: { listRaw: (cursor, s) => side.listRaw(cursor, s), indexed: (record) => diff?.addListed(record) },
      openIndex: () => TargetIndex.open({ ...side.index, path: indexPath }),
      options: {
        ...side.options,
        // The repairs come from a second snapshot pass that can wait: a few batches pending keep every request
        // full without holding thousands of payloads.
        maxPending: Math.min(side.options.maxPending, side.options.batchSize * 2),
        ...(options.requestsPerMinute !== undefined ? { requestsPerMinute: options.requestsPerMinute } : {}),
      },
      logger,
      metrics,
      ...signal,
    });
    try {
      phase = "listing";
      await sink.list();
      const counts = diff.counts();
      const samples = diff.plan(SAMPLE_SIZE);
      const repairKeys = diff.repairKeys();
      const inSync = diff.inSync;
      diff = undefined;
      let repair: ReconcileReport["repair"];
      if (options.apply && !inSync) {
        const { missing, orphans, duplicates, stale } = counts;
        logger.info("Repairing the drift", { missing, orphans, duplicates, stale });
        phase = "repair";
        const second = openSnapshot(Date.now());
        await sink.repair(repairKeys, changesOf(second, repairKeys, side, second.recoverUntilMs));
        const done = await metricByLabel(metrics.registry, "sink_operations_total", "kind");
        repair = { created: done.create ?? 0, deleted: (done.delete_ids ?? 0) + (done.delete_key ?? 0) };
        logger.info("Drift repaired", repair);
      }
      const durationMs = Date.now() - started;
      reconcileMetrics(metrics).record("command", counts, durationMs);
      const { pages, total: totalItems, rateLimited } = sink.listing;
      const { objects, malformed, reconnects } = snapshot.stats;
      return {
        mode: options.apply ? "apply" : "dry-run",
        inSync,
        recoverUntil: snapshot.recoverUntil,
        source: side.source,
        scope: side.scope,
        counts,
        opencti: { objects, malformed, reconnects },
        target: {
          pages,
          totalItems,
          requests: await metricByLabel(metrics.registry, "sink_requests_total", "kind"),
          rateLimited,
        },
        ...(repair ? { repair } : {}),
        durationMs,
        samples,
      };
    } finally {
      display?.stop();
      sink.stop();
      // The queue closes its index once its loop has unwound; the scratch file goes with the process otherwise.
      if (scratch) setImmediate(() => rmSync(scratch, { recursive: true, force: true }));
    }
  } finally {
    agents.destroy();
  }
}

/**
 * `--apply`: the snapshot indicators of `keys` as the state each should reach in the target (no records when it no
 * longer maps), from a second pass (holding every payload of the first would not fit the memory budget at 100,000);
 * the others are not mapped again (at 100,000 IOCs that garbage was most of the repair phase's memory).
 */
async function* changesOf<P, Rec>(
  snapshot: AsyncIterable<SnapshotObject>,
  keys: ReadonlySet<string>,
  side: ReconcileItems<P, Rec>,
  now: number,
): AsyncGenerator<SinkChange<P> & { eventId: string }> {
  for await (const object of snapshot) {
    if (object.data.type !== "indicator" || !keys.has(object.data.id)) continue;
    const payloads = side.map(object.data, now);
    const items = typeof payloads === "string" ? [] : payloads;
    yield {
      key: object.data.id,
      items: items.map((payload) => ({ payload, fingerprint: side.fingerprint(payload) })),
      // The stream hands over ids in one piece (LiveStream copies them out of the SSE chunk they came in).
      eventId: object.streamId,
    };
  }
}

function progressState<P, Rec>(
  phase: Phase,
  events: number,
  sink: ReconcileQueue<P, Rec> | undefined,
  names: ReconcileSpec<NamespaceSchema, unknown, StreamEventHandler, P, Rec>["names"],
): ProgressState {
  if (phase === "snapshot" || sink === undefined) {
    return { phase: "reading OpenCTI's snapshot", fields: { "events read": events } };
  }
  const { records, total } = sink.listing;
  const left = sink.requestsAvailable;
  const fields = {
    "events read": events,
    [`${names.items} listed`]: total === undefined ? records : `${records}/${total}`,
    "requests left under the rate limit": Number.isFinite(left) ? left : "unpaced",
  };
  if (phase === "repair") return { phase: "repairing", fields: { ...fields, "changes pending": sink.pending } };
  return {
    phase: `listing ${names.target}`,
    fields,
    ...(total !== undefined && total > 0 ? { fraction: records / total } : {}),
  };
}
