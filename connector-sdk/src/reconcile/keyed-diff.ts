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

interface Entry<E> {
  value: E;
  /** A record stands for the key. */
  listed: boolean;
  /** The stale fields of that record, and its id while stale (a later in-sync record then replaces it). */
  mask: number;
  staleId: string | undefined;
  extras: string[] | undefined;
}

export class KeyedDiff<E, R, F extends string> {
  private readonly entries = new Map<string, Entry<E>>();
  private readonly orphanIds: string[] = [];
  private holding = false;
  private held = 0;

  constructor(private readonly options: KeyedDiffOptions<E, R, F>) {}

  /** One expected record (all of them before the first `hold`); a repeated key keeps the last value. */
  expect(key: string, value: E): void {
    if (this.holding) throw new Error("the expected records must all be given before the held ones");
    const entry = this.entries.get(key);
    if (entry) entry.value = value;
    else this.entries.set(key, { value, listed: false, mask: 0, staleId: undefined, extras: undefined });
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get expectedCount(): number {
    return this.entries.size;
  }

  /** One record the target holds (`key` undefined: it cannot be matched, an orphan). */
  hold(key: string | undefined, id: string, record: R): HeldMatch<E> | undefined {
    this.holding = true;
    this.held++;
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (entry === undefined) {
      this.orphanIds.push(id);
      return undefined;
    }
    const mask = this.options.compare(entry.value, record);
    const first = !entry.listed;
    if (first) {
      entry.listed = true;
      entry.mask = mask;
      if (mask !== 0) entry.staleId = id;
    } else if (entry.staleId !== undefined && mask === 0) {
      // An in-sync record stands for the key; the stale one becomes the duplicate.
      entry.extras = [...(entry.extras ?? []), entry.staleId];
      entry.staleId = undefined;
      entry.mask = 0;
    } else entry.extras = [...(entry.extras ?? []), id];
    return { expected: entry.value, mask, first };
  }

  plan(): DiffPlan<F> {
    const missing: string[] = [];
    const duplicateIds: string[] = [];
    const stale: StaleRecord<F>[] = [];
    for (const [key, entry] of this.entries) {
      if (!entry.listed) {
        missing.push(key);
        continue;
      }
      if (entry.extras) duplicateIds.push(...entry.extras);
      if (entry.staleId !== undefined) stale.push({ key, id: entry.staleId, fields: this.fieldsOf(entry.mask) });
    }
    return { missing, orphanIds: [...this.orphanIds], duplicateIds, stale };
  }

  counts(plan: DiffPlan<F> = this.plan()): DiffCounts<F> {
    const staleByField = Object.fromEntries(this.options.fields.map((f) => [f, 0])) as Record<F, number>;
    for (const s of plan.stale) for (const f of s.fields) staleByField[f]++;
    return {
      expected: this.entries.size,
      held: this.held,
      inSync: this.entries.size - plan.missing.length - plan.stale.length,
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
