/**
 * `--apply`: which indicators to repair, and their current IOCs as sink changes from a second pass over OpenCTI's
 * snapshot (holding every payload of the first pass would not fit the memory budget at 100,000 IOCs). The SDK's
 * `ReconcileQueue` enqueues those of the plan, sets the others it names to "no IOCs", and applies them.
 */
import type { SinkChange, SnapshotObject } from "@octi/connector-sdk";
import type { IndicatorMapper } from "../mapping/ioc-builder.js";
import { fingerprintIoc } from "../sentinelone/fingerprint.js";
import type { IocPayload } from "../sentinelone/types.js";
import type { DriftPlan } from "./diff.js";

/** Indicators with missing or stale IOCs, plus those the diff found orphans or copies of ("" for no externalId). */
export function indicatorsToRepair(plan: DriftPlan, touched: ReadonlySet<string>): Set<string> {
  const keys = new Set(touched);
  for (const m of plan.missing) keys.add(m.externalId);
  for (const s of plan.stale) keys.add(s.externalId);
  return keys;
}

/**
 * The snapshot indicators of `keys` as the state each should reach in SentinelOne (no IOCs when it no longer maps);
 * the others are not mapped again (at 100,000 IOCs that garbage was most of the repair phase's memory).
 */
export async function* indicatorChanges(
  snapshot: AsyncIterable<SnapshotObject>,
  keys: ReadonlySet<string>,
  options: { readonly source: string; readonly map: IndicatorMapper; readonly now: number },
): AsyncGenerator<SinkChange<IocPayload> & { eventId: string }> {
  for await (const object of snapshot) {
    const indicator = object.data;
    if (indicator.type !== "indicator" || !keys.has(indicator.id)) continue;
    const mapping = options.map(indicator, { source: options.source, now: options.now });
    const payloads = mapping.kind === "skip" ? [] : mapping.payloads;
    yield {
      key: indicator.id,
      items: payloads.map((payload) => ({ payload, fingerprint: fingerprintIoc(payload) })),
      eventId: object.streamId,
    };
  }
}
