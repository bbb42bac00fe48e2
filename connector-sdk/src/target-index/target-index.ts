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
 * bounded, so memory does not grow with the number of records (docs/decisions/0008).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

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
  /** SQLite page cache in KiB (default 8192): bounds memory whatever the number of records. */
  readonly cacheKiB?: number;
}

export interface TargetIndexStats {
  readonly records: number;
  readonly uncertainKeys: number;
  readonly complete: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS record (id TEXT PRIMARY KEY, key TEXT NOT NULL, fingerprint TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_key ON record (key);
CREATE TABLE IF NOT EXISTS uncertain (key TEXT PRIMARY KEY, since INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

export class TargetIndex {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private records: number;
  private uncertainCount: number;

  private constructor(options: TargetIndexOptions) {
    this.path = options.path;
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a committed transaction survives a process crash (SIGKILL); a power loss may drop the
    // last ones, which the incremental listing since the checkpoint (stored in the same database) recovers.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma(`cache_size = -${Math.max(256, options.cacheKiB ?? 8192)}`);
    this.db.exec(SCHEMA);
    this.statements = prepareStatements(this.db);
    if (this.meta("identity") !== options.identity) {
      this.clear();
      this.statements.setMeta.run("identity", options.identity);
    }
    this.records = this.statements.countRecords.get()?.n ?? 0;
    this.uncertainCount = this.statements.countUncertain.get()?.n ?? 0;
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
    return { records: this.records, uncertainKeys: this.uncertainCount, complete: this.complete };
  }

  /** The records held for `key`. */
  recordsOf(key: string): IndexedRecord[] {
    return this.statements.byKey.all(key).map((row) => ({ id: row.id, key, fingerprint: row.fingerprint }));
  }

  /**
   * Adds or updates records (one transaction). `settled` keys lose their uncertain mark in the same transaction.
   * `keepFingerprints`: a record already known keeps its fingerprint (a listing reads back what the target stored,
   * which may be normalised; the fingerprint of what was pushed is the better one).
   */
  put(records: readonly IndexedRecord[], settled: readonly string[] = [], keepFingerprints = false): void {
    if (records.length === 0 && settled.length === 0) return;
    this.db.transaction(() => {
      for (const record of records) {
        if (this.statements.insert.run(record.id, record.key, record.fingerprint).changes > 0) this.records++;
        else if (!keepFingerprints) this.statements.update.run(record.key, record.fingerprint, record.id);
      }
      for (const key of settled) this.uncertainCount -= this.statements.clearUncertain.run(key).changes;
    })();
  }

  /** Forgets records by id (the target deleted them, or never had them). */
  removeIds(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.db.transaction(() => {
      for (const id of ids) this.records -= this.statements.removeId.run(id).changes;
    })();
  }

  /** Forgets every record of these keys and their uncertain marks (the target deleted everything of theirs). */
  removeKeys(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.db.transaction(() => {
      for (const key of keys) {
        this.records -= this.statements.removeKey.run(key).changes;
        this.uncertainCount -= this.statements.clearUncertain.run(key).changes;
      }
    })();
  }

  /**
   * Marks keys whose records the index cannot vouch for: a create was sent and its answer may be lost. Written
   * before the request, so a crash leaves the mark; cleared by the answer, a delete by key, or a listing that
   * found the key's records.
   */
  markUncertain(keys: readonly string[], since: number): void {
    if (keys.length === 0) return;
    this.db.transaction(() => {
      for (const key of keys) this.uncertainCount += this.statements.markUncertain.run(key, Math.floor(since)).changes;
    })();
  }

  /** Clears the marks set before `at` (a listing that started at `at` showed what those creates left). */
  clearUncertainBefore(at: number): void {
    if (this.uncertainCount === 0) return;
    this.uncertainCount -= this.statements.clearUncertainBefore.run(Math.floor(at)).changes;
  }

  /** The earliest mark's time, if any. */
  uncertainSince(): number | undefined {
    if (this.uncertainCount === 0) return undefined;
    return this.statements.minUncertain.get()?.since ?? undefined;
  }

  isUncertain(key: string): boolean {
    return this.uncertainCount > 0 && this.statements.isUncertain.get(key) !== undefined;
  }

  /** Every key holding at least one record, streamed from disk (a sweep compares them with what is wanted). */
  *keys(): IterableIterator<string> {
    for (const row of this.statements.keys.iterate()) yield row.key;
  }

  uncertainKeys(): string[] {
    return this.statements.uncertainKeys.all().map((row) => row.key);
  }

  /** Empties the index (records, marks, completeness and checkpoint); the identity stays. */
  clear(): void {
    this.db.transaction(() => {
      this.db.exec("DELETE FROM record; DELETE FROM uncertain; DELETE FROM meta WHERE name <> 'identity';");
    })();
    this.records = 0;
    this.uncertainCount = 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private meta(name: string): string | undefined {
    return this.statements.getMeta.get(name)?.value;
  }
}

function prepareStatements(db: Database.Database) {
  return {
    byKey: db.prepare<[string], { id: string; fingerprint: string }>(
      "SELECT id, fingerprint FROM record WHERE key = ?",
    ),
    insert: db.prepare<[string, string, string]>(
      "INSERT OR IGNORE INTO record (id, key, fingerprint) VALUES (?, ?, ?)",
    ),
    update: db.prepare<[string, string, string]>("UPDATE record SET key = ?, fingerprint = ? WHERE id = ?"),
    removeId: db.prepare<[string]>("DELETE FROM record WHERE id = ?"),
    removeKey: db.prepare<[string]>("DELETE FROM record WHERE key = ?"),
    markUncertain: db.prepare<[string, number]>("INSERT OR IGNORE INTO uncertain (key, since) VALUES (?, ?)"),
    clearUncertain: db.prepare<[string]>("DELETE FROM uncertain WHERE key = ?"),
    isUncertain: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM uncertain WHERE key = ?"),
    clearUncertainBefore: db.prepare<[number]>("DELETE FROM uncertain WHERE since < ?"),
    minUncertain: db.prepare<[], { since: number | null }>("SELECT min(since) AS since FROM uncertain"),
    keys: db.prepare<[], { key: string }>("SELECT DISTINCT key FROM record ORDER BY key"),
    uncertainKeys: db.prepare<[], { key: string }>("SELECT key FROM uncertain ORDER BY since, key"),
    getMeta: db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE name = ?"),
    setMeta: db.prepare<[string, string]>(
      "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    ),
    countRecords: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM record"),
    countUncertain: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM uncertain"),
  };
}
