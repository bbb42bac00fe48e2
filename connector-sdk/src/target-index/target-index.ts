/**
 * A durable map from a connector's keys (e.g. OpenCTI indicator ids) to the records a target holds for them: each
 * record's remote id and the fingerprint of what was pushed. It lets a connector delete by remote id in large
 * batches, skip a create whose record is already there (a replay after a crash), and know which keys it cannot
 * vouch for (a create whose answer was lost: `uncertain`).
 *
 * The index is a cache of the target, never the truth: `complete` says a full listing filled it; an index that is
 * new, lost, or was built for another target/scope/source (`identity`) starts empty and incomplete, and the
 * connector rebuilds it from the target. The `checkpoint` (epoch ms) is the time before which every create's
 * answer is in the index: an incremental listing since it (minus a margin) settles creates whose answers were lost.
 *
 * Storage: SQLite (better-sqlite3) in WAL mode, prepared statements, one transaction per batch; the page cache is
 * bounded (docs/decisions/0008). One row per key, appended in arrival order and found through an in-memory hash of
 * the key (`KeySlots`, 8 bytes a slot): a batch of new keys appends a few pages instead of writing one random
 * B-tree page per key, and a key the index does not hold costs no disk read (docs/decisions/0012).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { KeySlots, keyHash, MAX_SEQ } from "./key-slots.js";

/** One record the target holds for a key. */
export interface IndexedRecord {
  /** The target's id of the record (SentinelOne: the IOC uuid). */
  readonly id: string;
  /** The connector's key (SentinelOne: the indicator id, sent as `externalId`). */
  readonly key: string;
  /** What was pushed, as the connector fingerprints it (equal fingerprints: nothing to send again). */
  readonly fingerprint: string;
}

export interface TargetIndexOptions {
  /** The database file (its directory is created); `:memory:` for tests. */
  readonly path: string;
  /** What the records describe (target URL, scope, source): an index opened with another identity is emptied. */
  readonly identity: string;
  /** SQLite page cache in KiB (default 4096): bounds memory whatever the number of records. */
  readonly cacheKiB?: number;
}

export interface TargetIndexStats {
  readonly records: number;
  readonly uncertainKeys: number;
  readonly complete: boolean;
}

/**
 * Bumped when the layout changes: a file of another version is emptied (then rebuilt from the target), except
 * version 2, whose per-key uncertain marks are moved into mark rows (3: one row per create request).
 */
const LAYOUT_VERSION = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entry (seq INTEGER PRIMARY KEY, hash INTEGER NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL, records TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mark (id INTEGER PRIMARY KEY, since INTEGER NOT NULL, keys TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/** One `markUncertain` call: its keys, as a JSON array in its row. */
interface Mark {
  readonly id: number;
  readonly since: number;
  keys: readonly string[];
}

/** A key's row, as read (its records are encoded by `encodeRecords`). */
interface Entry {
  readonly seq: number;
  readonly hash: number;
  /** Records in the row as read (`records` may be edited before the row is rewritten). */
  readonly count: number;
  readonly records: IndexedRecord[];
}

export class TargetIndex {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly slots = new KeySlots();
  private records = 0;
  private lastSeq = 0;
  /** The mark rows, in memory too (usually none, or the one of the request in flight). */
  private marks: Mark[] = [];
  /** Uncertain keys → number of marks naming them, built when asked (undefined: to build). */
  private markedKeys: Map<string, number> | undefined;

  private constructor(options: TargetIndexOptions) {
    this.path = options.path;
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a committed transaction survives a process crash (SIGKILL); a power loss may drop the
    // last ones, which the incremental listing since the checkpoint (stored in the same database) recovers.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma(`cache_size = -${Math.max(256, options.cacheKiB ?? 4096)}`);
    // Sorts and a sweep's touched keys stay in a bounded cache and spill to a file; nothing is memory-mapped (RSS).
    this.db.pragma("mmap_size = 0");
    this.db.pragma("temp_store = FILE");
    const version = this.db.pragma("user_version", { simple: true });
    if (version === 2) {
      this.db.transaction(() => {
        this.db.exec(SCHEMA);
        this.db.exec(
          "INSERT INTO mark (since, keys) SELECT since, json_group_array(key) FROM uncertain GROUP BY since; DROP TABLE uncertain;",
        );
        this.db.pragma(`user_version = ${LAYOUT_VERSION}`);
      })();
    } else if (version !== LAYOUT_VERSION) {
      this.db.exec(
        "DROP TABLE IF EXISTS record; DROP TABLE IF EXISTS entry; DROP TABLE IF EXISTS uncertain; DROP TABLE IF EXISTS mark; DROP TABLE IF EXISTS meta;",
      );
      this.db.pragma(`user_version = ${LAYOUT_VERSION}`);
    }
    this.db.exec(SCHEMA);
    this.statements = prepareStatements(this.db);
    if (this.meta("identity") !== options.identity) {
      this.clear();
      this.statements.setMeta.run("identity", options.identity);
    }
    this.load();
  }

  /**
   * Opens (or creates) the index. Throws an error naming the file when it cannot be opened (a directory that is not
   * writable, a file that is not a database).
   */
  static open(options: TargetIndexOptions): TargetIndex {
    try {
      return new TargetIndex(options);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `Cannot open the target index ${options.path}: ${reason}. Check that its directory exists or can be created and is writable, or point the data-directory setting elsewhere (the index is rebuilt from the target when the file is removed).`,
        { cause: error },
      );
    }
  }

  /** True once a full listing of the target filled the index (`markComplete`). */
  get complete(): boolean {
    return this.meta("complete") === "1";
  }

  /** Time (epoch ms) before which every create's answer is in the index; undefined before the first listing. */
  get checkpoint(): number | undefined {
    const value = this.meta("checkpoint");
    return value === undefined ? undefined : Number(value);
  }

  /** Moves the checkpoint (never backwards). */
  setCheckpoint(at: number): void {
    const current = this.checkpoint;
    if (current === undefined || at > current) this.statements.setMeta.run("checkpoint", String(Math.floor(at)));
  }

  /** Records the end of a full listing that started at `listedFrom` (epoch ms). */
  markComplete(listedFrom: number): void {
    this.db.transaction(() => {
      this.statements.setMeta.run("complete", "1");
      this.statements.setMeta.run("checkpoint", String(Math.floor(listedFrom)));
    })();
  }

  get size(): number {
    return this.records;
  }

  stats(): TargetIndexStats {
    return { records: this.records, uncertainKeys: this.uncertainCount(), complete: this.complete };
  }

  /** The records held for `key` (no disk read when the index holds nothing for it). */
  recordsOf(key: string): IndexedRecord[] {
    return this.find(key)?.records ?? [];
  }

  /**
   * Adds or updates records (one transaction). `settled` keys lose their uncertain mark in the same transaction.
   * `keepFingerprints`: a record already known keeps its fingerprint (a listing reads back what the target stored,
   * which may be normalised; the fingerprint of what was pushed is the better one). A record is known by its id
   * under its key: an id the target moved to another key stays under the old one too, until a rebuild.
   */
  put(records: readonly IndexedRecord[], settled: readonly string[] = [], keepFingerprints = false): void {
    if (records.length === 0 && settled.length === 0) return;
    this.write(() => {
      // Records come grouped by key (a create's answer, a listing page): each run of one key is applied at once. A
      // key met again in a later run finds the row the earlier run wrote, so the result is that of a full grouping.
      for (let start = 0; start < records.length; ) {
        const key = records[start]!.key;
        let end = start + 1;
        while (end < records.length && records[end]!.key === key) end++;
        const first = records[start]!;
        const entry = this.find(key);
        if (entry === undefined) {
          if (end - start === 1) this.insertOne(first);
          else this.insert(key, [...new Map(records.slice(start, end).map((r) => [r.id, r])).values()]);
          start = end;
          continue;
        }
        const incoming = records.slice(start, end);
        start = end;
        const held = entry.records;
        const byId = new Map(held.map((r, i) => [r.id, i]));
        for (const record of incoming) {
          const at = byId.get(record.id);
          if (at === undefined) {
            byId.set(record.id, held.length);
            held.push(record);
          } else if (!keepFingerprints) held[at] = record;
        }
        this.update(entry, held);
      }
      this.settle(settled);
    });
  }

  /** Forgets records (the target deleted them, or never had them); unknown ones are ignored. */
  removeRecords(records: readonly Pick<IndexedRecord, "id" | "key">[]): void {
    if (records.length === 0) return;
    this.write(() => {
      for (const [key, gone] of groupByKey(records)) {
        const entry = this.find(key);
        if (entry === undefined) continue;
        const ids = new Set(gone.map((r) => r.id));
        this.update(
          entry,
          entry.records.filter((r) => !ids.has(r.id)),
        );
      }
    });
  }

  /** Forgets every record of these keys and their uncertain marks (the target deleted everything of theirs). */
  removeKeys(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.write(() => {
      for (const key of keys) {
        const entry = this.find(key);
        if (entry !== undefined) this.update(entry, []);
      }
      this.settle(keys);
    });
  }

  /**
   * Marks keys whose records the index cannot vouch for: a create was sent and its answer may be lost. Written
   * before the request, as one row naming every key, so a crash leaves the mark; cleared by the answer, a delete
   * by key, or a listing that found the key's records.
   */
  markUncertain(keys: readonly string[], since: number): void {
    if (keys.length === 0) return;
    const at = Math.floor(since);
    const id = Number(this.statements.insertMark.run(at, JSON.stringify(keys)).lastInsertRowid);
    this.marks.push({ id, since: at, keys: [...keys] });
    this.markedKeys = undefined;
  }

  /** Clears the marks set before `at` (a listing that started at `at` showed what those creates left). */
  clearUncertainBefore(at: number): void {
    if (this.marks.length === 0) return;
    const before = Math.floor(at);
    this.statements.clearMarksBefore.run(before);
    this.marks = this.marks.filter((mark) => mark.since >= before);
    this.markedKeys = undefined;
  }

  /** The earliest mark's time, if any. */
  uncertainSince(): number | undefined {
    let since: number | undefined;
    for (const mark of this.marks) if (since === undefined || mark.since < since) since = mark.since;
    return since;
  }

  isUncertain(key: string): boolean {
    return this.marks.length > 0 && this.marked().has(key);
  }

  /** Every key holding at least one record, streamed from disk (a sweep compares them with what is wanted). */
  *keys(): IterableIterator<string> {
    for (const row of this.statements.keys.iterate()) yield row.key;
  }

  /**
   * Starts remembering touched keys (a sweep: a full pass of the source). They go to a temporary table in the
   * database's temporary file, appended, so memory does not grow with the pass; `clear()` keeps them.
   */
  beginSweep(): void {
    this.db.exec("CREATE TEMP TABLE IF NOT EXISTS swept (key TEXT NOT NULL); DELETE FROM temp.swept;");
  }

  /** Remembers keys the pass touched (call between `beginSweep` and `endSweep`). */
  touch(keys: readonly string[]): void {
    if (keys.length > 0)
      this.db.prepare("INSERT INTO temp.swept (key) SELECT value FROM json_each(?)").run(JSON.stringify(keys));
  }

  /**
   * Ends the sweep: the keys holding records that no `touch` named since `beginSweep`, sorted. `findUntouched`
   * false only drops the touched keys (the caller knows no row can be untouched).
   */
  endSweep(findUntouched = true): string[] {
    const untouched = findUntouched
      ? this.db
          .prepare<[], { key: string }>("SELECT key FROM entry WHERE key NOT IN (SELECT key FROM temp.swept)")
          .all()
          .map((row) => row.key)
          .sort()
      : [];
    this.db.exec("DROP TABLE IF EXISTS temp.swept");
    return untouched;
  }

  /** Uncertain keys, by the time of their earliest mark, then by key. */
  uncertainKeys(): string[] {
    const since = new Map<string, number>();
    for (const mark of [...this.marks].sort((a, b) => a.since - b.since))
      for (const key of mark.keys) if (!since.has(key)) since.set(key, mark.since);
    return [...since.keys()].sort((a, b) => since.get(a)! - since.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Empties the index (records, marks, completeness and checkpoint); the identity stays. */
  clear(): void {
    this.db.transaction(() => {
      this.db.exec("DELETE FROM entry; DELETE FROM mark; DELETE FROM meta WHERE name <> 'identity';");
    })();
    this.slots.reset();
    this.records = 0;
    this.marks = [];
    this.markedKeys = undefined;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private meta(name: string): string | undefined {
    return this.statements.getMeta.get(name)?.value;
  }

  private uncertainCount(): number {
    return this.marks.length === 0 ? 0 : this.marked().size;
  }

  private marked(): Map<string, number> {
    if (this.markedKeys === undefined) {
      this.markedKeys = new Map();
      for (const mark of this.marks)
        for (const key of mark.keys) this.markedKeys.set(key, (this.markedKeys.get(key) ?? 0) + 1);
    }
    return this.markedKeys;
  }

  /**
   * Takes `keys` out of the marks (inside a write). A create's answer names the keys of the only mark (its
   * request's) in the same order: that row goes at once; otherwise the marks naming any of the keys are rewritten
   * without them.
   */
  private settle(keys: readonly string[]): void {
    if (keys.length === 0 || this.marks.length === 0) return;
    const only = this.marks.length === 1 ? this.marks[0]! : undefined;
    if (only !== undefined && sameKeys(only.keys, keys)) {
      this.statements.removeMark.run(only.id);
      this.marks = [];
      this.markedKeys = undefined;
      return;
    }
    const gone = new Set(keys);
    const kept: Mark[] = [];
    for (const mark of this.marks) {
      const left = mark.keys.filter((key) => !gone.has(key));
      if (left.length === mark.keys.length) kept.push(mark);
      else if (left.length === 0) this.statements.removeMark.run(mark.id);
      else {
        this.statements.rewriteMark.run(JSON.stringify(left), mark.id);
        mark.keys = left;
        kept.push(mark);
      }
    }
    this.marks = kept;
    this.markedKeys = undefined;
  }

  /** Fills the hash table, the counters and the marks from the rows (at open, and after a failed write). */
  private load(): void {
    this.marks = this.statements.marks
      .all()
      .map((row) => ({ id: row.id, since: row.since, keys: decodeKeys(row.keys) }));
    this.markedKeys = undefined;
    this.records = 0;
    this.lastSeq = 0;
    this.slots.reset(this.statements.countRows.get()?.n ?? 0);
    this.eachRow((seq, hash, count) => {
      this.slots.add(hash, seq);
      this.records += count;
      if (seq > this.lastSeq) this.lastSeq = seq;
    });
  }

  private addSlot(hash: number, seq: number): void {
    if (this.slots.add(hash, seq)) return;
    // Full: slots keep 8 bits of the hash, so the larger table is filled again from the hashes in the rows.
    this.slots.reset(this.slots.wanted);
    this.eachRow((rowSeq, rowHash) => this.slots.add(rowHash, rowSeq));
  }

  /**
   * Every row's `(seq, hash, count)`, read by ranges of `seq`: a statement run per range costs less than a row
   * iterator's step per row (the table is re-read each time the slot table doubles during a backfill).
   */
  private eachRow(visit: (seq: number, hash: number, count: number) => void): void {
    for (let after = 0; ; ) {
      const rows = this.statements.slotsAfter.all(after, SLOT_ROWS_PER_READ);
      for (const [seq, hash, count] of rows) visit(seq, hash, count);
      if (rows.length < SLOT_ROWS_PER_READ) return;
      after = rows[rows.length - 1]![0];
    }
  }

  /** One transaction; the in-memory table follows the rows, so a failed write reloads it from them. */
  private write(body: () => void): void {
    try {
      this.db.transaction(body)();
    } catch (error) {
      this.load();
      throw error;
    }
  }

  private find(key: string): Entry | undefined {
    const hash = keyHash(key);
    // Most keys of a backfill are new: no slot carries their tag, and no iterator is made for them.
    if (!this.slots.mayHold(hash)) return undefined;
    for (const seq of this.slots.rows(hash)) {
      const row = this.statements.bySeq.get(seq);
      if (row?.key === key) {
        const records = decodeRecords(key, row.records);
        return { seq, hash, count: records.length, records };
      }
    }
    return undefined;
  }

  private insert(key: string, records: readonly IndexedRecord[]): void {
    if (records.length === 0) return;
    if (this.lastSeq >= MAX_SEQ) throw new Error("the index has used every row number: remove its file");
    const seq = ++this.lastSeq;
    const hash = keyHash(key);
    this.statements.insert.run(seq, hash, key, records.length, encodeRecords(records));
    this.addSlot(hash, seq);
    this.records += records.length;
  }

  /** `insert` of a key's only record, without an array. */
  private insertOne(record: IndexedRecord): void {
    if (this.lastSeq >= MAX_SEQ) throw new Error("the index has used every row number: remove its file");
    const seq = ++this.lastSeq;
    const hash = keyHash(record.key);
    this.statements.insert.run(seq, hash, record.key, 1, encodeRecord(record));
    this.addSlot(hash, seq);
    this.records += 1;
  }

  /** Rewrites a key's row in place, or removes it when no record is left. */
  private update(entry: Entry, records: readonly IndexedRecord[]): void {
    if (records.length === 0) {
      this.statements.remove.run(entry.seq);
      this.slots.remove(entry.hash, entry.seq);
    } else this.statements.update.run(records.length, encodeRecords(records), entry.seq);
    this.records += records.length - entry.count;
  }
}

/** Rows per read when the slot table is filled from the rows (`eachRow`). */
const SLOT_ROWS_PER_READ = 4096;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function decodeKeys(text: string): string[] {
  const keys: unknown = JSON.parse(text);
  return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === "string") : [];
}

function groupByKey<R extends { readonly key: string }>(records: readonly R[]): Map<string, R[]> {
  const byKey = new Map<string, R[]>();
  for (const record of records) {
    const same = byKey.get(record.key);
    if (same) same.push(record);
    else byKey.set(record.key, [record]);
  }
  return byKey;
}

/**
 * A key's records as text: "id\nfingerprint\nid\nfingerprint…" (cheap to build and split), or a JSON array of the
 * same strings when one holds a line break or the text would start with "[".
 */
function encodeRecords(records: readonly IndexedRecord[]): string {
  let text = "";
  for (const r of records) {
    if (r.id.includes("\n") || r.fingerprint.includes("\n")) return encodeJson(records);
    text += text === "" ? `${r.id}\n${r.fingerprint}` : `\n${r.id}\n${r.fingerprint}`;
  }
  return text.startsWith("[") ? encodeJson(records) : text;
}

function encodeRecord(record: IndexedRecord): string {
  const { id, fingerprint } = record;
  if (id.includes("\n") || fingerprint.includes("\n") || id.startsWith("[")) return encodeJson([record]);
  return `${id}\n${fingerprint}`;
}

function encodeJson(records: readonly IndexedRecord[]): string {
  const flat: string[] = [];
  for (const r of records) flat.push(r.id, r.fingerprint);
  return JSON.stringify(flat);
}

function decodeRecords(key: string, text: string): IndexedRecord[] {
  const flat: unknown = text.startsWith("[") ? JSON.parse(text) : text.split("\n");
  const records: IndexedRecord[] = [];
  if (!Array.isArray(flat)) return records;
  for (let i = 0; i + 1 < flat.length; i += 2)
    records.push({ id: String(flat[i]), key, fingerprint: String(flat[i + 1]) });
  return records;
}

function prepareStatements(db: Database.Database) {
  return {
    bySeq: db.prepare<[number], { key: string; records: string }>("SELECT key, records FROM entry WHERE seq = ?"),
    slotsAfter: db
      .prepare<[number, number], [number, number, number]>(
        "SELECT seq, hash, count FROM entry WHERE seq > ? ORDER BY seq LIMIT ?",
      )
      .raw(),
    insert: db.prepare<[number, number, string, number, string]>(
      "INSERT INTO entry (seq, hash, key, count, records) VALUES (?, ?, ?, ?, ?)",
    ),
    update: db.prepare<[number, string, number]>("UPDATE entry SET count = ?, records = ? WHERE seq = ?"),
    remove: db.prepare<[number]>("DELETE FROM entry WHERE seq = ?"),
    insertMark: db.prepare<[number, string]>("INSERT INTO mark (since, keys) VALUES (?, ?)"),
    removeMark: db.prepare<[number]>("DELETE FROM mark WHERE id = ?"),
    rewriteMark: db.prepare<[string, number]>("UPDATE mark SET keys = ? WHERE id = ?"),
    clearMarksBefore: db.prepare<[number]>("DELETE FROM mark WHERE since < ?"),
    marks: db.prepare<[], { id: number; since: number; keys: string }>("SELECT id, since, keys FROM mark ORDER BY id"),
    keys: db.prepare<[], { key: string }>("SELECT key FROM entry ORDER BY key"),
    getMeta: db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE name = ?"),
    setMeta: db.prepare<[string, string]>(
      "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    ),
    countRows: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM entry"),
  };
}
