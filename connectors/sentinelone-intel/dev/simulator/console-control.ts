/**
 * Console-side control: what an analyst (or another integration) does in the SentinelOne console behind the
 * connector's back. It removes records, adds records (any `source`), edits fields of existing records and adds
 * duplicates of existing ones. Changes bypass auth, rate limits, faults and the request log; edits move `updatedAt`
 * so an incremental listing (`updatedAt__gte`) sees them.
 */
import { buildRecord, effectiveValidUntil, hex32, inputFieldsOf } from "./records.js";
import type { ResolvedToken, ScopeModel, ScopeTarget } from "./scope.js";
import type { Criteria, Entry, IocStore } from "./store.js";
import { formatMicros, parseDateTime } from "./time.js";
import type { IocType, StoredIoc } from "./types.js";
import { Errors, isIocType, isObject, join, parsePostFilter, validateItem } from "./validate.js";

/** Which records a console change applies to (all given criteria ANDed; at least one is required). */
export interface ConsoleMatch {
  uuids?: readonly string[];
  externalId?: string;
  value?: string;
  type?: IocType;
  source?: string;
}

/** Fields an edit may change: every optional IOC field of §2.2 plus `validUntil`; not type, value or source. */
export type ConsoleEdit = Record<string, unknown>;

export interface ConsoleAddOptions {
  /** POST-style scope filter (`accountIds` / `siteIds` / `groupIds` / `tenant`). Default: the first known account. */
  filter?: unknown;
  /** `creator` of the added records. Default "console@example.com". */
  user?: string;
}

/** A console change the simulator refuses (bad match, bad field value); the message names what is wrong. */
export class ConsoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConsoleError";
  }
}

export const CONSOLE_USER = "console@example.com";
const FROZEN_ON_EDIT = new Set(["type", "value", "source", "method", "creator"]);

export interface ConsoleContext {
  store: IocStore;
  scopes: ScopeModel;
  now: () => number;
  defaultAccountId: string | null;
}

export class SimulatorConsole {
  constructor(private readonly ctx: ConsoleContext) {}

  /** Records matching `match`, in insertion order (any scope, any source). */
  find(match: ConsoleMatch): StoredIoc[] {
    return this.entries(match).map((e) => e.rec);
  }

  /** Deletes the matching records; returns them. */
  remove(match: ConsoleMatch): StoredIoc[] {
    const hits = this.entries(match);
    for (const e of hits) this.ctx.store.remove(e);
    this.ctx.store.compact();
    return hits.map((e) => e.rec);
  }

  /**
   * Adds records as an upload would (same validation, defaults and expiry clamping), with one new batchId.
   * Throws ConsoleError listing every invalid item.
   */
  add(items: readonly unknown[], options: ConsoleAddOptions = {}): StoredIoc[] {
    const errs = new Errors();
    const filterRaw =
      options.filter ??
      (this.ctx.defaultAccountId === null ? { tenant: true } : { accountIds: [this.ctx.defaultAccountId] });
    const filter = parsePostFilter(filterRaw, errs, true);
    const validated = items.map((raw, i) =>
      validateItem(raw, join("items", i), errs, { strict: true, validateValues: true }),
    );
    if (errs.any) throw new ConsoleError(`console add refused: ${errs.list.join("; ")}`);
    const targets = this.ctx.scopes.resolvePostTargets(consoleToken(options.user ?? CONSOLE_USER), filter, false);
    if (targets === null) throw new ConsoleError("console add refused: filter names no scope");
    const uploadUs = this.ctx.now() * 1000;
    const batch = {
      batchId: hex32(),
      uploadUs,
      uploadTime: formatMicros(uploadUs),
      creator: this.ctx.store.intern(options.user ?? CONSOLE_USER),
    };
    const out: StoredIoc[] = [];
    for (const item of validated) {
      if (item === undefined) continue;
      for (const target of targets) {
        const validUntil = formatMicros(effectiveValidUntil(item.type, item.validUntilUs, uploadUs));
        const rec = buildRecord(this.ctx.store, item, validUntil, target, batch, {
          uuid: hex32(),
          uploadTime: batch.uploadTime,
        });
        this.ctx.store.insert(rec, target.accountId, target.siteId);
        out.push(rec);
      }
    }
    return out;
  }

  /** Adds one copy of each matching record (new uuid, batchId, uploadTime), as a second upload would. */
  duplicate(match: ConsoleMatch): StoredIoc[] {
    const hits = this.entries(match);
    const uploadUs = this.ctx.now() * 1000;
    const stamp = formatMicros(uploadUs);
    const batchId = hex32();
    const out: StoredIoc[] = [];
    for (const e of hits) {
      const rec: StoredIoc = { ...e.rec, batchId, uuid: hex32(), uploadTime: stamp, updatedAt: stamp };
      this.ctx.store.insert(rec, e.accountId, e.siteId);
      out.push(rec);
    }
    return out;
  }

  /**
   * Changes fields of the matching records. `validUntil` is clamped like an upload at the edit time ([INF]);
   * `updatedAt` moves to the edit time, and always forward. uuid, uploadTime, batchId and creator are kept.
   */
  edit(match: ConsoleMatch, changes: ConsoleEdit): StoredIoc[] {
    if (!isObject(changes) || Object.keys(changes).length === 0) {
      throw new ConsoleError("console edit refused: `set` must be an object with at least one field");
    }
    const frozen = Object.keys(changes).filter((k) => FROZEN_ON_EDIT.has(k));
    if (frozen.length > 0) {
      throw new ConsoleError(`console edit refused: ${frozen.join(", ")} cannot be edited (add a record instead)`);
    }
    const hits = this.entries(match);
    const nowUs = this.ctx.now() * 1000;
    const out: StoredIoc[] = [];
    for (const e of hits) {
      const old = e.rec;
      const errs = new Errors();
      const item = validateItem({ type: old.type, value: old.value, source: old.source, ...changes }, "set", errs, {
        strict: true,
        validateValues: false,
      });
      if (item === undefined) throw new ConsoleError(`console edit refused: ${errs.list.join("; ")}`);
      const previousUs = parseDateTime(old.updatedAt) ?? 0;
      const updatedUs = Math.max(nowUs, previousUs + 1);
      const updatedAt = formatMicros(updatedUs);
      const validUntil =
        "validUntil" in changes
          ? formatMicros(effectiveValidUntil(old.type, item.validUntilUs, nowUs))
          : old.validUntil;
      const target: ScopeTarget = {
        scope: old.scope,
        scopeId: old.scopeId,
        parentScopeId: old.parentScopeId,
        accountId: e.accountId,
        siteId: e.siteId,
      };
      const fields = { ...inputFieldsOf(old), ...item.fields };
      const rec = buildRecord(
        this.ctx.store,
        { type: old.type, value: old.value, source: old.source, fields },
        validUntil,
        target,
        { batchId: old.batchId, uploadUs: updatedUs, uploadTime: updatedAt, creator: old.creator },
        { uuid: old.uuid, uploadTime: old.uploadTime },
      );
      this.ctx.store.replace(e, rec);
      out.push(rec);
    }
    return out;
  }

  private entries(match: ConsoleMatch): Entry[] {
    const c = toCriteria(match);
    return this.ctx.store.matchAll(c);
  }
}

function consoleToken(user: string): ResolvedToken {
  return {
    token: "__console__",
    def: { user, scope: "global" },
    accounts: new Set(),
    sites: new Set(),
    groups: new Set(),
  };
}

function toCriteria(match: ConsoleMatch): Criteria {
  if (!isObject(match)) throw new ConsoleError("console match must be an object");
  const c: Criteria = { visible: () => true };
  let criteria = 0;
  const str = (key: keyof ConsoleMatch): string | undefined => {
    const v = match[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") throw new ConsoleError(`console match: ${key} must be a non-empty string`);
    criteria++;
    return v;
  };
  if (match.uuids !== undefined) {
    if (!Array.isArray(match.uuids) || !match.uuids.every((u) => typeof u === "string")) {
      throw new ConsoleError("console match: uuids must be a list of strings");
    }
    c.uuids = new Set(match.uuids);
    criteria++;
  }
  const externalId = str("externalId");
  if (externalId !== undefined) c.externalId = externalId;
  const value = str("value");
  if (value !== undefined) c.value = value;
  const source = str("source");
  if (source !== undefined) c.sources = new Set([source]);
  if (match.type !== undefined) {
    if (!isIocType(match.type)) throw new ConsoleError(`console match: type ${String(match.type)} is not an IOC type`);
    c.type = match.type;
    criteria++;
  }
  const unknown = Object.keys(match).filter((k) => !["uuids", "externalId", "value", "type", "source"].includes(k));
  if (unknown.length > 0) throw new ConsoleError(`console match: unknown key(s) ${unknown.join(", ")}`);
  if (criteria === 0) {
    throw new ConsoleError("console match needs at least one of uuids, externalId, value, type, source");
  }
  return c;
}
