/**
 * The generic half of reconciliation (issue 12, decision 0013): what a source wants (expected records, one per
 * key) against what a target holds (records with a remote id, listed one by one), without network access.
 *
 * - missing: an expected key no held record stands for                   → create
 * - orphan: a held record whose key is not expected (or has no key)       → delete by id
 * - duplicate: a further record of one key                               → delete by id
 * - stale: the record kept for a key differs in some compared field       → replace
 *
 * The connector says what is compared (`compare`: a bit mask over `fields`, 0 = in sync); when several records hold
 * one key, an in-sync one is kept over a stale one. Memory: one entry per expected key; a held record's id is kept
 * only when it is to be deleted or replaced.
 */

/** The repair categories, in report order, with what repairs them. */
export const DRIFT_CATEGORIES = [
  { name: "missing", repair: "create" },
  { name: "orphans", repair: "delete by id" },
  { name: "duplicates", repair: "delete by id" },
  { name: "stale", repair: "replace" },
] as const;

export interface StaleRecord<F extends string> {
  readonly key: string;
  readonly id: string;
  readonly fields: readonly F[];
}

/** Every repair, in full. */
export interface DiffPlan<F extends string> {
  readonly missing: readonly string[];
  readonly orphanIds: readonly string[];
  readonly duplicateIds: readonly string[];
  readonly stale: readonly StaleRecord<F>[];
}

export interface DiffCounts<F extends string> {
  readonly expected: number;
  /** Held records compared (orphans included). */
  readonly held: number;
  readonly inSync: number;
  readonly missing: number;
  readonly orphans: number;
  readonly duplicates: number;
  readonly stale: number;
  readonly staleByField: Readonly<Record<F, number>>;
}

export interface KeyedDiffOptions<E, R, F extends string> {
  /** The compared fields, bit i of a mask naming `fields[i]`. */
  readonly fields: readonly F[];
  /** Which fields of `held` differ from `expected` (0: in sync). */
  compare(expected: E, held: R): number;
}

/** What `hold` found for a record: the expected value it was compared with and the stale mask; undefined: orphan. */
export interface HeldMatch<E> {
  readonly expected: E;
  readonly mask: number;
  /** The first record listed for its key (false: a further one, one of them a duplicate). */
  readonly first: boolean;
}

export class KeyedDiff<E, R, F extends string> {
  /** Key → slot in the columns below (no object per key: 100,000 keys stay a few MB beyond the values). */
  private readonly slots = new Map<string, number>();
  private readonly values: E[] = [];
  /** Per slot: 1 once a record stands for the key; the stale mask of that record. */
  private listed = new Uint8Array(1024);
  private masks = new Int32Array(1024);
  /** The id of the record standing for a slot while it is stale (a later in-sync record then replaces it). */
  private readonly staleIds = new Map<number, string>();
  /** Further records of a slot's key: duplicates. */
  private readonly extras = new Map<number, string[]>();
  private readonly orphanIds: string[] = [];
  private holding = false;
  private held = 0;

  constructor(private readonly options: KeyedDiffOptions<E, R, F>) {}

  /** One expected record (all of them before the first `hold`); a repeated key keeps the last value. */
  expect(key: string, value: E): void {
    if (this.holding) throw new Error("the expected records must all be given before the held ones");
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.values[slot] = value;
      return;
    }
    const next = this.values.length;
    if (next === this.listed.length) {
      const listed = new Uint8Array(next * 2);
      listed.set(this.listed);
      this.listed = listed;
      const masks = new Int32Array(next * 2);
      masks.set(this.masks);
      this.masks = masks;
    }
    this.slots.set(key, next);
    this.values.push(value);
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  get expectedCount(): number {
    return this.slots.size;
  }

  /** One record the target holds (`key` undefined: it cannot be matched, an orphan). */
  hold(key: string | undefined, id: string, record: R): HeldMatch<E> | undefined {
    this.holding = true;
    this.held++;
    const slot = key === undefined ? undefined : this.slots.get(key);
    const expected = slot === undefined ? undefined : this.values[slot];
    if (slot === undefined || expected === undefined) {
      this.orphanIds.push(id);
      return undefined;
    }
    const mask = this.options.compare(expected, record);
    const first = this.listed[slot] === 0;
    const staleId = this.staleIds.get(slot);
    if (first) {
      this.listed[slot] = 1;
      this.masks[slot] = mask;
      if (mask !== 0) this.staleIds.set(slot, id);
    } else if (staleId !== undefined && mask === 0) {
      // An in-sync record stands for the key; the stale one becomes the duplicate.
      this.addExtra(slot, staleId);
      this.staleIds.delete(slot);
      this.masks[slot] = 0;
    } else this.addExtra(slot, id);
    return { expected, mask, first };
  }

  private addExtra(slot: number, id: string): void {
    const extra = this.extras.get(slot);
    if (extra) extra.push(id);
    else this.extras.set(slot, [id]);
  }

  /** The expected values of the keys to repair besides orphans and copies: missing or stale. */
  *drifted(): IterableIterator<E> {
    for (const slot of this.slots.values()) {
      const value = this.values[slot];
      if (value !== undefined && (this.listed[slot] === 0 || this.staleIds.has(slot))) yield value;
    }
  }

  plan(): DiffPlan<F> {
    const missing: string[] = [];
    const duplicateIds: string[] = [];
    const stale: StaleRecord<F>[] = [];
    for (const [key, slot] of this.slots) {
      if (this.listed[slot] === 0) {
        missing.push(key);
        continue;
      }
      const extra = this.extras.get(slot);
      if (extra) duplicateIds.push(...extra);
      const staleId = this.staleIds.get(slot);
      if (staleId !== undefined) stale.push({ key, id: staleId, fields: this.fieldsOf(this.masks[slot] ?? 0) });
    }
    return { missing, orphanIds: [...this.orphanIds], duplicateIds, stale };
  }

  counts(plan: DiffPlan<F> = this.plan()): DiffCounts<F> {
    const staleByField = Object.fromEntries(this.options.fields.map((f) => [f, 0])) as Record<F, number>;
    for (const s of plan.stale) for (const f of s.fields) staleByField[f]++;
    return {
      expected: this.slots.size,
      held: this.held,
      inSync: this.slots.size - plan.missing.length - plan.stale.length,
      missing: plan.missing.length,
      orphans: plan.orphanIds.length,
      duplicates: plan.duplicateIds.length,
      stale: plan.stale.length,
      staleByField,
    };
  }

  fieldsOf(mask: number): F[] {
    return this.options.fields.filter((_, i) => (mask & (1 << i)) !== 0);
  }
}

/** No repair to make. */
export function isInSync(counts: Pick<DiffCounts<string>, "missing" | "orphans" | "duplicates" | "stale">): boolean {
  return counts.missing + counts.orphans + counts.duplicates + counts.stale === 0;
}
