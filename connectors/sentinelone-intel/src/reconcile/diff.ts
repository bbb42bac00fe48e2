/**
 * The drift between what OpenCTI's stream holds and what SentinelOne holds: the SDK's `KeyedDiff` keyed by IOC
 * (externalId, type, value), compared on `validUntil`, name, description, score and labels (fields.ts). This layer
 * maps snapshot indicators to expected IOCs, keeps only records of our `source` (reference §4.1: GET may ignore
 * the filter; other sources are counted, never touched), and says which fingerprint the target index should hold
 * for each listed record: the expected IOC's when in sync, so that the sink's fingerprint plan keeps it.
 */
import {
  type DiffCounts,
  type IndexedRecord,
  isInSync as inSync,
  KeyedDiff,
  type StaleRecord,
  type StixObject,
} from "@octi/connector-sdk";
import type { IndicatorMapper } from "../mapping/ioc-builder.js";
import { fingerprintIoc } from "../sentinelone/fingerprint.js";
import type { IocRecord } from "../sentinelone/types.js";
import { type Comparable, comparableOf, iocKey, STALE_FIELDS, type StaleField, splitKey, staleMask } from "./fields.js";

export interface IocIdentity {
  readonly externalId: string;
  readonly type: string;
  readonly value: string;
}

export interface StaleIoc extends IocIdentity {
  readonly uuid: string;
  readonly fields: readonly StaleField[];
}

export interface DriftPlan {
  readonly missing: readonly IocIdentity[];
  readonly orphanUuids: readonly string[];
  readonly duplicateUuids: readonly string[];
  readonly stale: readonly StaleIoc[];
}

export interface DriftCounts extends Omit<DiffCounts<StaleField>, "expected" | "held"> {
  readonly indicators: number;
  readonly otherObjects: number;
  /** Indicators that map to no IOC, by skip reason. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly expectedIocs: number;
  /** Records listed, every source. */
  readonly listed: number;
  readonly ours: number;
  readonly otherSources: number;
  /** Records of our source without a uuid: they cannot be addressed (reported, left alone). */
  readonly withoutUuid: number;
}

export interface DriftOptions {
  readonly source: string;
  readonly map: IndicatorMapper;
  /** The mapping's clock (the snapshot's recover date). */
  readonly now: number;
}

/**
 * The expected side of one IOC as one flat string, `<fingerprint>|validUntilMs|name|description|score|labels`:
 * about 100 bytes once flat, where an object with its numbers and fingerprint cost about twice as much.
 */
type Expected = string;

const pack = (c: Comparable, fingerprint: string): Expected =>
  flat(`${fingerprint}|${c.validUntilMs}|${c.name}|${c.description}|${c.score}|${c.labels}`);

/**
 * A copy of `text` in one piece. A string built by concatenation is a tree of parts in V8 (32 bytes a node, the
 * parts kept alive): held for 100,000 IOCs, those trees were most of the heap (a heap snapshot: 1.3 million nodes).
 */
const flat = (text: string): string => Buffer.from(text, "utf8").toString("utf8");

function unpack(expected: Expected): { readonly comparable: Comparable; readonly fingerprint: string } {
  const [fingerprint = "", validUntilMs, name, description, score, labels] = expected.split("|");
  return {
    fingerprint,
    comparable: {
      validUntilMs: Number(validUntilMs),
      name: Number(name),
      description: Number(description),
      score: Number(score),
      labels: Number(labels),
    },
  };
}

export class DriftDiff {
  private readonly diff = new KeyedDiff<Expected, IocRecord, StaleField>({
    fields: STALE_FIELDS,
    // A record is only compared under its own key: its type is the expected one.
    compare: (expected, record) => staleMask(unpack(expected).comparable, record, String(record.type)),
  });
  private readonly skipped: Record<string, number> = {};
  private indicators = 0;
  private otherObjects = 0;
  private listed = 0;
  private ours = 0;
  private withoutUuid = 0;
  /** Indicators (externalIds; "" for records without one) with something to repair besides their missing IOCs. */
  readonly touchedKeys = new Set<string>();

  constructor(private readonly options: DriftOptions) {}

  /** One object of the snapshot (all before any `addListed`). */
  addSnapshotObject(object: StixObject): void {
    if (this.listed > 0) throw new Error("the snapshot must be read before the listing");
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
    for (const p of mapping.payloads) {
      this.diff.expect(flat(iocKey(p.externalId, p.type, p.value)), pack(comparableOf(p), fingerprintIoc(p)));
    }
  }

  /** One listed record; returns it as the target index should hold it (undefined: not ours, or no uuid). */
  addListed(record: IocRecord): IndexedRecord | undefined {
    this.listed++;
    if (record.source !== this.options.source) return undefined;
    this.ours++;
    const { uuid, externalId, type, value } = record;
    if (typeof uuid !== "string" || uuid === "") {
      this.withoutUuid++;
      return undefined;
    }
    const key =
      typeof externalId === "string" && typeof type === "string" && typeof value === "string"
        ? iocKey(externalId, type, value)
        : undefined;
    const match = this.diff.hold(key, uuid, record);
    const indicator = typeof externalId === "string" ? externalId : "";
    if (match === undefined || !match.first) this.touchedKeys.add(indicator);
    const inSync = match !== undefined && match.mask === 0;
    return {
      id: uuid,
      key: indicator,
      fingerprint: inSync ? unpack(match.expected).fingerprint : fingerprintIoc(record),
    };
  }

  plan(): DriftPlan {
    const plan = this.diff.plan();
    const identity = (s: StaleRecord<StaleField>): StaleIoc => ({ ...splitKey(s.key), uuid: s.id, fields: s.fields });
    return {
      missing: plan.missing.map(splitKey),
      orphanUuids: plan.orphanIds,
      duplicateUuids: plan.duplicateIds,
      stale: plan.stale.map(identity),
    };
  }

  counts(): DriftCounts {
    const { expected, held: _held, ...drift } = this.diff.counts();
    return {
      ...drift,
      indicators: this.indicators,
      otherObjects: this.otherObjects,
      skipped: { ...this.skipped },
      expectedIocs: expected,
      listed: this.listed,
      ours: this.ours,
      otherSources: this.listed - this.ours,
      withoutUuid: this.withoutUuid,
    };
  }
}

export const isInSync = (counts: DriftCounts): boolean => inSync(counts);

/** Examples per category in the JSON report (the full lists are only needed to repair). */
export const SAMPLE_SIZE = 20;

/** The first few of each category (what the report shows; the full plan is not kept). */
export function samplesOf(plan: DriftPlan): DriftPlan {
  return {
    missing: plan.missing.slice(0, SAMPLE_SIZE),
    orphanUuids: plan.orphanUuids.slice(0, SAMPLE_SIZE),
    duplicateUuids: plan.duplicateUuids.slice(0, SAMPLE_SIZE),
    stale: plan.stale.slice(0, SAMPLE_SIZE),
  };
}
