/**
 * The target index's in-memory lookup: an open-addressing hash table from a 32-bit hash of a key to the row
 * (`seq`) that holds the key's records on disk. 8 bytes a slot, at most half full: about 16 MB for 1,000,000 keys.
 *
 * Why it exists (docs/decisions/0012): rows are appended in arrival order, so a batch of new keys writes a few
 * pages at the end of the table instead of one random B-tree page per key; the table has no index on the key, and
 * a key absent from this table (every key of a first backfill) costs no disk read at all. Two keys may share a
 * hash: callers compare the row's key.
 */
const EMPTY = 0;
const REMOVED = 0xffff_ffff;
/** Row numbers are stored as 32-bit values; 0 and the "removed" mark are reserved. */
export const MAX_SEQ = REMOVED - 1;

export class KeySlots {
  private hashes = new Uint32Array(1024);
  private seqs = new Uint32Array(1024);
  /** Slots not empty (live or removed): the probe length depends on them. */
  private used = 0;

  /** The rows whose key has this hash (most often none or one). */
  *rows(hash: number): IterableIterator<number> {
    const mask = this.seqs.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const seq = this.seqs[slot]!;
      if (seq === EMPTY) return;
      if (seq !== REMOVED && this.hashes[slot] === hash) yield seq;
    }
  }

  add(hash: number, seq: number): void {
    if ((this.used + 1) * 2 > this.seqs.length) this.resize();
    const mask = this.seqs.length - 1;
    let slot = hash & mask;
    while (this.seqs[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.hashes[slot] = hash;
    this.seqs[slot] = seq;
    this.used++;
  }

  remove(hash: number, seq: number): void {
    const mask = this.seqs.length - 1;
    for (let slot = hash & mask; this.seqs[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (this.seqs[slot] === seq) {
        this.seqs[slot] = REMOVED;
        return;
      }
    }
  }

  clear(): void {
    this.hashes = new Uint32Array(1024);
    this.seqs = new Uint32Array(1024);
    this.used = 0;
  }

  /** Doubles the table when live slots fill it, or rehashes in place when removed slots do. */
  private resize(): void {
    const { hashes, seqs } = this;
    let live = 0;
    for (const seq of seqs) if (seq !== EMPTY && seq !== REMOVED) live++;
    const size = (live + 1) * 4 > seqs.length ? seqs.length * 2 : seqs.length;
    this.hashes = new Uint32Array(size);
    this.seqs = new Uint32Array(size);
    this.used = 0;
    for (let slot = 0; slot < seqs.length; slot++) {
      const seq = seqs[slot]!;
      if (seq !== EMPTY && seq !== REMOVED) this.add(hashes[slot]!, seq);
    }
  }
}

/** FNV-1a over the key's UTF-16 code units, then a final mix (the table indexes by the low bits). */
export function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
