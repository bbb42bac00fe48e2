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
import {
  type Comparable,
  comparableOf,
  iocKey,
  type StaleField,
  type StaleMask,
  splitKey,
  staleFields,
  staleMask,
} from "./fields.js";

/** One expected IOC and what the listing found for it. */
interface ExpectedEntry {
  readonly comparable: Comparable;
  /** The record kept for this IOC (an in-sync one when there is one). */
  kept: string | undefined;
  keptMask: StaleMask;
  /** Further records of the same IOC: duplicates. */
  extra: string[] | undefined;
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
  private readonly expected = new Map<string, ExpectedEntry>();
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
      this.expected.set(iocKey(payload.externalId, payload.type, payload.value), {
        comparable: comparableOf(payload),
        kept: undefined,
        keptMask: 0,
        extra: undefined,
      });
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
    const entry =
      typeof externalId === "string" && typeof type === "string" && typeof value === "string"
        ? this.expected.get(iocKey(externalId, type, value))
        : undefined;
    if (entry === undefined || type === undefined) {
      this.orphanUuids.push(uuid);
      return;
    }
    const mask = staleMask(entry.comparable, record, type);
    if (entry.kept === undefined) {
      entry.kept = uuid;
      entry.keptMask = mask;
    } else if (entry.keptMask !== 0 && mask === 0) {
      entry.extra = [...(entry.extra ?? []), entry.kept];
      entry.kept = uuid;
      entry.keptMask = 0;
    } else {
      entry.extra = [...(entry.extra ?? []), uuid];
    }
  }

  plan(): DriftPlan {
    const missing: IocIdentity[] = [];
    const duplicateUuids: string[] = [];
    const stale: StaleIoc[] = [];
    for (const [key, entry] of this.expected) {
      if (entry.kept === undefined) {
        missing.push(splitKey(key));
        continue;
      }
      if (entry.extra) duplicateUuids.push(...entry.extra);
      if (entry.keptMask !== 0) stale.push({ ...splitKey(key), uuid: entry.kept, fields: staleFields(entry.keptMask) });
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
