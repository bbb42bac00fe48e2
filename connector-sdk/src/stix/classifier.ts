/**
 * Decides whether an OpenCTI indicator becomes IOCs through a table of rows (`rows.ts`), and which.
 *
 * The pattern is parsed with the STIX 2.1 parser (never with regular expressions) and its AST is checked:
 * - one `=` comparison on a row of the table                            → one IOC;
 * - a disjunction of such comparisons, whether comparison-level (`[a = 'x' OR b = 'y']`), observation-level
 *   (`[a = 'x'] OR [b = 'y']`) or both, with any grouping               → one IOC per comparison (deduplicated);
 * - anything else                                                       → skipped, with a stable reason code.
 * Disjunctions are all-or-nothing: one unsupported comparison skips the indicator, because pushing a part of
 * it would claim a detection the indicator does not make on its own terms.
 */
import {
  type Comparison,
  type ComparisonExpression,
  type ObservationExpression,
  objectPathToString,
  type Pattern,
} from "../stix-pattern/index.js";
import type { StixObject } from "../stream/envelope.js";
import { isRevoked, timestampMs } from "./indicator-fields.js";
import { parseLenient } from "./lenient-parse.js";
import { RowIndex } from "./row-index.js";
import { checkValue, type PatternRow } from "./rows.js";

/** Stable machine codes (metrics label `reason`, logs, dry-run output). */
export const SKIP_REASONS = [
  "not_indicator",
  "revoked",
  "unsupported_pattern_type",
  "missing_pattern",
  "pattern_parse_error",
  "compound_and",
  "followedby",
  "qualifier",
  "unsupported_operator",
  "unsupported_object",
  "invalid_value",
  "expired",
] as const;

export type SkipReason = (typeof SKIP_REASONS)[number];

export interface ClassifiedIoc<T extends string> {
  readonly type: T;
  readonly value: string;
}

export type Skip = { readonly kind: "skip"; readonly reason: SkipReason; readonly detail: string };

export type Classification<T extends string> =
  | { readonly kind: "iocs"; readonly iocs: readonly ClassifiedIoc<T>[] }
  | Skip;

export interface ClassifyOptions {
  /** Clock for the `expired` check (epoch ms). Default `Date.now()`. */
  readonly now?: number;
  /** Longest pattern parsed (characters). Default: the parser's default. */
  readonly maxPatternLength?: number;
}

export type Classifier<T extends string> = (indicator: StixObject, options?: ClassifyOptions) => Classification<T>;

/** Longest value quoted in a skip detail. */
const MAX_QUOTED = 120;

const skip = (reason: SkipReason, detail: string): Skip => ({ kind: "skip", reason, detail });

const quoteForDetail = (value: string): string =>
  value.length > MAX_QUOTED ? `'${value.slice(0, MAX_QUOTED)}…'` : `'${value}'`;

/** A classifier for a table of rows. Indexes the rows once; throws when the table cannot work. */
export function createClassifier<T extends string>(rows: readonly PatternRow<T>[]): Classifier<T> {
  const index = new RowIndex(rows);
  return (indicator, options = {}) => classify(index, indicator, options);
}

function classify<T extends string>(
  index: RowIndex<T>,
  indicator: StixObject,
  options: ClassifyOptions,
): Classification<T> {
  if (!indicator || typeof indicator !== "object" || indicator.type !== "indicator") {
    return skip("not_indicator", `not an indicator (type ${JSON.stringify(indicator?.type ?? null)})`);
  }
  if (isRevoked(indicator)) return skip("revoked", "the indicator is revoked");
  const patternType = indicator.pattern_type;
  if (patternType !== undefined && patternType !== null) {
    if (typeof patternType !== "string" || patternType.trim().toLowerCase() !== "stix") {
      return skip("unsupported_pattern_type", `pattern_type ${JSON.stringify(patternType)} is not stix`);
    }
  }
  const pattern = indicator.pattern;
  if (typeof pattern !== "string") return skip("missing_pattern", "the indicator has no pattern");

  const parsed = parseLenient(pattern, options.maxPatternLength);
  if (!parsed.ok) return skip("pattern_parse_error", parsed.detail);

  const walked = collectDisjuncts(parsed.pattern);
  if (!Array.isArray(walked)) return walked;

  const iocs: ClassifiedIoc<T>[] = [];
  const seen = new Set<string>();
  for (const comparison of walked) {
    const mapped = mapComparison(index, comparison);
    if ("reason" in mapped) return mapped;
    const key = `${mapped.type}\u0000${mapped.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    iocs.push(mapped);
  }

  const validUntil = timestampMs(indicator.valid_until);
  const now = options.now ?? Date.now();
  if (validUntil !== undefined && validUntil <= now) {
    return skip("expired", `valid_until ${String(indicator.valid_until)} is in the past`);
  }
  return { kind: "iocs", iocs };
}

const QUALIFIER_NAMES = { within: "WITHIN", repeats: "REPEATS", "start-stop": "START/STOP" } as const;

/**
 * The comparisons of a pattern that is a pure disjunction, in source order; or the first structural reason it is
 * not one. Iterative (explicit stack): long `OR` chains make deep, left-leaning trees.
 */
function collectDisjuncts(pattern: Pattern): Comparison[] | Skip {
  const comparisons: Comparison[] = [];
  const stack: (ObservationExpression | ComparisonExpression)[] = [pattern.expression];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    switch (node.kind) {
      case "observation-binary":
        if (node.operator === "AND") {
          return skip("compound_and", `observations joined by AND (position ${node.start}): all must match at once`);
        }
        if (node.operator === "FOLLOWEDBY") {
          return skip("followedby", `FOLLOWEDBY sequence (position ${node.start}) has no IOC equivalent`);
        }
        stack.push(node.right, node.left);
        break;
      case "comparison-binary":
        if (node.operator === "AND") {
          return skip("compound_and", `comparisons joined by AND (position ${node.start}): all must match at once`);
        }
        stack.push(node.right, node.left);
        break;
      case "observation-group":
      case "comparison-group":
        stack.push(node.expression);
        break;
      case "qualified": {
        const q = node.qualifier;
        return skip("qualifier", `${QUALIFIER_NAMES[q.kind]} qualifier (position ${q.start}) has no IOC equivalent`);
      }
      case "observation":
        stack.push(node.comparison);
        break;
      case "comparison":
        comparisons.push(node);
        break;
    }
  }
  return comparisons;
}

function mapComparison<T extends string>(index: RowIndex<T>, comparison: Comparison): ClassifiedIoc<T> | Skip {
  const at = `(position ${comparison.start})`;
  if (comparison.negated) {
    return skip("unsupported_operator", `NOT ${comparison.operator} ${at}: only '=' maps to an IOC`);
  }
  if (comparison.operator !== "=") {
    return skip("unsupported_operator", `'${comparison.operator}' ${at}: only '=' maps to an IOC`);
  }
  const { objectType, steps } = comparison.path;
  const row = index.find(objectType, steps);
  if (!row) {
    const lower = objectType.toLowerCase();
    if (lower !== objectType && index.find(lower, steps)) {
      return skip("unsupported_object", `object type '${objectType}' ${at} must be written in lower case ('${lower}')`);
    }
    const what = index.hasObjectType(objectType) ? "property" : "object type";
    return skip(
      "unsupported_object",
      `'${objectPathToString(comparison.path)}' ${at}: unsupported ${what} (mapped: ${index.mapped})`,
    );
  }
  if (comparison.value.kind !== "string") {
    return skip(
      "invalid_value",
      `'${objectPathToString(comparison.path)}' ${at} compares to a ${comparison.value.kind}, not a string`,
    );
  }
  const checked = checkValue(row, comparison.value.value);
  if (!checked.ok) {
    return skip("invalid_value", `${row.iocType} ${quoteForDetail(comparison.value.value)} ${at}: ${checked.detail}`);
  }
  return { type: row.iocType, value: checked.value };
}
