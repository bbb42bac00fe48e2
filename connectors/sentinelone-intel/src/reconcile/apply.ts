/**
 * `--apply`: the repairs of a drift, as sink changes (the SDK's `SinkQueue` plans each indicator against the index
 * the listing rebuilt, batches, paces and orders the requests, and records what it created in the index).
 *
 * A second pass over OpenCTI's snapshot enqueues the current IOCs of each indicator with something to repair
 * (missing, stale, duplicated or orphaned IOCs); indicators with records in SentinelOne that the snapshot no
 * longer wants are set to "no IOCs" (deleted by uuid). Holding every payload of the first pass would not fit the
 * memory budget at 100,000 IOCs; back-pressure bounds what is queued.
 */
import type { SnapshotObject } from "@octi/connector-sdk";
import type { IndicatorMapper } from "../mapping/ioc-builder.js";
import { fingerprintIoc } from "../sentinelone/fingerprint.js";
import type { DriftPlan } from "./diff.js";
import type { ReconcileSink } from "./sink.js";

export interface RepairOptions {
  readonly source: string;
  readonly map: IndicatorMapper;
  /** The mapping's clock (the second snapshot's recover date). */
  readonly now: number;
}

/** The indicators to enqueue: those with missing or stale IOCs, plus those the diff found orphans or copies of. */
export function indicatorsToRepair(plan: DriftPlan, touched: ReadonlySet<string>): Set<string> {
  const keys = new Set(touched);
  for (const m of plan.missing) keys.add(m.externalId);
  for (const s of plan.stale) keys.add(s.externalId);
  return keys;
}

/** Enqueues the repairs and waits until SentinelOne has them. */
export async function applyRepairs(
  sink: ReconcileSink,
  keys: Set<string>,
  snapshot: AsyncIterable<SnapshotObject>,
  options: RepairOptions,
): Promise<void> {
  const noop = () => {};
  for await (const object of snapshot) {
    if (keys.size === 0) break;
    const indicator = object.data;
    if (indicator.type !== "indicator" || !keys.delete(indicator.id)) continue;
    const mapping = options.map(indicator, { source: options.source, now: options.now });
    const items =
      mapping.kind === "skip"
        ? []
        : mapping.payloads.map((payload) => ({ payload, fingerprint: fingerprintIoc(payload) }));
    await sink.queue.enqueue([{ key: indicator.id, items }], object.streamId, noop);
  }
  // Not in the snapshot (any more): none of their IOCs is wanted.
  await sink.queue.enqueue(
    [...keys].map((key) => ({ key, items: [] })),
    "reconcile",
    noop,
  );
  await sink.drain();
}
