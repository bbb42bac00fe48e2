/** What one key needs, given the records the index holds for it: the diff by fingerprint. */
import type { IndexedRecord } from "../target-index/target-index.js";
import type { SinkItem } from "./types.js";

export interface KeyPlan<P> {
  /** Delete every record of the key by key (the index cannot vouch for it), before any create. */
  readonly deleteKey: boolean;
  /** Records to delete by remote id (not wanted any more, extra copies). */
  readonly deleteIds: readonly IndexedRecord[];
  /** Items to create (wanted, not held with the same fingerprint). */
  readonly create: readonly SinkItem<P>[];
}

/**
 * Wanted items are matched to held records by fingerprint, one record per item: a record already there is not sent
 * again; a held record nothing wants (an old version, a duplicate) is deleted; a wanted item nothing holds is
 * created. A key the index cannot vouch for (`uncertain`: a create whose outcome is unknown) and of which it knows
 * no record is deleted by key first, so that a copy the index does not know cannot survive.
 */
export function planKey<P>(
  wanted: readonly SinkItem<P>[],
  held: readonly IndexedRecord[],
  uncertain: boolean,
): KeyPlan<P> {
  if (held.length === 0) return uncertain ? { deleteKey: true, deleteIds: [], create: wanted } : createAll(wanted);
  const available = new Map<string, IndexedRecord[]>();
  for (const record of held) {
    const same = available.get(record.fingerprint);
    if (same) same.push(record);
    else available.set(record.fingerprint, [record]);
  }
  const create: SinkItem<P>[] = [];
  for (const item of wanted) {
    const same = available.get(item.fingerprint);
    if (same && same.length > 0) same.pop();
    else create.push(item);
  }
  const deleteIds: IndexedRecord[] = [];
  for (const same of available.values()) deleteIds.push(...same);
  return { deleteKey: false, deleteIds, create };
}

const NONE: readonly IndexedRecord[] = [];

/** A key the index holds nothing for (most keys of a backfill): no map, no copies. */
function createAll<P>(wanted: readonly SinkItem<P>[]): KeyPlan<P> {
  return { deleteKey: false, deleteIds: NONE, create: wanted };
}
