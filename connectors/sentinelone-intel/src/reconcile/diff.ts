/**
 * The drift between what OpenCTI's stream holds and what SentinelOne holds, computed without network access:
 * feed the expected IOCs (each snapshot indicator through the handler's mapping), then every listed record, then
 * read the result.
 *
 * - missing: an expected IOC with no record                               → create
 * - orphan: a record of our source whose IOC is not expected (indicator
 *   gone, revoked, expired or no longer mapping; or no externalId)        → delete by uuid
 * - duplicate: a second (third…) record of one IOC                         → delete by uuid
 * - stale: the kept record differs in validUntil, name, description,
 *   score or labels                                                       → replace
 * Records of another `source` are counted and never touched, whatever the server's filter did (reference §4.1).
 *
 * Memory: one small entry per expected IOC (key string + numbers), one uuid string per record to delete; the
 * records themselves are never kept.
 */
import type { StixObject } from "@octi/connector-sdk";
import type { IndicatorMapper } from "../mapping/ioc-builder.js";
import type { IocRecord } from "../sentinelone/types.js";
import { type Comparable, comparableOf, iocKey, type StaleField, splitKey, staleFields, staleMask } from "./fields.js";

/**
 * The expected IOCs, column-wise: one slot per IOC in typed arrays (about 30 bytes) plus its key in the index map.
 * A uuid is only kept for the record that stands for an IOC while that record is stale (a later in-sync record
 * then takes its place and it becomes a duplicate); in-sync records need none.
 */
class ExpectedColumns {
  size = 0;
  validUntilMs = new Float64Array(1024);
  name = new Int32Array(1024);
  description = new Int32Array(1024);
  labels = new Int32Array(1024);
  score = new Int8Array(1024);
  /** 1 once a record stands for the IOC. */
  listed = new Uint8Array(1024);
  /** The stale fields of that record. */
  keptMask = new Uint8Array(1024);

  add(): number {
    if (this.size === this.validUntilMs.length) this.grow(this.size * 2);
    return this.size++;
  }

  set(slot: number, c: Comparable): void {
    this.validUntilMs[slot] = c.validUntilMs;
    this.name[slot] = c.name;
    this.description[slot] = c.description;
    this.labels[slot] = c.labels;
    this.score[slot] = c.score;
  }

  comparable(slot: number): Comparable {
    return {
      validUntilMs: this.validUntilMs[slot] ?? Number.NaN,
      name: this.name[slot] ?? 0,
      description: this.description[slot] ?? 0,
      labels: this.labels[slot] ?? 0,
      score: this.score[slot] ?? -1,
    };
  }

  private grow(capacity: number): void {
    const grown = <A extends Float64Array | Int32Array | Int8Array | Uint8Array>(old: A, fresh: A): A => {
      fresh.set(old);
      return fresh;
    };
    this.validUntilMs = grown(this.validUntilMs, new Float64Array(capacity));
    this.name = grown(this.name, new Int32Array(capacity));
    this.description = grown(this.description, new Int32Array(capacity));
    this.labels = grown(this.labels, new Int32Array(capacity));
    this.score = grown(this.score, new Int8Array(capacity));
    this.listed = grown(this.listed, new Uint8Array(capacity));
    this.keptMask = grown(this.keptMask, new Uint8Array(capacity));
  }
}

export interface IocIdentity {
  readonly externalId: string;
  readonly type: string;
  readonly value: string;
}

export interface StaleIoc extends IocIdentity {
  readonly uuid: string;
  readonly fields: readonly StaleField[];
}

/** The repairs, in full (for `--apply`), plus counts. */
export interface DriftPlan {
  readonly missing: readonly IocIdentity[];
  readonly orphanUuids: readonly string[];
  readonly duplicateUuids: readonly string[];
  readonly stale: readonly StaleIoc[];
}

export interface DriftCounts {
  /** Indicators (and other objects) read from the snapshot. */
  readonly indicators: number;
  readonly otherObjects: number;
  /** Indicators that map to no IOC, by skip reason. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly expectedIocs: number;
  /** Records listed, every source. */
  readonly listed: number;
  readonly ours: number;
  /** Records of another source: never touched. */
  readonly otherSources: number;
  /** Records of our source without a uuid: they cannot be addressed (reported, left alone). */
  readonly withoutUuid: number;
  readonly inSync: number;
  readonly missing: number;
  readonly orphans: number;
  readonly duplicates: number;
  readonly stale: number;
  readonly staleByField: Readonly<Record<StaleField, number>>;
}

export interface DriftOptions {
  /** Our IOC `source` (config `sentinelone_intel.source`). */
  readonly source: string;
  /** The handler's mapping (`mapIndicator`). */
  readonly map: IndicatorMapper;
  /** The clock the mapping's expiry check uses (the snapshot's recover date). */
  readonly now: number;
}

export class DriftDiff {
  /** IOC key → slot in `columns`. */
  private readonly expected = new Map<string, number>();
  private readonly columns = new ExpectedColumns();
  /** Uuid of the stale record standing for a slot. */
  private readonly staleUuids = new Map<number, string>();
  /** Further records of a slot's IOC: duplicates. */
  private readonly extras = new Map<number, string[]>();
  private readonly skipped: Record<string, number> = {};
  private indicators = 0;
  private otherObjects = 0;
  private listing = false;
  private listed = 0;
  private ours = 0;
  private otherSources = 0;
  private withoutUuid = 0;
  private readonly orphanUuids: string[] = [];

  constructor(private readonly options: DriftOptions) {}

  /** One object of the snapshot (before any `addListed`). */
  addSnapshotObject(object: StixObject): void {
    if (this.listing) throw new Error("the snapshot must be read before the listing");
    if (object.type !== "indicator") {
      this.otherObjects++;
      return;
    }
    this.indicators++;
    const mapping = this.options.map(object, { source: this.options.source, now: this.options.now });
    if (mapping.kind === "skip") {
      this.skipped[mapping.reason] = (this.skipped[mapping.reason] ?? 0) + 1;
      return;
    }
    for (const payload of mapping.payloads) {
      const key = iocKey(payload.externalId, payload.type, payload.value);
      let slot = this.expected.get(key);
      if (slot === undefined) {
        slot = this.columns.add();
        this.expected.set(key, slot);
      }
      this.columns.set(slot, comparableOf(payload));
    }
  }

  /** One record of SentinelOne's listing. */
  addListed(record: IocRecord): void {
    this.listing = true;
    this.listed++;
    if (record.source !== this.options.source) {
      this.otherSources++;
      return;
    }
    this.ours++;
    const uuid = record.uuid;
    if (typeof uuid !== "string" || uuid === "") {
      this.withoutUuid++;
      return;
    }
    const { externalId, type, value } = record;
    const slot =
      typeof externalId === "string" && typeof type === "string" && typeof value === "string"
        ? this.expected.get(iocKey(externalId, type, value))
        : undefined;
    if (slot === undefined || typeof type !== "string") {
      this.orphanUuids.push(uuid);
      return;
    }
    const { columns } = this;
    const mask = staleMask(columns.comparable(slot), record, type);
    if (columns.listed[slot] === 0) {
      columns.listed[slot] = 1;
      columns.keptMask[slot] = mask;
      if (mask !== 0) this.staleUuids.set(slot, uuid);
      return;
    }
    const keptStale = this.staleUuids.get(slot);
    if (keptStale !== undefined && mask === 0) {
      // An in-sync record stands for the IOC; the stale one becomes the duplicate.
      this.addExtra(slot, keptStale);
      this.staleUuids.delete(slot);
      columns.keptMask[slot] = 0;
    } else {
      this.addExtra(slot, uuid);
    }
  }

  private addExtra(slot: number, uuid: string): void {
    const extra = this.extras.get(slot);
    if (extra) extra.push(uuid);
    else this.extras.set(slot, [uuid]);
  }

  plan(): DriftPlan {
    const missing: IocIdentity[] = [];
    const duplicateUuids: string[] = [];
    const stale: StaleIoc[] = [];
    const { columns } = this;
    for (const [key, slot] of this.expected) {
      if (columns.listed[slot] === 0) {
        missing.push(splitKey(key));
        continue;
      }
      const extra = this.extras.get(slot);
      if (extra) duplicateUuids.push(...extra);
      const mask = columns.keptMask[slot] ?? 0;
      const uuid = this.staleUuids.get(slot);
      if (mask !== 0 && uuid !== undefined) stale.push({ ...splitKey(key), uuid, fields: staleFields(mask) });
    }
    return { missing, orphanUuids: [...this.orphanUuids], duplicateUuids, stale };
  }

  counts(plan: DriftPlan = this.plan()): DriftCounts {
    const staleByField: Record<StaleField, number> = { validUntil: 0, name: 0, description: 0, score: 0, labels: 0 };
    for (const s of plan.stale) for (const f of s.fields) staleByField[f]++;
    const matched = this.expected.size - plan.missing.length;
    return {
      indicators: this.indicators,
      otherObjects: this.otherObjects,
      skipped: { ...this.skipped },
      expectedIocs: this.expected.size,
      listed: this.listed,
      ours: this.ours,
      otherSources: this.otherSources,
      withoutUuid: this.withoutUuid,
      inSync: matched - plan.stale.length,
      missing: plan.missing.length,
      orphans: plan.orphanUuids.length,
      duplicates: plan.duplicateUuids.length,
      stale: plan.stale.length,
      staleByField,
    };
  }
}

/** No repair to make. */
export function isInSync(counts: DriftCounts): boolean {
  return counts.missing + counts.orphans + counts.duplicates + counts.stale === 0;
}
