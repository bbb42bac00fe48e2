/**
 * One reconciliation: OpenCTI's recovery snapshot through the handler's mapping, then SentinelOne's listing of our
 * scope, then the diff; with `apply`, the repairs (apply.ts). Nothing is registered or pinged in OpenCTI; a dry run
 * creates and deletes nothing.
 * The configuration is loaded exactly as a run loads it (same schema, loader, cross-field rules and search dirs).
 */

import type { Writable } from "node:stream";
import {
  createHttpAgents,
  createLogger,
  createMetrics,
  type Logger,
  loadPluginConfig,
  RecoverySnapshot,
  snapshotOptionsFromConfig,
} from "@octi/connector-sdk";
import { plugin } from "../index.js";
import { mapIndicator } from "../mapping/ioc-builder.js";
import { SentinelOneMetrics } from "../metrics.js";
import { SentinelOneClient } from "../sentinelone/client.js";
import type { IocScope } from "../sentinelone/types.js";
import { applyPlan, type RepairResult } from "./apply.js";
import { type DriftCounts, DriftDiff, type DriftPlan, isInSync } from "./diff.js";
import { IocListing, type ListingStats } from "./listing.js";
import { PacedCalls } from "./paced-calls.js";

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
  readonly sentinelone: Pick<ListingStats, "pages" | "requests" | "rateLimited" | "totalItems" | "waitedMs">;
  /** What `--apply` did (absent on a dry run or when in sync). */
  readonly repair?: RepairResult;
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
    const diff = new DriftDiff({ source: settings.source, map: mapIndicator, now: snapshot.recoverUntilMs });
    logger.info("Reading OpenCTI's recovery snapshot of the live stream", {
      stream_id: config.connector.live_stream_id,
      recover_until: snapshot.recoverUntil,
    });
    for await (const object of snapshot) {
      diff.addSnapshotObject(object.data);
      if (snapshot.stats.objects % 10_000 === 0) logger.info("Snapshot progress", { objects: snapshot.stats.objects });
    }
    logger.info("Snapshot read", { objects: snapshot.stats.objects, malformed: snapshot.stats.malformed });

    // A private registry: the tool's request counter must not touch anything else.
    const metrics = new SentinelOneMetrics(createMetrics({ namespace: "", subsystem: "" }));
    const client = new SentinelOneClient(settings, agents, metrics);
    // One pace for every request of the run (listing and repairs share SentinelOne's rate limit).
    const calls = new PacedCalls({
      requestsPerMinute: options.requestsPerMinute ?? 30,
      retryMaxMs: settings.retryMaxDelayMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const listing = new IocListing(client, {
      calls,
      onPage: (stats) =>
        logger.info("Listing SentinelOne IOCs", {
          pages: stats.pages,
          records: stats.records,
          total: stats.totalItems,
          rate_limited: stats.rateLimited,
        }),
    });
    for await (const record of listing) diff.addListed(record);

    const plan = diff.plan();
    const counts = diff.counts(plan);
    const inSync = isInSync(counts);
    let repair: RepairResult | undefined;
    if (options.apply && !inSync) {
      logger.info("Repairing the drift", {
        missing: counts.missing,
        orphans: counts.orphans,
        duplicates: counts.duplicates,
        stale: counts.stale,
      });
      const second = openSnapshot(Date.now());
      repair = await applyPlan(client, plan, second, {
        source: settings.source,
        map: mapIndicator,
        now: second.recoverUntilMs,
        batchSize: settings.batchSize,
        calls,
      });
      logger.info("Drift repaired", { ...repair });
    }
    const { pages, totalItems } = listing.stats;
    const { requests, rateLimited, waitedMs } = calls.stats;
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
        sentinelone: { pages, requests, rateLimited, totalItems, waitedMs },
        ...(repair ? { repair } : {}),
        durationMs: Date.now() - started,
      },
    };
  } finally {
    agents.destroy();
  }
}
