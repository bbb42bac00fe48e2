/**
 * Decides whether an OpenCTI indicator becomes SentinelOne IOCs, and which.
 *
 * The pattern is parsed with the SDK's STIX 2.1 parser (never with regular expressions) and its AST is checked:
 * - one `=` comparison on a row of `PATTERN_TABLE`                      → one IOC;
 * - a disjunction of such comparisons, whether comparison-level (`[a = 'x' OR b = 'y']`), observation-level
 *   (`[a = 'x'] OR [b = 'y']`) or both, with any grouping               → one IOC per comparison (deduplicated);
 * - anything else                                                       → skipped, with a stable reason code.
 * Disjunctions are all-or-nothing: one unsupported comparison skips the indicator, because pushing a part of
 * it would claim a detection the indicator does not make on its own terms.
 *
 * The rows decide everything type-specific; `createClassifier(rows)` builds a classifier for any table, and
 * `classifyIndicator` is the one for `PATTERN_TABLE`.
 */
import {
  type Comparison,
  type ComparisonExpression,
  DEFAULT_MAX_PATTERN_LENGTH,
  type ObservationExpression,
  type Pattern,
  parsePattern,
  type StixObject,
  StixPatternError,
} from "@octi/connector-sdk";
import { isRevoked, timestampMs } from "./indicator-fields.js";
import { checkValue, type PatternRow, RowIndex } from "./pattern-row.js";
import { type IocType, PATTERN_TABLE } from "./pattern-table.js";

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

export interface ClassifiedIoc<T extends string = IocType> {
  readonly type: T;
  readonly value: string;
}

export type Skip = { readonly kind: "skip"; readonly reason: SkipReason; readonly detail: string };

export type Classification<T extends string = IocType> =
  | { readonly kind: "iocs"; readonly iocs: readonly ClassifiedIoc<T>[] }
  | Skip;

export interface ClassifyOptions {
  /** Clock for the `expired` check (epoch ms). Default `Date.now()`. */
  readonly now?: number;
  /** Longest pattern parsed (characters). Default: the SDK parser's default. */
  readonly maxPatternLength?: number;
}

/** Longest value quoted in a skip detail. */
const MAX_QUOTED = 120;

const skip = (reason: SkipReason, detail: string): Skip => ({ kind: "skip", reason, detail });

function quoteForDetail(value: string): string {
  return value.length > MAX_QUOTED ? `'${value.slice(0, MAX_QUOTED)}…'` : `'${value}'`;
}

export type Classifier<T extends string = IocType> = (
  indicator: StixObject,
  options?: ClassifyOptions,
) => Classification<T>;

/** A classifier for a table of rows (the connector's is `classifyIndicator`). Indexes the rows once. */
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

  const parsed = parse(pattern, options.maxPatternLength);
  if (!parsed.ok) return skip("pattern_parse_error", parsed.detail);

  const walked = collectDisjuncts(parsed.pattern);
  if (!walked.ok) return walked.skip;

  const iocs: ClassifiedIoc<T>[] = [];
  const seen = new Set<string>();
  for (const comparison of walked.comparisons) {
    const mapped = mapComparison(index, comparison);
    if ("reason" in mapped) return skip(mapped.reason, mapped.detail);
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

type ParseResult = { ok: true; pattern: Pattern } | { ok: false; detail: string };

function parse(pattern: string, maxLength: number | undefined): ParseResult {
  const options = maxLength === undefined ? {} : { maxLength };
  try {
    return { ok: true, pattern: parsePattern(pattern, options) };
  } catch (first) {
    // Too long is too long: no repair pass (it would only lengthen the text and blur the reported length).
    if (pattern.length > (maxLength ?? DEFAULT_MAX_PATTERN_LENGTH))
      return { ok: false, detail: describeParseError(first, []) };
    // OpenCTI and feeds write `file:hashes.SHA-256` unquoted, which the STIX 2.1 grammar does not allow (a
    // property name with '-' must be quoted). Quote such names outside string literals and parse again.
    const repaired = quoteHyphenatedProperties(pattern);
    if (repaired) {
      try {
        return { ok: true, pattern: parsePattern(repaired.text, options) };
      } catch (second) {
        return { ok: false, detail: describeParseError(second, repaired.insertions) };
      }
    }
    return { ok: false, detail: describeParseError(first, []) };
  }
}

function describeParseError(error: unknown, insertions: readonly number[]): string {
  if (error instanceof StixPatternError) {
    // Map the position in the repaired text back to the pattern as written.
    const shift = insertions.filter((at) => at < error.position).length;
    return `${error.reason} at position ${error.position - shift}`;
  }
  return error instanceof Error ? error.message : String(error);
}

const isIdentStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d;

/**
 * `file:hashes.SHA-256 = '…'` → `file:hashes.'SHA-256' = '…'`: quotes every `.name` property step that contains a
 * hyphen, outside string literals. Returns undefined when nothing needed quoting. `insertions` are the offsets, in
 * the returned text, of the quotes that were added.
 */
export function quoteHyphenatedProperties(pattern: string): { text: string; insertions: number[] } | undefined {
  const parts: string[] = [];
  const insertions: number[] = [];
  let out = 0; // length of the text emitted so far
  let copiedUpTo = 0;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern.charCodeAt(i);
    if (c === 0x27) {
      // Skip a string literal (`\` escapes the next character).
      i++;
      while (i < pattern.length && pattern.charCodeAt(i) !== 0x27) i += pattern.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
      continue;
    }
    if (c === 0x2e && i + 1 < pattern.length && isIdentStart(pattern.charCodeAt(i + 1))) {
      let end = i + 1;
      while (end < pattern.length && isIdentPart(pattern.charCodeAt(end))) end++;
      const name = pattern.slice(i + 1, end);
      if (name.includes("-")) {
        const before = pattern.slice(copiedUpTo, i + 1);
        parts.push(before, "'", name, "'");
        out += before.length;
        insertions.push(out);
        out += 1 + name.length;
        insertions.push(out);
        out += 1;
        copiedUpTo = end;
      }
      i = end;
      continue;
    }
    i++;
  }
  if (insertions.length === 0) return undefined;
  parts.push(pattern.slice(copiedUpTo));
  return { text: parts.join(""), insertions };
}

type Walked = { ok: true; comparisons: Comparison[] } | { ok: false; skip: Skip };

/**
 * The comparisons of a pattern that is a pure disjunction, in source order; or the first structural reason it is
 * not one. Iterative (explicit stack): long `OR` chains make deep, left-leaning trees.
 */
function collectDisjuncts(pattern: Pattern): Walked {
  const comparisons: Comparison[] = [];
  const stack: (ObservationExpression | ComparisonExpression)[] = [pattern.expression];
  const stop = (reason: SkipReason, detail: string): Walked => ({
    ok: false,
    skip: { kind: "skip", reason, detail },
  });
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    switch (node.kind) {
      case "observation-binary":
        if (node.operator === "AND") {
          return stop("compound_and", `observations joined by AND (position ${node.start}): all must match at once`);
        }
        if (node.operator === "FOLLOWEDBY") {
          return stop("followedby", `FOLLOWEDBY sequence (position ${node.start}) has no SentinelOne IOC equivalent`);
        }
        stack.push(node.right, node.left);
        break;
      case "comparison-binary":
        if (node.operator === "AND") {
          return stop("compound_and", `comparisons joined by AND (position ${node.start}): all must match at once`);
        }
        stack.push(node.right, node.left);
        break;
      case "observation-group":
      case "comparison-group":
        stack.push(node.expression);
        break;
      case "qualified": {
        const q = node.qualifier;
        const name = q.kind === "within" ? "WITHIN" : q.kind === "repeats" ? "REPEATS" : "START/STOP";
        return stop("qualifier", `${name} qualifier (position ${q.start}) has no SentinelOne IOC equivalent`);
      }
      case "observation":
        stack.push(node.comparison);
        break;
      case "comparison":
        comparisons.push(node);
        break;
    }
  }
  return { ok: true, comparisons };
}

function pathText(comparison: Comparison): string {
  const source = comparison.path;
  const steps = source.steps.map((s) =>
    s.kind === "index" ? `[${s.index}]` : `.${s.quoted ? `'${s.name}'` : s.name}`,
  );
  return `${source.objectType}:${steps.join("").slice(1)}`;
}

function mapComparison<T extends string>(
  index: RowIndex<T>,
  comparison: Comparison,
): ClassifiedIoc<T> | { reason: SkipReason; detail: string } {
  const at = `(position ${comparison.start})`;
  if (comparison.negated) {
    return { reason: "unsupported_operator", detail: `NOT ${comparison.operator} ${at}: only '=' maps to EQUALS` };
  }
  if (comparison.operator !== "=") {
    return { reason: "unsupported_operator", detail: `'${comparison.operator}' ${at}: only '=' maps to EQUALS` };
  }
  const { objectType, steps } = comparison.path;
  const row = index.find(objectType, steps);
  if (!row) {
    const lower = objectType.toLowerCase();
    if (lower !== objectType && index.find(lower, steps)) {
      return {
        reason: "unsupported_object",
        detail: `object type '${objectType}' ${at} must be written in lower case ('${lower}')`,
      };
    }
    const what = index.hasObjectType(objectType) ? "property" : "object type";
    return {
      reason: "unsupported_object",
      detail: `'${pathText(comparison)}' ${at}: unsupported ${what} (mapped: ${index.mapped})`,
    };
  }
  if (comparison.value.kind !== "string") {
    return {
      reason: "invalid_value",
      detail: `'${pathText(comparison)}' ${at} compares to a ${comparison.value.kind}, not a string`,
    };
  }
  const checked = checkValue(row, comparison.value.value);
  if (!checked.ok) {
    return {
      reason: "invalid_value",
      detail: `${row.iocType} ${quoteForDetail(comparison.value.value)} ${at}: ${checked.detail}`,
    };
  }
  return { type: row.iocType, value: checked.value };
}

/** Classifies an OpenCTI indicator with the connector's `PATTERN_TABLE`. */
export const classifyIndicator: Classifier = createClassifier(PATTERN_TABLE);
