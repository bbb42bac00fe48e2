/**
 * One reconciliation: OpenCTI's recovery snapshot through the handler's mapping, then SentinelOne's listing of our
 * scope, then the diff; with `apply`, the repairs (apply.ts). Nothing is registered or pinged in OpenCTI; a dry run
 * creates and deletes nothing.
 * The configuration is loaded exactly as a run loads it (same schema, loader, cross-field rules and search dirs).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import {
  createHttpAgents,
  createLogger,
  createMetrics,
  JsonLinesFile,
  type Logger,
  loadPluginConfig,
  metricByLabel,
  type ProgressDisplayOptions,
  type ProgressState,
  ReconcileQueue,
  RecoverySnapshot,
  reconcileMetrics,
  snapshotOptionsFromConfig,
  startProgressDisplay,
  TargetIndex,
} from "@octi/connector-sdk";
import { plugin } from "../index.js";
import { mapIndicator } from "../mapping/ioc-builder.js";
import { SentinelOneMetrics } from "../metrics.js";
import { SentinelOneClient } from "../sentinelone/client.js";
import type { DeadLetterRecord } from "../sentinelone/dead-letter.js";
import { indexIdentity } from "../sentinelone/push-queue.js";
import { SentinelOneTarget } from "../sentinelone/target.js";
import type { IocPayload, IocRecord, IocScope } from "../sentinelone/types.js";
import { indicatorChanges, indicatorsToRepair } from "./apply.js";
import { type DriftCounts, DriftDiff, type DriftPlan, isInSync, samplesOf } from "./diff.js";

export interface ReconcileOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where config.yml and .env are looked for (the run's search directories). */
  readonly searchDirs: readonly string[];
  /** Requests per minute towards SentinelOne (default 30, its documented Threat Intelligence limit). */
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
  readonly scope: IocScope;
  readonly counts: DriftCounts;
  readonly opencti: { readonly objects: number; readonly malformed: number; readonly reconnects: number };
  readonly sentinelone: {
    readonly pages: number;
    readonly totalItems: number | undefined;
    /** Requests sent by kind (`list`, `create`, `delete_ids`, `delete_key`), failed attempts included. */
    readonly requests: Readonly<Record<string, number>>;
    readonly rateLimited: number;
  };
  /** What `--apply` did (absent on a dry run or when in sync): IOCs created, IOCs SentinelOne says it deleted. */
  readonly repair?: { readonly created: number; readonly deleted: number };
  readonly durationMs: number;
}

export interface ReconcileResult {
  readonly report: ReconcileReport;
  readonly plan: DriftPlan;
}

/** Loads the configuration (throws `ConfigValidationError` listing every problem) and runs the dry run. */
export async function runReconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const started = Date.now();
  const loaded = loadPluginConfig(plugin, { env: options.env, searchDirs: [...options.searchDirs] });
  const config = loaded.config;
  const logger: Logger = createLogger({
    name: `${config.connector.name} reconcile`,
    level: config.connector.log_level,
    json: config.opencti.json_logging,
    secrets: loaded.secrets,
    ...(options.logStream ? { stream: options.logStream } : {}),
  });
  for (const warning of loaded.warnings) logger.warning(warning);
  const settings = loaded.settings;
  const agents = createHttpAgents(options.env);
  try {
    const openSnapshot = (recoverUntilMs: number) =>
      new RecoverySnapshot({
        ...snapshotOptionsFromConfig(config, { agents, logger, ...(options.signal ? { signal: options.signal } : {}) }),
        recoverUntilMs,
        // Parsed objects waiting for the diff: a few hundred keep the socket busy without holding megabytes.
        maxBuffered: 256,
      });
    const snapshot = openSnapshot(options.now ?? Date.now());
    // Released once the listing is over: the repairs need only the plan's keys (100,000 IOCs hold tens of MB).
    let diff: DriftDiff | undefined = new DriftDiff({
      source: settings.source,
      map: mapIndicator,
      now: snapshot.recoverUntilMs,
    });
    logger.info("Reading OpenCTI's recovery snapshot of the live stream", {
      stream_id: config.connector.live_stream_id,
      recover_until: snapshot.recoverUntil,
    });
    let phase: "snapshot" | "listing" | "repair" = "snapshot";
    let sink: ReconcileQueue<IocPayload, IocRecord> | undefined;
    const display = options.progress
      ? startProgressDisplay({
          stream: options.progress,
          logger,
          ...(options.progressIntervalMs !== undefined ? { plainIntervalMs: options.progressIntervalMs } : {}),
          read: () => progressState(phase, snapshot.stats.objects, sink),
        })
      : undefined;
    try {
      for await (const object of snapshot) diff.addSnapshotObject(object.data);
    } catch (error) {
      display?.stop();
      throw error;
    }
    logger.info("Snapshot read", { objects: snapshot.stats.objects, malformed: snapshot.stats.malformed });

    // A private registry: the tool's counters must not touch anything else.
    const metrics = createMetrics({ namespace: "", subsystem: "" });
    const s1Metrics = new SentinelOneMetrics(metrics);
    const client = new SentinelOneClient(settings, agents, s1Metrics);
    const target = new SentinelOneTarget(
      client,
      settings,
      new JsonLinesFile<DeadLetterRecord>(settings.deadLetterPath, loaded.secrets),
      s1Metrics,
      Date.now,
    );
    const scratch = options.apply ? undefined : mkdtempSync(join(tmpdir(), "octi-reconcile-"));
    const indexPath = scratch ? join(scratch, "index.sqlite") : settings.indexPath;
    sink = new ReconcileQueue<IocPayload, IocRecord>({
      target,
      listing: {
        listRaw: async (cursor, signal) => {
          const page = await client.listIocs({ limit: 1000, ...(cursor !== undefined ? { cursor } : {}) }, signal);
          return {
            records: page.data,
            nextCursor: page.nextCursor,
            ...(page.totalItems !== undefined ? { total: page.totalItems } : {}),
          };
        },
        indexed: (record) => diff?.addListed(record),
      },
      // --apply rebuilds the connector's own index on the way; a dry run leaves it alone and uses a scratch file
      // (on disk, so that its memory stays bounded by SQLite's page cache at 100,000 IOCs).
      openIndex: () => TargetIndex.open({ path: indexPath, identity: indexIdentity(settings) }),
      options: {
        batchSize: settings.batchSize,
        flushIntervalMs: settings.flushIntervalMs,
        // The repairs come from a second snapshot pass that can wait: a few batches pending keep every request
        // full without holding thousands of payloads.
        maxPending: Math.min(settings.maxPendingIocs, settings.batchSize * 2),
        retryBaseMs: settings.retryBaseMs,
        retryMaxDelayMs: settings.retryMaxDelayMs,
        requestsPerMinute: options.requestsPerMinute ?? settings.requestsPerMinute,
        listingMarginMs: settings.listingMarginMs,
      },
      logger,
      metrics,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      phase = "listing";
      await sink.list();
      const full = diff.plan();
      const counts = diff.counts();
      const repairKeys = indicatorsToRepair(full, diff.touchedKeys);
      const plan = samplesOf(full);
      diff = undefined;
      const inSync = isInSync(counts);
      let repair: ReconcileReport["repair"];
      if (options.apply && !inSync) {
        logger.info("Repairing the drift", {
          missing: counts.missing,
          orphans: counts.orphans,
          duplicates: counts.duplicates,
          stale: counts.stale,
        });
        phase = "repair";
        const second = openSnapshot(Date.now());
        await sink.repair(
          repairKeys,
          indicatorChanges(second, repairKeys, {
            source: settings.source,
            map: mapIndicator,
            now: second.recoverUntilMs,
          }),
        );
        const sum = (by: Record<string, number>) => Object.values(by).reduce((a, b) => a + b, 0);
        repair = {
          created: (await metricByLabel(metrics.registry, "sink_operations_total", "kind")).create ?? 0,
          deleted: sum(await metricByLabel(metrics.registry, "sentinelone_iocs_deleted_total", "")),
        };
        logger.info("Drift repaired", repair);
      }
      const durationMs = Date.now() - started;
      reconcileMetrics(metrics).record("command", counts, durationMs);
      const { pages, total: totalItems } = sink.listing;
      return {
        plan,
        report: {
          mode: options.apply ? "apply" : "dry-run",
          inSync,
          recoverUntil: snapshot.recoverUntil,
          source: settings.source,
          scope: settings.scope,
          counts,
          opencti: {
            objects: snapshot.stats.objects,
            malformed: snapshot.stats.malformed,
            reconnects: snapshot.stats.reconnects,
          },
          sentinelone: {
            pages,
            totalItems,
            requests: await metricByLabel(metrics.registry, "sink_requests_total", "kind"),
            rateLimited:
              (await metricByLabel(metrics.registry, "sentinelone_retries_total", "reason")).rate_limited ?? 0,
          },
          ...(repair ? { repair } : {}),
          durationMs,
        },
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

function progressState(
  phase: "snapshot" | "listing" | "repair",
  events: number,
  sink: ReconcileQueue<IocPayload, IocRecord> | undefined,
): ProgressState {
  if (phase === "snapshot" || sink === undefined) {
    return { phase: "reading OpenCTI's snapshot", fields: { "events read": events } };
  }
  const { records, total } = sink.listing;
  const left = sink.requestsAvailable;
  const fields = {
    "events read": events,
    "IOCs listed": total === undefined ? records : `${records}/${total}`,
    "requests left under the rate limit": Number.isFinite(left) ? left : "unpaced",
  };
  if (phase === "repair") return { phase: "repairing", fields: { ...fields, "changes pending": sink.pending } };
  return {
    phase: "listing SentinelOne",
    fields,
    ...(total !== undefined && total > 0 ? { fraction: records / total } : {}),
  };
}
