/**
 * Request validation in marshmallow's style: every problem becomes a `<path>: <message>` detail, e.g.
 * `data: 0: type: Must be one of: DNS, IPV4, IPV6, MD5, SHA1, SHA256, URL.` ([INF] wording, spec §7.1 template).
 */
import { formatMicros, parseDateTime } from "./time.js";
import { IOC_TYPES, type IocType, THREAT_ACTOR_TYPES } from "./types.js";
import { checkValue } from "./values.js";

/** At most this many details are reported in one 400 ([INF]). */
export const MAX_ERROR_DETAILS = 100;
export const MIN_SCOPE_ID = 100000000000000000n;
const MIN_SCOPE_ID_MSG = "Must be greater than or equal to 100000000000000000.";
export const TYPE_ENUM_MSG = `Must be one of: ${IOC_TYPES.join(", ")}.`;
const TYPE_SET: ReadonlySet<string> = new Set(IOC_TYPES);
const THREAT_ACTOR_TYPE_SET: ReadonlySet<string> = new Set(THREAT_ACTOR_TYPES);

export class Errors {
  /** The first MAX_ERROR_DETAILS details. */
  readonly list: string[] = [];
  /** All problems found, reported or not. */
  count = 0;
  add(path: string, message: string): void {
    this.count++;
    if (this.list.length < MAX_ERROR_DETAILS) this.list.push(path === "" ? message : `${path}: ${message}`);
  }
  get any(): boolean {
    return this.count > 0;
  }
}

export function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}: ${key}`;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isIocType(v: unknown): v is IocType {
  return typeof v === "string" && TYPE_SET.has(v);
}

/** Marshmallow Boolean's truthy / falsy sets (case-insensitive strings, 1 / 0). */
export function parseBool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (s === "true" || s === "t" || s === "1" || s === "yes" || s === "y" || s === "on") return true;
    if (s === "false" || s === "f" || s === "0" || s === "no" || s === "n" || s === "off") return false;
  }
  return undefined;
}

/** Integer coercion ([INF], marshmallow `Integer(strict=False)`-like): JS integers, bigints, and digit strings. */
export function parseInteger(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? v : undefined;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim());
  return undefined;
}

/** One scope id: a digit string, a JSON integer (exact, see json.ts) → canonical decimal string. */
export function parseScopeId(v: unknown, path: string, errs: Errors): string | undefined {
  let big: bigint | undefined;
  if (typeof v === "bigint") big = v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) big = BigInt(v);
  else if (typeof v === "string" && /^\s*\d+\s*$/.test(v)) big = BigInt(v.trim());
  if (big === undefined) {
    errs.add(path, "Not a valid integer.");
    return undefined;
  }
  if (big < MIN_SCOPE_ID) {
    errs.add(path, MIN_SCOPE_ID_MSG);
    return undefined;
  }
  return big.toString();
}

export interface ListBounds {
  min?: number;
  max: number;
}

function lengthMessage(bounds: ListBounds): string {
  return bounds.min !== undefined
    ? `Length must be between ${bounds.min} and ${bounds.max}.`
    : `Longer than maximum length ${bounds.max}.`;
}

/** A list of scope ids from JSON (array) or from a GET query (csv, already split). */
export function parseScopeIdList(v: unknown, path: string, errs: Errors, bounds: ListBounds): string[] | undefined {
  if (!Array.isArray(v)) {
    errs.add(path, "Not a valid list.");
    return undefined;
  }
  if (v.length > bounds.max || (bounds.min !== undefined && v.length < bounds.min)) {
    errs.add(path, lengthMessage(bounds));
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  v.forEach((item, i) => {
    const id = parseScopeId(item, join(path, i), errs);
    if (id === undefined) ok = false;
    else out.push(id);
  });
  return ok ? out : undefined;
}

export function parseStringList(
  v: unknown,
  path: string,
  errs: Errors,
  opts: { max: number; minItemLength?: number; nullableItems?: boolean; enumSet?: ReadonlySet<string> },
): (string | null)[] | undefined {
  if (!Array.isArray(v)) {
    errs.add(path, "Not a valid list.");
    return undefined;
  }
  if (v.length > opts.max) {
    errs.add(path, `Longer than maximum length ${opts.max}.`);
    return undefined;
  }
  let ok = true;
  const out: (string | null)[] = [];
  v.forEach((item, i) => {
    if (item === null && opts.nullableItems) {
      out.push(null);
      return;
    }
    if (item === null) {
      errs.add(join(path, i), "Field may not be null.");
      ok = false;
    } else if (typeof item !== "string") {
      errs.add(join(path, i), "Not a valid string.");
      ok = false;
    } else if (opts.minItemLength !== undefined && item.length < opts.minItemLength) {
      errs.add(join(path, i), `Shorter than minimum length ${opts.minItemLength}.`);
      ok = false;
    } else if (opts.enumSet !== undefined && !opts.enumSet.has(item)) {
      errs.add(join(path, i), `Must be one of: ${[...opts.enumSet].join(", ")}.`);
      ok = false;
    } else out.push(item);
  });
  return ok ? out : undefined;
}

export function rejectUnknownKeys(
  obj: Record<string, unknown>,
  known: ReadonlySet<string>,
  path: string,
  errs: Errors,
) {
  for (const key of Object.keys(obj)) if (!known.has(key)) errs.add(join(path, key), "Unknown field.");
}

// ---------------------------------------------------------------------------------------------------------------
// POST / STIX scope filter (§2.1)

export interface PostScopeFilter {
  accountIds?: string[];
  siteIds?: string[];
  groupIds?: string[];
  tenant?: boolean;
}

const POST_FILTER_KEYS: ReadonlySet<string> = new Set(["accountIds", "siteIds", "groupIds", "tenant"]);

export function parsePostFilter(v: unknown, errs: Errors, strict: boolean): PostScopeFilter {
  const out: PostScopeFilter = {};
  if (v === undefined || v === null) return out;
  if (!isObject(v)) {
    errs.add("filter", "Invalid input type.");
    return out;
  }
  if (strict) rejectUnknownKeys(v, POST_FILTER_KEYS, "filter", errs);
  for (const key of ["accountIds", "siteIds", "groupIds"] as const) {
    if (v[key] === undefined || v[key] === null) continue;
    const ids = parseScopeIdList(v[key], join("filter", key), errs, { min: 1, max: 500 });
    if (ids !== undefined) out[key] = ids;
  }
  if (v.tenant !== undefined && v.tenant !== null) {
    const b = parseBool(v.tenant);
    if (b === undefined) errs.add("filter: tenant", "Not a valid boolean.");
    else out.tenant = b;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// One IOC of POST `data[]` (§2.2)

/** A validated `data[]` item: required fields plus the normalised optional keys the request set. */
export interface ValidatedItem {
  type: IocType;
  value: string;
  source: string;
  /** Requested expiry in epoch µs; null when blank (→ the per-type default). */
  validUntilUs: number | null;
  /** Optional keys present in the request, normalised (dates formatted), in no particular order. */
  fields: Record<string, unknown>;
}

type Kind =
  | { k: "string"; nullable: boolean }
  | { k: "int"; nullable: boolean; min: number; max: number }
  | { k: "list"; nullableItems: boolean; enumSet?: ReadonlySet<string> }
  | { k: "date" }
  | { k: "any" };

/** Optional item fields (spec §2.2 table; `x-nullable` ⇒ nullable). type / value / source / method / validUntil are special. */
const OPTIONAL_FIELDS: Record<string, Kind> = {
  creationTime: { k: "date" },
  name: { k: "string", nullable: false },
  description: { k: "string", nullable: true },
  externalId: { k: "string", nullable: true },
  severity: { k: "int", nullable: true, min: 0, max: 7 },
  originalRiskScore: { k: "int", nullable: true, min: 0, max: 100 },
  labels: { k: "list", nullableItems: false },
  category: { k: "list", nullableItems: true },
  mitreTactic: { k: "list", nullableItems: false },
  threatActors: { k: "list", nullableItems: false },
  threatActorTypes: { k: "list", nullableItems: false, enumSet: THREAT_ACTOR_TYPE_SET },
  malwareNames: { k: "list", nullableItems: true },
  campaignNames: { k: "list", nullableItems: false },
  intrusionSets: { k: "list", nullableItems: false },
  reference: { k: "list", nullableItems: true },
  pattern: { k: "string", nullable: true },
  patternType: { k: "any" },
  metadata: { k: "string", nullable: true },
  creator: { k: "string", nullable: true },
};

export const ITEM_KEYS: ReadonlySet<string> = new Set([
  "type",
  "value",
  "source",
  "method",
  "validUntil",
  ...Object.keys(OPTIONAL_FIELDS),
]);

const MAX_LIST = 5000;

function requiredString(item: Record<string, unknown>, key: string, path: string, errs: Errors): string | undefined {
  const v = item[key];
  const p = join(path, key);
  if (v === undefined) errs.add(p, "Missing data for required field.");
  else if (v === null) errs.add(p, "Field may not be null.");
  else if (typeof v !== "string") errs.add(p, "Not a valid string.");
  else return v;
  return undefined;
}

export interface ItemOptions {
  strict: boolean;
  validateValues: boolean;
}

/** Validates one IOC; problems go to `errs` under `path` (e.g. `data: 3`). Returns undefined when invalid. */
export function validateItem(raw: unknown, path: string, errs: Errors, opts: ItemOptions): ValidatedItem | undefined {
  if (!isObject(raw)) {
    errs.add(join(path, "_schema"), "Invalid input type.");
    return undefined;
  }
  const before = errs.count;
  if (opts.strict) rejectUnknownKeys(raw, ITEM_KEYS, path, errs);

  let type: IocType | undefined;
  const t = raw.type;
  if (t === undefined) errs.add(join(path, "type"), "Missing data for required field.");
  else if (t === null) errs.add(join(path, "type"), "Field may not be null.");
  else if (!isIocType(t)) errs.add(join(path, "type"), TYPE_ENUM_MSG);
  else type = t;

  const value = requiredString(raw, "value", path, errs);
  const source = requiredString(raw, "source", path, errs);
  if (source !== undefined && source.trim().length === 0)
    errs.add(join(path, "source"), "Shorter than minimum length 1.");
  if (type !== undefined && value !== undefined) {
    const problem = checkValue(type, value, opts.validateValues);
    if (problem !== undefined) errs.add(join(path, "value"), problem);
  }

  if (raw.method !== undefined && raw.method !== null && raw.method !== "EQUALS") {
    errs.add(join(path, "method"), "Must be one of: EQUALS.");
  }

  let validUntilUs: number | null = null;
  if (raw.validUntil !== undefined && raw.validUntil !== null && raw.validUntil !== "") {
    const us = parseDateTime(raw.validUntil);
    if (us === undefined) errs.add(join(path, "validUntil"), "Not a valid datetime.");
    else validUntilUs = us;
  }

  const fields: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(OPTIONAL_FIELDS)) {
    const v = raw[key];
    if (v === undefined) continue;
    const p = join(path, key);
    switch (kind.k) {
      case "string":
        if (v === null) {
          if (kind.nullable) fields[key] = null;
          else errs.add(p, "Field may not be null.");
        } else if (typeof v !== "string") errs.add(p, "Not a valid string.");
        else fields[key] = v;
        break;
      case "int": {
        if (v === null) {
          fields[key] = null;
          break;
        }
        const n = typeof v === "boolean" ? undefined : parseInteger(v);
        if (n === undefined) errs.add(p, "Not a valid integer.");
        else if (n < kind.min || n > kind.max) {
          errs.add(p, `Must be greater than or equal to ${kind.min} and less than or equal to ${kind.max}.`);
        } else fields[key] = n;
        break;
      }
      case "list": {
        if (v === null) {
          errs.add(p, "Field may not be null.");
          break;
        }
        const list = parseStringList(v, p, errs, {
          max: MAX_LIST,
          nullableItems: kind.nullableItems,
          ...(kind.enumSet ? { enumSet: kind.enumSet } : {}),
        });
        if (list !== undefined) fields[key] = list;
        break;
      }
      case "date": {
        if (v === null || v === "") {
          fields[key] = null;
          break;
        }
        const us = parseDateTime(v);
        if (us === undefined) errs.add(p, "Not a valid datetime.");
        else fields[key] = formatMicros(us);
        break;
      }
      case "any":
        fields[key] = typeof v === "bigint" ? Number(v) : v;
        break;
    }
  }

  if (errs.count > before || type === undefined || value === undefined || source === undefined) return undefined;
  return { type, value, source, validUntilUs, fields };
}
