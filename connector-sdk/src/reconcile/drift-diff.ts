/**
 * The drift between what OpenCTI's stream holds and what the target holds (decision 0013): the snapshot's
 * indicators through the connector's mapping are the expected side, the listed records of its `source` the held
 * side (other sources are counted, never touched: a target may ignore a source filter). `KeyedDiff` compares them;
 * this layer says which fingerprint the index should hold for each listed record: the expected one when in sync, so
 * that the sink's fingerprint plan keeps a record the target normalised instead of replacing it.
 */

import type { StixObject } from "../stream/envelope.js";
import type { IndexedRecord } from "../target-index/target-index.js";
import { ownCopy } from "../text/own-copy.js";
import { fieldValues, staleMask } from "./compared-fields.js";
import { type DiffCounts, isInSync, KeyedDiff } from "./keyed-diff.js";
import type { ReconcileItems } from "./spec.js";

export interface DriftPlan {
  readonly missing: readonly Readonly<Record<string, string>>[];
  readonly orphanIds: readonly string[];
  readonly duplicateIds: readonly string[];
  readonly stale: readonly { readonly [part: string]: unknown; readonly id: string; readonly fields: string[] }[];
}

export interface DriftCounts extends Omit<DiffCounts<string>, "expected" | "held"> {
  readonly indicators: number;
  readonly otherObjects: number;
  /** Indicators that map to nothing, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly expectedItems: number;
  /** Records listed, every source. */
  readonly listed: number;
  readonly ours: number;
  readonly otherSources: number;
  /** Records of our source without a remote id: they cannot be addressed (reported, left alone). */
  readonly withoutId: number;
}

/** Examples per category in the JSON report (the full lists are only needed to repair). */
export const SAMPLE_SIZE = 20;

const SEP = "\u0001";

/** The expected side of one item as one flat string: `group␁fingerprint␁field values…` (about 100 bytes). */
function unpack(expected: string): { group: string; fingerprint: string; values: number[] } {
  const [group = "", fingerprint = "", ...values] = expected.split(SEP);
  return { group, fingerprint, values: values.map(Number) };
}

export class DriftDiff<P, Rec> {
  private readonly diff: KeyedDiff<string, Rec, string>;
  private readonly skipped: Record<string, number> = {};
  private indicators = 0;
  private otherObjects = 0;
  private listed = 0;
  private ours = 0;
  private withoutId = 0;
  /** Sink keys (indicators; "" for records without one) with something to repair besides their missing items. */
  readonly touchedKeys = new Set<string>();

  constructor(
    private readonly target: ReconcileItems<P, Rec>,
    /** The mapping's clock (the snapshot's recover date). */
    private readonly now: number,
  ) {
    const fields = target.fields;
    this.diff = new KeyedDiff<string, Rec, string>({
      fields: fields.map((f) => f.name),
      compare: (expected, record) => staleMask(fields, unpack(expected).values, record),
    });
  }

  /** One object of the snapshot (all before any `addListed`). */
  addSnapshotObject(object: StixObject): void {
    if (this.listed > 0) throw new Error("the snapshot must be read before the listing");
    if (object.type !== "indicator") {
      this.otherObjects++;
      return;
    }
    this.indicators++;
    const payloads = this.target.map(object, this.now);
    if (typeof payloads === "string") {
      this.skipped[payloads] = (this.skipped[payloads] ?? 0) + 1;
      return;
    }
    for (const p of payloads) {
      const key = this.target.key(p);
      if (key === undefined) continue;
      const values = fieldValues(this.target.fields, p);
      this.diff.expect(ownCopy(key), ownCopy([object.id, this.target.fingerprint(p), ...values].join(SEP)));
    }
  }

  /** One listed record; returns it as the target index should hold it (undefined: not ours, or no id). */
  addListed(record: Rec): IndexedRecord | undefined {
    this.listed++;
    if (this.target.sourceOf(record) !== this.target.source) return undefined;
    this.ours++;
    const id = this.target.idOf(record);
    if (typeof id !== "string" || id === "") {
      this.withoutId++;
      return undefined;
    }
    const match = this.diff.hold(this.target.key(record), id, record);
    const group = this.target.groupOf(record);
    if (match === undefined || !match.first) this.touchedKeys.add(group);
    const fingerprint =
      match !== undefined && match.mask === 0 ? unpack(match.expected).fingerprint : this.target.fingerprint(record);
    return { id, key: group, fingerprint };
  }

  /** Sink keys to repair: those with missing or stale items, and those of orphans and copies. */
  repairKeys(): Set<string> {
    const keys = new Set(this.touchedKeys);
    for (const expected of this.diff.drifted()) keys.add(unpack(expected).group);
    return keys;
  }

  /** The first `limit` of each category. */
  plan(limit = Number.POSITIVE_INFINITY): DriftPlan {
    const plan = this.diff.plan();
    const describe = this.target.describeKey;
    return {
      missing: plan.missing.slice(0, limit).map(describe),
      orphanIds: plan.orphanIds.slice(0, limit),
      duplicateIds: plan.duplicateIds.slice(0, limit),
      stale: plan.stale.slice(0, limit).map((s) => ({ ...describe(s.key), id: s.id, fields: [...s.fields] })),
    };
  }

  counts(): DriftCounts {
    const { expected, held: _held, ...drift } = this.diff.counts();
    return {
      ...drift,
      indicators: this.indicators,
      otherObjects: this.otherObjects,
      skipped: { ...this.skipped },
      expectedItems: expected,
      listed: this.listed,
      ours: this.ours,
      otherSources: this.listed - this.ours,
      withoutId: this.withoutId,
    };
  }

  get inSync(): boolean {
    return isInSync(this.counts());
  }
}
