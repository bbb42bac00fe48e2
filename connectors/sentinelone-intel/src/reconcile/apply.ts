/**
 * `--apply`: the repairs of a drift plan, batched through the SentinelOne client.
 *
 * 1. Creates: the missing IOCs and the replacements of stale ones, in batches of `batchSize`. Their payloads are
 *    mapped again from a second pass over OpenCTI's snapshot (only the needed IOCs are kept, a batch at a time):
 *    holding every payload of a first run (100,000 IOCs) would not fit the memory budget.
 * 2. Deletes by uuids, up to 5,000 per request: orphans, duplicates, and the stale records once their replacement
 *    exists (a stale IOC keeps detecting until then).
 * Each request is paced and a 429 is waited out (`PacedCalls`). A write whose outcome is unknown stops the run
 * (exit 1): running reconciliation again sees what landed, so nothing is guessed.
 */
import type { SnapshotObject } from "@octi/connector-sdk";
import type { IndicatorMapper } from "../mapping/ioc-builder.js";
import { MAX_DELETE_UUIDS } from "../sentinelone/client.js";
import type { IocPayload } from "../sentinelone/types.js";
import type { DriftPlan } from "./diff.js";
import { iocKey } from "./fields.js";
import type { PacedCalls } from "./paced-calls.js";

export interface RepairApi {
  createIocs(iocs: readonly IocPayload[], signal?: AbortSignal): Promise<unknown>;
  deleteByUuids(uuids: readonly string[], signal?: AbortSignal): Promise<number>;
}

export interface RepairOptions {
  readonly source: string;
  readonly map: IndicatorMapper;
  /** The mapping's clock (the second snapshot's recover date). */
  readonly now: number;
  readonly batchSize: number;
  readonly calls: PacedCalls;
}

export interface RepairResult {
  /** IOCs created (missing + replacements). */
  readonly created: number;
  /** IOCs SentinelOne says it deleted. */
  readonly deleted: number;
  /** Needed IOCs the second snapshot no longer maps (changed in between): left to the live stream. */
  readonly vanished: number;
}

export async function applyPlan(
  api: RepairApi,
  plan: DriftPlan,
  snapshot: AsyncIterable<SnapshotObject>,
  options: RepairOptions,
): Promise<RepairResult> {
  const { calls } = options;
  const needed = new Set<string>();
  for (const m of plan.missing) needed.add(iocKey(m.externalId, m.type, m.value));
  for (const s of plan.stale) needed.add(iocKey(s.externalId, s.type, s.value));
  const wanted = needed.size;

  let created = 0;
  let batch: IocPayload[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    await calls.call(`Creating ${sending.length} IOCs`, false, () => api.createIocs(sending, calls.signal));
    created += sending.length;
  };
  if (needed.size > 0) {
    for await (const object of snapshot) {
      if (object.data.type !== "indicator") continue;
      const mapping = options.map(object.data, { source: options.source, now: options.now });
      if (mapping.kind === "skip") continue;
      for (const payload of mapping.payloads) {
        const key = iocKey(payload.externalId, payload.type, payload.value);
        if (!needed.delete(key)) continue;
        batch.push(payload);
        if (batch.length >= options.batchSize) await flush();
      }
      if (needed.size === 0) break;
    }
    await flush();
  }

  let deleted = 0;
  const uuids = [...plan.orphanUuids, ...plan.duplicateUuids, ...plan.stale.map((s) => s.uuid)];
  for (let start = 0; start < uuids.length; start += MAX_DELETE_UUIDS) {
    const chunk = uuids.slice(start, start + MAX_DELETE_UUIDS);
    // A delete by uuids can be repeated safely: a second one affects nothing more.
    deleted += await calls.call(`Deleting ${chunk.length} IOCs by uuid`, true, () =>
      api.deleteByUuids(chunk, calls.signal),
    );
  }
  return { created, deleted, vanished: wanted - created };
}
