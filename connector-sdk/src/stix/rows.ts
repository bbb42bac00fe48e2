/**
 * A classification table's rows (decision 0010): each row takes one STIX comparison (object type + key matcher) and
 * carries what is done with its value (normaliser, validator, the check in words) and the target type it becomes.
 * The classifier knows nothing else about a type, so a connector adds a type by adding a row.
 */
import type { Comparison } from "../stix-pattern/index.js";

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

/** The STIX side of a row: the comparison it takes and its value rule (`STIX_COMPARISONS` has the common ones). */
export interface ComparisonRule extends ValueRule {
  /** STIX object type, lower case, exactly as it must be written. */
  readonly objectType: string;
  readonly key: KeyMatcher;
}

export interface PatternRow<T extends string = string> extends ComparisonRule {
  /** The target's type for the value (e.g. a SentinelOne IOC type). */
  readonly iocType: T;
}

/** Keeps each row's `iocType` literal, so that `TableType<typeof TABLE>` is the union of the table's types. */
export const patternTable = <T extends string>(rows: readonly PatternRow<T>[]): readonly PatternRow<T>[] => rows;

export type TableType<Table extends readonly PatternRow[]> = Table[number]["iocType"];

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
 * parser unquotes), as the Python connectors' `(?i:('?)(?:MD5|SHA-?1|SHA-?256)\1)` took it: `SHA-256`, `'Sha-256'`,
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

/** A comparison's value through a rule: normalised, then validated. */
export function checkValue(rule: ValueRule, raw: string): ValueCheck {
  if (raw.length === 0) return { ok: false, detail: "the value is empty" };
  const value = rule.normalise(raw);
  const problem = rule.validate(value);
  return problem === undefined ? { ok: true, value } : { ok: false, detail: problem };
}
