/** GET query / DELETE filter parsing into store Criteria (spec §4.1, §5.1). */
import type { Criteria, ListField, RangeOp, TimeField } from "./store.js";
import { formatMicros, parseDateTime } from "./time.js";
import {
  type Errors,
  isIocType,
  join,
  parseBool,
  parseInteger,
  parseScopeIdList,
  parseStringList,
  TYPE_ENUM_MSG,
} from "./validate.js";

const LIST_IN: Readonly<Record<string, ListField>> = {
  labels__in: "labels",
  malwareNames__in: "malwareNames",
  threatActors__in: "threatActors",
  threatActorTypes__in: "threatActorTypes",
  campaignNames__in: "campaignNames",
};
const TIME_FIELDS: readonly TimeField[] = ["creationTime", "uploadTime", "updatedAt"];
const RANGE_OPS: readonly RangeOp[] = ["gt", "gte", "lt", "lte"];
const RANGE_KEYS: readonly string[] = TIME_FIELDS.flatMap((f) => RANGE_OPS.map((op) => `${f}__${op}`));

export const SCOPE_KEYS: ReadonlySet<string> = new Set(["accountIds", "siteIds", "tenant"]);

/** Keys shared by the GET query and the DELETE filter. */
export const CRITERIA_KEYS: ReadonlySet<string> = new Set([
  "uuids",
  "accountIds",
  "siteIds",
  "tenant",
  "value",
  "type",
  "externalId",
  "batchId",
  "source",
  "name__contains",
  "creator__contains",
  "description__contains",
  "category__in",
  ...Object.keys(LIST_IN),
  "severity",
  ...RANGE_KEYS,
]);

/** Keys whose query form is a csv list. */
export const CSV_KEYS: ReadonlySet<string> = new Set([
  "uuids",
  "accountIds",
  "siteIds",
  "source",
  "name__contains",
  "creator__contains",
  "description__contains",
  ...Object.keys(LIST_IN),
  "severity",
]);

export interface ParsedFilter {
  criteria: Omit<Criteria, "visible">;
  accountIds?: string[];
  siteIds?: string[];
  tenant?: boolean;
  /** Criteria other than accountIds / siteIds / tenant that were given. */
  nonScopeCriteria: number;
}

/**
 * `src` holds the given keys: for a GET query, csv strings (`fromQuery`); for a DELETE filter, JSON values.
 * `path` prefixes error details (`filter` for DELETE, "" for GET).
 */
export function parseCriteria(
  src: Record<string, unknown>,
  fromQuery: boolean,
  path: string,
  errs: Errors,
): ParsedFilter {
  const c: Omit<Criteria, "visible"> & Record<string, unknown> = {};
  const out: ParsedFilter = { criteria: c, nonScopeCriteria: 0 };
  const listOf = (key: string): unknown =>
    fromQuery
      ? String(src[key])
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
      : src[key];
  const str = (key: string): string | undefined => {
    const v = src[key];
    if (typeof v === "string") return v;
    errs.add(join(path, key), "Not a valid string.");
    return undefined;
  };
  const listMax = 5000;

  for (const key of Object.keys(src)) {
    if (!CRITERIA_KEYS.has(key) || src[key] === undefined || src[key] === null) continue;
    const p = join(path, key);
    if (!SCOPE_KEYS.has(key)) out.nonScopeCriteria++;
    switch (key) {
      case "accountIds":
      case "siteIds": {
        const ids = parseScopeIdList(listOf(key), p, errs, { max: listMax });
        if (ids !== undefined) out[key] = ids;
        break;
      }
      case "tenant": {
        const b = parseBool(src[key]);
        if (b === undefined) errs.add(p, "Not a valid boolean.");
        else out.tenant = b;
        break;
      }
      case "value":
      case "externalId":
      case "batchId": {
        const s = str(key);
        if (s !== undefined) c[key] = s;
        break;
      }
      case "type": {
        const s = src[key];
        if (!isIocType(s)) errs.add(p, TYPE_ENUM_MSG);
        else c.type = s;
        break;
      }
      case "uuids":
      case "source": {
        const list = parseStringList(listOf(key), p, errs, { max: listMax });
        if (list !== undefined) c[key === "uuids" ? "uuids" : "sources"] = new Set(list as string[]);
        break;
      }
      case "name__contains":
      case "creator__contains":
      case "description__contains": {
        const list = parseStringList(listOf(key), p, errs, { max: listMax, minItemLength: 2 });
        const field =
          key === "name__contains"
            ? "nameContains"
            : key === "creator__contains"
              ? "creatorContains"
              : "descriptionContains";
        if (list !== undefined) c[field] = list as string[];
        break;
      }
      case "category__in": {
        const s = str(key);
        if (s !== undefined) {
          const values = new Set(s.split(",").map((x) => x.trim()));
          c.listIn = [...(c.listIn ?? []), { field: "category", values }];
        }
        break;
      }
      case "severity": {
        const raw = listOf(key);
        if (!Array.isArray(raw)) {
          errs.add(p, "Not a valid list.");
          break;
        }
        const set = new Set<number>();
        raw.forEach((v, i) => {
          const n = typeof v === "boolean" ? undefined : parseInteger(v);
          if (n === undefined) errs.add(join(p, i), "Not a valid integer.");
          else if (n < 0 || n > 7)
            errs.add(join(p, i), "Must be greater than or equal to 0 and less than or equal to 7.");
          else set.add(n);
        });
        c.severity = set;
        break;
      }
      default: {
        const listField = LIST_IN[key];
        if (listField !== undefined) {
          const list = parseStringList(listOf(key), p, errs, { max: listMax });
          if (list !== undefined)
            c.listIn = [...(c.listIn ?? []), { field: listField, values: new Set(list as string[]) }];
          break;
        }
        const [field, op] = key.split("__") as [TimeField, RangeOp];
        const us = parseDateTime(src[key]);
        if (us === undefined) errs.add(p, "Not a valid datetime.");
        else c.ranges = [...(c.ranges ?? []), { field, op, at: formatMicros(us) }];
      }
    }
  }
  return out;
}
