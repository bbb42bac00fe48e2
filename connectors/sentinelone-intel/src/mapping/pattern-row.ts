/**
 * What a mapping row is: a STIX comparison it takes (object type + key matcher) and what it does with the value
 * (normaliser, validator), with the words the docs and skip details use. The classifier knows nothing else about a
 * type, so adding an IOC type is adding one row to `PATTERN_TABLE` (or to a table passed to `createClassifier`).
 */
import type { Comparison } from "@octi/connector-sdk";

/** The parsed steps after the colon of a comparison's object path. */
export type PathSteps = Comparison["path"]["steps"];

/** Which property paths after the colon a row takes. */
export interface KeyMatcher {
  /** The canonical spelling, for the docs and skip details (`hashes.'SHA-256'`). */
  readonly text: string;
  /** The other spellings it takes, for the docs ("" when none). */
  readonly also: string;
  /** Runs for every comparison on the row's object type: compares in place, allocates nothing. */
  matches(steps: PathSteps): boolean;
}

/** What a row does with a comparison's string value: normalise it, then check it. */
export interface ValueRule {
  /** The value as sent (e.g. hashes in lower case). Never throws; an unusable value is left for `validate`. */
  readonly normalise: (raw: string) => string;
  /** Why the normalised value cannot be sent, or undefined when it can. */
  readonly validate: (value: string) => string | undefined;
  /** The check in words, for the docs. */
  readonly check: string;
}

export interface PatternRow<T extends string = string> extends ValueRule {
  /** Stable row name (docs, tests). */
  readonly name: string;
  /** STIX object type, lower case, exactly as it must be written. */
  readonly objectType: string;
  readonly key: KeyMatcher;
  /** The SentinelOne IOC `type` the row produces. */
  readonly iocType: T;
}

const isProperty = (step: PathSteps[number] | undefined, name: string): boolean =>
  step !== undefined && step.kind === "property" && step.name === name;

/** `<type>:<name>`, one property written exactly so (e.g. `value`). */
export function property(name: string): KeyMatcher {
  return { text: name, also: "", matches: (steps) => steps.length === 1 && isProperty(steps[0], name) };
}

/** True when `name` equals `lower` (lower case ASCII) ignoring ASCII case, without building a string. */
function equalsIgnoringCase(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * `file:hashes.<algorithm>` with the algorithm name in any case, with or without its hyphen, quoted or not (the
 * parser unquotes), as the Python connector's `(?i:('?)(?:MD5|SHA-?1|SHA-?256)\1)` took it: `SHA-256`, `'Sha-256'`,
 * `sha256`, `SHA256` all match; `SHA-512`, `SHA_256` do not. `hashes` itself is written exactly.
 */
export function hashKey(algorithm: string): KeyMatcher {
  const lower = algorithm.toLowerCase();
  const bare = lower.replaceAll("-", "");
  const hyphen = algorithm.includes("-");
  return {
    text: `hashes.${hyphen ? `'${algorithm}'` : algorithm}`,
    also: hyphen ? "any case, hyphen optional, quoted or not" : "any case, quoted or not",
    matches: (steps) => {
      const step = steps[1];
      return (
        steps.length === 2 &&
        isProperty(steps[0], "hashes") &&
        step !== undefined &&
        step.kind === "property" &&
        (equalsIgnoringCase(step.name, lower) || equalsIgnoringCase(step.name, bare))
      );
    },
  };
}

export type ValueCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly detail: string };

/** A comparison's value through a row: normalised, then validated. */
export function checkValue(row: ValueRule, raw: string): ValueCheck {
  if (raw.length === 0) return { ok: false, detail: "the value is empty" };
  const value = row.normalise(raw);
  const problem = row.validate(value);
  return problem === undefined ? { ok: true, value } : { ok: false, detail: problem };
}

/** A table's rows by object type, for the classifier; built once per table. */
export class RowIndex<T extends string> {
  private readonly byType = new Map<string, PatternRow<T>[]>();
  /** What the table maps, for skip details (`file:hashes.'SHA-256', url:value, …`). */
  readonly mapped: string;

  constructor(rows: readonly PatternRow<T>[]) {
    const names = new Set<string>();
    for (const row of rows) {
      if (names.has(row.name)) throw new Error(`pattern table: two rows are named '${row.name}'`);
      if (row.objectType !== row.objectType.toLowerCase()) {
        throw new Error(`pattern table: row '${row.name}' has object type '${row.objectType}': write it lower case`);
      }
      names.add(row.name);
      const same = this.byType.get(row.objectType);
      if (same) same.push(row);
      else this.byType.set(row.objectType, [row]);
    }
    this.mapped = rows.map((row) => `${row.objectType}:${row.key.text}`).join(", ");
  }

  /** The first row taking `objectType:steps`, if any. */
  find(objectType: string, steps: PathSteps): PatternRow<T> | undefined {
    const rows = this.byType.get(objectType);
    if (rows === undefined) return undefined;
    for (const row of rows) if (row.key.matches(steps)) return row;
    return undefined;
  }

  /** True when some row uses this object type (to tell "unsupported property" from "unsupported object"). */
  hasObjectType(objectType: string): boolean {
    return this.byType.has(objectType);
  }
}
