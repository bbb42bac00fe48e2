/**
 * The target index's in-memory lookup: an open-addressing hash table from a key to the row (`seq`) that holds the
 * key's records on disk. A slot keeps the row number and 8 bits of the key's 32-bit hash (a tag that spares most
 * disk reads of other keys' rows): 5 bytes a slot, at most half full, about 10 MB for 1,000,000 keys.
 *
 * Why it exists (docs/decisions/0012): rows are appended in arrival order, so a batch of new keys writes a few
 * pages at the end of the table instead of one random B-tree page per key; the table has no index on the key, and
 * a key absent from this table (every key of a first backfill) usually costs no disk read. Rows found through a
 * tag may hold another key: callers compare the row's key.
 */
const EMPTY = 0;
const REMOVED = 0xffff_ffff;
/** Row numbers are stored as 32-bit values; 0 and the "removed" mark are reserved. */
export const MAX_SEQ = REMOVED - 1;
const MIN_SLOTS = 1024;
/** Slot count under which the table grows fourfold (256 Ki slots: 1.25 MB). */
const FOURFOLD_BELOW = 1 << 18;

export class KeySlots {
  private tags = new Uint8Array(MIN_SLOTS);
  private seqs = new Uint32Array(MIN_SLOTS);
  /** Slots not empty (live or removed): the probe length depends on them. */
  private used = 0;
  private live = 0;

  /** Whether a row's key may have this hash (false for most keys the table does not hold). */
  mayHold(hash: number): boolean {
    const mask = this.seqs.length - 1;
    const tag = hash >>> 24;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const seq = this.seqs[slot]!;
      if (seq === EMPTY) return false;
      if (seq !== REMOVED && this.tags[slot] === tag) return true;
    }
  }

  /** The rows whose key may have this hash (most often none or one). */
  *rows(hash: number): IterableIterator<number> {
    const mask = this.seqs.length - 1;
    const tag = hash >>> 24;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const seq = this.seqs[slot]!;
      if (seq === EMPTY) return;
      if (seq !== REMOVED && this.tags[slot] === tag) yield seq;
    }
  }

  /**
   * Adds a row. Returns false, adding nothing, when the table must first be rebuilt with `reset(capacityFor)` and
   * every row added again (slots do not keep the whole hash, so they cannot be moved by themselves).
   */
  add(hash: number, seq: number): boolean {
    if ((this.used + 1) * 2 > this.seqs.length) return false;
    const mask = this.seqs.length - 1;
    let slot = hash & mask;
    while (this.seqs[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.tags[slot] = hash >>> 24;
    this.seqs[slot] = seq;
    this.used++;
    this.live++;
    return true;
  }

  remove(hash: number, seq: number): void {
    const mask = this.seqs.length - 1;
    for (let slot = hash & mask; this.seqs[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (this.seqs[slot] === seq) {
        this.seqs[slot] = REMOVED;
        this.live--;
        return;
      }
    }
  }

  /**
   * Live rows plus one, for `reset` when `add` refused: the table doubles when rows fill a quarter, and grows
   * fourfold while it is small (each growth re-reads every row: fewer of them during a backfill, same final size).
   */
  get wanted(): number {
    const size = this.seqs.length;
    if ((this.live + 1) * 4 <= size) return this.live + 1;
    return size < FOURFOLD_BELOW ? size * 2 : size;
  }

  /** Empties the table, sized for `rows` rows (at most half full). */
  reset(rows = 0): void {
    let size = MIN_SLOTS;
    while (size < rows * 2) size *= 2;
    this.tags = new Uint8Array(size);
    this.seqs = new Uint32Array(size);
    this.used = 0;
    this.live = 0;
  }
}

/** FNV-1a over the key's UTF-16 code units, then a final mix (the table indexes by the low bits, tags by the high). */
export function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
