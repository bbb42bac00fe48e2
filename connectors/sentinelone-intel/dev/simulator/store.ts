/**
 * In-memory IOC store sized for ~1,000,000 records: records kept in sequence order (keyset paging by `seq`),
 * plus indexes by uuid, externalId, value and batchId so lookups and deletes by those keys cost O(matches).
 */
import type { IocScope, IocType, StoredIoc } from "./types.js";

export interface Entry {
  /** Monotonic insertion number; the `id` sort order and the cursor position. */
  readonly seq: number;
  rec: StoredIoc;
  /** Owning account / site (for filters and token visibility); null when not applicable or unknown. */
  readonly accountId: string | null;
  readonly siteId: string | null;
  dead: boolean;
}

export type ListField = "labels" | "malwareNames" | "threatActors" | "threatActorTypes" | "campaignNames" | "category";
export type TimeField = "creationTime" | "uploadTime" | "updatedAt";
export type RangeOp = "gt" | "gte" | "lt" | "lte";

/** GET / DELETE match criteria (all ANDed; list-valued criteria match any of their items). */
export interface Criteria {
  uuids?: ReadonlySet<string>;
  value?: string;
  type?: IocType;
  externalId?: string;
  batchId?: string;
  sources?: ReadonlySet<string>;
  /** Case-insensitive substrings, any of which must occur. */
  nameContains?: readonly string[];
  creatorContains?: readonly string[];
  descriptionContains?: readonly string[];
  listIn?: readonly { field: ListField; values: ReadonlySet<string> }[];
  severity?: ReadonlySet<number>;
  /** Bounds as formatted timestamps (fixed width, so string comparison is chronological). */
  ranges?: readonly { field: TimeField; op: RangeOp; at: string }[];
  accountIds?: ReadonlySet<string>;
  siteIds?: ReadonlySet<string>;
  /** tenant=true: only global-scope records. */
  globalOnly?: boolean;
  /** Token visibility. */
  visible: (e: Entry) => boolean;
}

export type SortBy = "id" | "creationTime" | "uploadTime" | "updatedAt" | "source" | "type";

type Bucket = Entry | Set<Entry>;

function bucketAdd(map: Map<string, Bucket>, key: string, e: Entry): void {
  const b = map.get(key);
  if (b === undefined) map.set(key, e);
  else if (b instanceof Set) b.add(e);
  else map.set(key, new Set([b, e]));
}

function bucketRemove(map: Map<string, Bucket>, key: string, e: Entry): void {
  const b = map.get(key);
  if (b === undefined) return;
  if (b instanceof Set) {
    b.delete(e);
    if (b.size === 1) map.set(key, b.values().next().value as Entry);
    else if (b.size === 0) map.delete(key);
  } else if (b === e) map.delete(key);
}

function bucketEntries(b: Bucket | undefined): Entry[] {
  if (b === undefined) return [];
  return b instanceof Set ? [...b] : [b];
}

const INTERN_LIMIT = 50_000;

export class IocStore {
  private entries: Entry[] = [];
  private deadCount = 0;
  private nextSeq = 1;
  private readonly byUuid = new Map<string, Entry>();
  private readonly byExternalId = new Map<string, Bucket>();
  private readonly byValue = new Map<string, Bucket>();
  private readonly byBatch = new Map<string, Set<Entry>>();
  private readonly interned = new Map<string, string>();
  /** Bumped on every mutation; invalidates the count cache. */
  version = 0;
  private countCache: { key: string; version: number; total: number } | undefined;

  get size(): number {
    return this.byUuid.size;
  }

  /** Shares one string instance for low-cardinality values (source, creator, scope ids). */
  intern(s: string): string;
  intern(s: string | null): string | null;
  intern(s: string | null): string | null {
    if (s === null) return null;
    const hit = this.interned.get(s);
    if (hit !== undefined) return hit;
    if (this.interned.size < INTERN_LIMIT) this.interned.set(s, s);
    return s;
  }

  clear(): void {
    this.entries = [];
    this.deadCount = 0;
    this.byUuid.clear();
    this.byExternalId.clear();
    this.byValue.clear();
    this.byBatch.clear();
    this.interned.clear();
    this.countCache = undefined;
    this.version++;
  }

  insert(rec: StoredIoc, accountId: string | null, siteId: string | null): Entry {
    const e: Entry = { seq: this.nextSeq++, rec, accountId, siteId, dead: false };
    this.entries.push(e);
    this.index(e);
    this.version++;
    return e;
  }

  /** Replaces an entry's record (upsert), keeping its seq. */
  replace(e: Entry, rec: StoredIoc): void {
    this.unindex(e);
    e.rec = rec;
    this.index(e);
    this.version++;
  }

  remove(e: Entry): void {
    if (e.dead) return;
    this.unindex(e);
    e.dead = true;
    this.deadCount++;
    this.version++;
  }

  /** Drops removed entries from the sequence array once they are the majority. */
  compact(): void {
    if (this.deadCount > 1024 && this.deadCount * 2 > this.entries.length) {
      this.entries = this.entries.filter((e) => !e.dead);
      this.deadCount = 0;
    }
  }

  live(): StoredIoc[] {
    const out: StoredIoc[] = [];
    for (const e of this.entries) if (!e.dead) out.push(e.rec);
    return out;
  }

  /** Dedup look-ups (§8): a live record of the same scope with the same type + value, or the same externalId. */
  findSameTypeValue(type: IocType, value: string, scope: IocScope, scopeId: string | null): Entry | undefined {
    return bucketEntries(this.byValue.get(value)).find(
      (e) => e.rec.type === type && e.rec.scope === scope && e.rec.scopeId === scopeId,
    );
  }

  findSameExternalId(externalId: string, scope: IocScope, scopeId: string | null): Entry | undefined {
    return bucketEntries(this.byExternalId.get(externalId)).find(
      (e) => e.rec.scope === scope && e.rec.scopeId === scopeId,
    );
  }

  private index(e: Entry): void {
    const r = e.rec;
    this.byUuid.set(r.uuid, e);
    if (typeof r.externalId === "string") bucketAdd(this.byExternalId, r.externalId, e);
    bucketAdd(this.byValue, r.value, e);
    let batch = this.byBatch.get(r.batchId);
    if (batch === undefined) {
      batch = new Set();
      this.byBatch.set(r.batchId, batch);
    }
    batch.add(e);
  }

  private unindex(e: Entry): void {
    const r = e.rec;
    this.byUuid.delete(r.uuid);
    if (typeof r.externalId === "string") bucketRemove(this.byExternalId, r.externalId, e);
    bucketRemove(this.byValue, r.value, e);
    const batch = this.byBatch.get(r.batchId);
    if (batch !== undefined) {
      batch.delete(e);
      if (batch.size === 0) this.byBatch.delete(r.batchId);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Matching

  /** Entries from the most selective index, in seq order; undefined when the criteria need a full scan. */
  private indexed(c: Criteria): Entry[] | undefined {
    let list: Entry[] | undefined;
    if (c.uuids !== undefined) {
      list = [];
      for (const u of c.uuids) {
        const e = this.byUuid.get(u);
        if (e !== undefined) list.push(e);
      }
    } else if (c.externalId !== undefined) list = bucketEntries(this.byExternalId.get(c.externalId));
    else if (c.value !== undefined) list = bucketEntries(this.byValue.get(c.value));
    else if (c.batchId !== undefined) list = [...(this.byBatch.get(c.batchId) ?? [])];
    if (list !== undefined && list.length > 1) list.sort((a, b) => a.seq - b.seq);
    return list;
  }

  matches(e: Entry, c: Criteria): boolean {
    if (e.dead) return false;
    const r = e.rec;
    if (c.uuids !== undefined && !c.uuids.has(r.uuid)) return false;
    if (c.value !== undefined && r.value !== c.value) return false;
    if (c.type !== undefined && r.type !== c.type) return false;
    if (c.externalId !== undefined && r.externalId !== c.externalId) return false;
    if (c.batchId !== undefined && r.batchId !== c.batchId) return false;
    if (c.sources !== undefined && !c.sources.has(r.source)) return false;
    if (c.nameContains !== undefined && !containsAny(r.name, c.nameContains)) return false;
    if (c.creatorContains !== undefined && !containsAny(r.creator, c.creatorContains)) return false;
    if (c.descriptionContains !== undefined && !containsAny(r.description, c.descriptionContains)) return false;
    if (c.severity !== undefined && (typeof r.severity !== "number" || !c.severity.has(r.severity))) return false;
    if (c.listIn !== undefined) {
      for (const { field, values } of c.listIn) {
        const arr = r[field];
        if (arr === undefined || !arr.some((v) => v !== null && values.has(v))) return false;
      }
    }
    if (c.ranges !== undefined) {
      for (const { field, op, at } of c.ranges) {
        const t = r[field];
        if (t === null) return false;
        if (op === "gt" ? !(t > at) : op === "gte" ? !(t >= at) : op === "lt" ? !(t < at) : !(t <= at)) return false;
      }
    }
    if (c.globalOnly === true && r.scope !== "global") return false;
    if (c.accountIds !== undefined && (e.accountId === null || !c.accountIds.has(e.accountId))) return false;
    if (c.siteIds !== undefined && (e.siteId === null || !c.siteIds.has(e.siteId))) return false;
    return c.visible(e);
  }

  /** Number of matches; cached per (key, store version) so paging through a large result counts once. */
  count(c: Criteria, cacheKey: string): number {
    const cached = this.countCache;
    if (cached !== undefined && cached.key === cacheKey && cached.version === this.version) return cached.total;
    let total = 0;
    const list = this.indexed(c) ?? this.entries;
    for (const e of list) if (this.matches(e, c)) total++;
    this.countCache = { key: cacheKey, version: this.version, total };
    return total;
  }

  /**
   * Keyset page in `id` (seq) order: the matches after `afterSeq` (before it when descending), skipping `skip`.
   * `more` tells whether a further match exists.
   */
  pageBySeq(
    c: Criteria,
    opts: { afterSeq: number | undefined; desc: boolean; skip: number; limit: number },
  ): { items: Entry[]; more: boolean } {
    const items: Entry[] = [];
    let toSkip = opts.skip;
    const list = this.indexed(c) ?? this.entries;
    const step = opts.desc ? -1 : 1;
    let i: number;
    if (opts.afterSeq === undefined) i = opts.desc ? list.length - 1 : 0;
    else {
      const firstGreater = upperBound(list, opts.afterSeq);
      i = opts.desc ? lowerBound(list, opts.afterSeq) - 1 : firstGreater;
    }
    for (; i >= 0 && i < list.length; i += step) {
      const e = list[i]!;
      if (!this.matches(e, c)) continue;
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      if (items.length === opts.limit) return { items, more: true };
      items.push(e);
    }
    return { items, more: false };
  }

  /** Offset page for the other sort keys (materialises and sorts all matches). */
  pageSorted(
    c: Criteria,
    opts: { sortBy: Exclude<SortBy, "id">; desc: boolean; offset: number; limit: number },
  ): { items: Entry[]; more: boolean } {
    const all: Entry[] = [];
    for (const e of this.indexed(c) ?? this.entries) if (this.matches(e, c)) all.push(e);
    const f = opts.sortBy;
    all.sort((a, b) => {
      const x = a.rec[f] ?? "";
      const y = b.rec[f] ?? "";
      const d = x < y ? -1 : x > y ? 1 : a.seq - b.seq;
      return opts.desc ? -d : d;
    });
    return { items: all.slice(opts.offset, opts.offset + opts.limit), more: all.length > opts.offset + opts.limit };
  }

  /** All matches, in seq order. */
  matchAll(c: Criteria): Entry[] {
    const out: Entry[] = [];
    for (const e of this.indexed(c) ?? this.entries) if (this.matches(e, c)) out.push(e);
    return out;
  }
}

function containsAny(field: string | null | undefined, needles: readonly string[]): boolean {
  if (typeof field !== "string") return false;
  const hay = field.toLowerCase();
  return needles.some((n) => hay.includes(n.toLowerCase()));
}

/** First index whose seq is > seq (entries are sorted by seq). */
function upperBound(list: Entry[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose seq is >= seq. */
function lowerBound(list: Entry[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
