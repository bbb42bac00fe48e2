/**
 * Recursive-descent parser for STIX 2.1 patterns (STIX 2.1 specification, section 9), producing the AST in
 * `ast.ts`.
 *
 * Grammar (precedence from lowest to highest, all binary operators left-associative):
 *
 *   pattern            := obsFollowedBy EOF
 *   obsFollowedBy      := obsOr ( FOLLOWEDBY obsOr )*
 *   obsOr              := obsAnd ( OR obsAnd )*
 *   obsAnd             := obsQualified ( AND obsQualified )*
 *   obsQualified       := obsPrimary qualifier*     (a qualifier binds to the `[...]` or `( ... )` right before it)
 *   obsPrimary         := '[' cmpOr ']' | '(' obsFollowedBy ')'
 *   qualifier          := WITHIN number SECONDS | REPEATS int TIMES | START timestamp STOP timestamp
 *   cmpOr              := cmpAnd ( OR cmpAnd )*
 *   cmpAnd             := cmpPrimary ( AND cmpPrimary )*
 *   cmpPrimary         := '(' cmpOr ')' | objectPath NOT? operator value
 *
 * This is the operator structure of the OASIS STIXPattern.g4 grammar (observationExpressions /
 * observationExpressionOr / observationExpressionAnd / comparisonExpression / comparisonExpressionAnd).
 *
 * Left-associative chains are built in loops, so a chain of N operands costs O(1) stack; only parentheses and
 * brackets recurse, and their nesting is capped by `maxDepth`. The resulting trees of long chains are deep
 * (left-leaning): walk them iteratively, as `walkComparisons` does.
 */
import type {
  Comparison,
  ComparisonExpression,
  ComparisonOperator,
  Literal,
  ObjectPath,
  ObservationExpression,
  PathStep,
  Pattern,
  Qualifier,
} from "./ast.js";
import { StixPatternError } from "./ast.js";
import { isKeyword, type Keyword, Lexer, type Token } from "./lexer.js";

/** Default `maxLength`: patterns longer than this many UTF-16 code units are rejected. */
export const DEFAULT_MAX_PATTERN_LENGTH = 262_144;
/** Default `maxDepth`: maximum number of simultaneously open `(` / `[` groups. */
export const DEFAULT_MAX_PATTERN_DEPTH = 100;

export interface ParsePatternOptions {
  /**
   * Longest accepted pattern, in characters (UTF-16 code units). A longer pattern is rejected with a
   * `StixPatternError` at position `maxLength`, before any parsing. Default 262144.
   */
  readonly maxLength?: number;
  /**
   * Deepest accepted nesting of grouping delimiters: each enclosing `( ... )` (at observation or comparison level)
   * and each `[ ... ]` observation counts one level; set parentheses and list indexes do not nest and do not count.
   * `[a:b = 1]` has depth 1, `([a:b = 1])` depth 2. Deeper input is rejected with a `StixPatternError` at the
   * offending delimiter. Default 100.
   */
  readonly maxDepth?: number;
}

/**
 * Parses a STIX 2.1 pattern into its AST.
 *
 * @throws StixPatternError on malformed input (`reason` says what was expected and what was found, `position` is
 *   the offset of the offending character), on input longer than `maxLength` and on nesting deeper than `maxDepth`.
 * @throws RangeError when `options` hold something other than positive integers.
 *
 * Not accepted (documented deviations from the OASIS reference validator): `EXISTS` (not representable in the AST
 * and not a STIX 2.1 comparison operator); `==` and `<>`; block and line comments (none are in the specification).
 * Besides the grammar, one semantic rule of the reference validator is enforced: the same qualifier kind may not
 * be applied twice directly to one `[...]` observation (`[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS`).
 */
export function parsePattern(pattern: string, options: ParsePatternOptions = {}): Pattern {
  const maxLength = checkLimit("maxLength", options.maxLength, DEFAULT_MAX_PATTERN_LENGTH);
  const maxDepth = checkLimit("maxDepth", options.maxDepth, DEFAULT_MAX_PATTERN_DEPTH);
  if (typeof pattern !== "string") {
    throw new StixPatternError(`expected the pattern to be a string but found ${typeof pattern}`, 0);
  }
  if (pattern.length > maxLength) {
    throw new StixPatternError(
      `pattern is ${pattern.length} characters long, more than the maxLength limit of ${maxLength}`,
      maxLength,
    );
  }
  const parser = new Parser(pattern, maxDepth);
  try {
    return parser.parse();
  } catch (error) {
    // Defence in depth: with a very large caller-supplied maxDepth the JS stack could run out before the limit.
    if (error instanceof RangeError) {
      throw new StixPatternError("pattern is nested too deeply for the parser", parser.position);
    }
    throw error;
  }
}

function checkLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`parsePattern: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

type QualifierKind = Qualifier["kind"];

const QUALIFIER_KEYWORD: Readonly<Record<QualifierKind, string>> = {
  within: "WITHIN",
  repeats: "REPEATS",
  "start-stop": "START ... STOP",
};

type KeywordOperator = Extract<ComparisonOperator, Keyword>;

const KEYWORD_OPERATORS: ReadonlySet<Keyword> = new Set<KeywordOperator>([
  "IN",
  "LIKE",
  "MATCHES",
  "ISSUBSET",
  "ISSUPERSET",
]);

function isKeywordOperator(keyword: Keyword): keyword is KeywordOperator {
  return KEYWORD_OPERATORS.has(keyword);
}

const OPERATOR_LIST = "=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET or ISSUPERSET";

class Parser {
  private readonly lexer: Lexer;
  private tok: Token;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly maxDepth: number,
  ) {
    this.lexer = new Lexer(src);
    // The first token is read lazily in parse() so that lexer errors surface from there.
    this.tok = { kind: "eof", start: 0, end: 0 };
  }

  /** Offset of the current token (for error reporting). */
  get position(): number {
    return this.tok.start;
  }

  parse(): Pattern {
    this.advance();
    const expression = this.parseFollowedBy();
    if (this.tok.kind !== "eof") {
      this.fail("AND, OR, FOLLOWEDBY, a qualifier (WITHIN, REPEATS, START) or end of pattern");
    }
    return { kind: "pattern", expression, start: expression.start, end: expression.end };
  }

  // ---------------------------------------------------------------- token helpers

  private advance(): Token {
    const previous = this.tok;
    this.tok = this.lexer.next();
    return previous;
  }

  /** Kind of the current token (a method call, so TypeScript does not keep a stale narrowing of `this.tok`). */
  private kind(): Token["kind"] {
    return this.tok.kind;
  }

  private atKeyword(keyword: Keyword): boolean {
    const t = this.tok;
    return t.kind === "keyword" && t.keyword === keyword;
  }

  /** Consumes a punctuation token of `kind` or fails with `expected`. */
  private expectPunct(kind: "]" | ")" | ":" | "(", expected: string): Token {
    if (this.tok.kind !== kind) this.fail(expected);
    return this.advance();
  }

  private expectKeyword(keyword: Keyword, expected: string): Token {
    if (!this.atKeyword(keyword)) this.fail(expected);
    return this.advance();
  }

  private fail(expected: string, token: Token = this.tok): never {
    throw new StixPatternError(`expected ${expected} but found ${this.describe(token)}${hint(token)}`, token.start);
  }

  private describe(t: Token): string {
    switch (t.kind) {
      case "eof":
        return "end of pattern";
      case "keyword":
        return `keyword ${t.keyword}`;
      case "identifier":
        return `identifier '${truncate(t.name)}'`;
      case "string":
        return `string literal ${truncate(this.src.slice(t.start, t.end))}`;
      case "int":
      case "float":
        return `number ${truncate(this.src.slice(t.start, t.end))}`;
      case "bool":
        return `boolean ${t.value}`;
      case "binary":
      case "hex":
      case "timestamp":
        return `${t.kind} literal ${truncate(this.src.slice(t.start, t.end))}`;
      default:
        return `'${t.kind}'`;
    }
  }

  private enter(open: Token): void {
    this.depth++;
    if (this.depth > this.maxDepth) {
      throw new StixPatternError(
        `nesting is deeper than the maxDepth limit of ${this.maxDepth} levels of parentheses/brackets`,
        open.start,
      );
    }
  }

  // ---------------------------------------------------------------- observation level

  private parseFollowedBy(): ObservationExpression {
    let left = this.parseObservationOr();
    while (this.atKeyword("FOLLOWEDBY")) {
      this.advance();
      const right = this.parseObservationOr();
      left = { kind: "observation-binary", operator: "FOLLOWEDBY", left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseObservationOr(): ObservationExpression {
    let left = this.parseObservationAnd();
    while (this.atKeyword("OR")) {
      this.advance();
      const right = this.parseObservationAnd();
      left = { kind: "observation-binary", operator: "OR", left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseObservationAnd(): ObservationExpression {
    let left = this.parseQualified();
    while (this.atKeyword("AND")) {
      this.advance();
      const right = this.parseQualified();
      left = { kind: "observation-binary", operator: "AND", left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseQualified(): ObservationExpression {
    let expression = this.parseObservationPrimary();
    // Same-kind qualifiers applied directly to one `[...]` are rejected, as the OASIS validator does.
    const seen = expression.kind === "observation" ? new Set<QualifierKind>() : undefined;
    for (;;) {
      const keywordToken = this.tok;
      const qualifier = this.parseQualifier();
      if (qualifier === undefined) return expression;
      if (seen !== undefined) {
        if (seen.has(qualifier.kind)) {
          throw new StixPatternError(
            `duplicate ${QUALIFIER_KEYWORD[qualifier.kind]} qualifier on the same observation expression`,
            keywordToken.start,
          );
        }
        seen.add(qualifier.kind);
      }
      expression = { kind: "qualified", expression, qualifier, start: expression.start, end: qualifier.end };
    }
  }

  /** Parses one qualifier if the current token starts one, else returns undefined. */
  private parseQualifier(): Qualifier | undefined {
    const t = this.tok;
    if (t.kind !== "keyword") return undefined;
    switch (t.keyword) {
      case "WITHIN": {
        this.advance();
        const n = this.tok;
        if ((n.kind !== "int" && n.kind !== "float") || n.negative) {
          this.fail("a non-negative number of seconds after WITHIN");
        }
        this.advance();
        const unit = this.expectKeyword("SECONDS", "SECONDS after WITHIN <number>");
        return { kind: "within", seconds: n.value, start: t.start, end: unit.end };
      }
      case "REPEATS": {
        this.advance();
        const n = this.tok;
        if (n.kind !== "int" || n.negative) this.fail("a non-negative integer after REPEATS");
        this.advance();
        const unit = this.expectKeyword("TIMES", "TIMES after REPEATS <integer>");
        return { kind: "repeats", times: n.value, start: t.start, end: unit.end };
      }
      case "START": {
        this.advance();
        const from = this.tok;
        if (from.kind !== "timestamp") this.fail("a timestamp literal t'...' after START");
        this.advance();
        this.expectKeyword("STOP", "STOP after START t'...'");
        const to = this.tok;
        if (to.kind !== "timestamp") this.fail("a timestamp literal t'...' after STOP");
        this.advance();
        return { kind: "start-stop", start_time: from.value, stop_time: to.value, start: t.start, end: to.end };
      }
      default:
        return undefined;
    }
  }

  private parseObservationPrimary(): ObservationExpression {
    const open = this.tok;
    if (open.kind === "[") {
      this.enter(open);
      this.advance();
      const comparison = this.parseComparisonOr();
      const close = this.expectPunct("]", "AND, OR or ']'");
      this.depth--;
      return { kind: "observation", comparison, start: open.start, end: close.end };
    }
    if (open.kind === "(") {
      this.enter(open);
      this.advance();
      const expression = this.parseFollowedBy();
      const close = this.expectPunct(")", "AND, OR, FOLLOWEDBY, a qualifier or ')'");
      this.depth--;
      return { kind: "observation-group", expression, start: open.start, end: close.end };
    }
    if (open.kind === "identifier") {
      throw new StixPatternError(
        `expected '[' or '(' but found ${this.describe(open)} (comparisons must be enclosed in square brackets)`,
        open.start,
      );
    }
    return this.fail("'[' or '('");
  }

  // ---------------------------------------------------------------- comparison level

  private parseComparisonOr(): ComparisonExpression {
    let left = this.parseComparisonAnd();
    while (this.atKeyword("OR")) {
      this.advance();
      const right = this.parseComparisonAnd();
      left = { kind: "comparison-binary", operator: "OR", left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseComparisonAnd(): ComparisonExpression {
    let left = this.parseComparisonPrimary();
    while (this.atKeyword("AND")) {
      this.advance();
      const right = this.parseComparisonPrimary();
      left = { kind: "comparison-binary", operator: "AND", left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseComparisonPrimary(): ComparisonExpression {
    const t = this.tok;
    if (t.kind === "(") {
      this.enter(t);
      this.advance();
      const expression = this.parseComparisonOr();
      const close = this.expectPunct(")", "AND, OR or ')'");
      this.depth--;
      return { kind: "comparison-group", expression, start: t.start, end: close.end };
    }
    if (t.kind === "identifier") return this.parseComparison();
    if (t.kind === "keyword" && t.keyword === "EXISTS") {
      throw new StixPatternError("EXISTS is not supported (it is not a STIX 2.1 comparison operator)", t.start);
    }
    return this.fail("an object path or '('");
  }

  private parseComparison(): Comparison {
    const path = this.parseObjectPath();
    let negated = false;
    if (this.atKeyword("NOT")) {
      negated = true;
      this.advance();
    }
    const opToken = this.tok;
    let operator: ComparisonOperator;
    switch (opToken.kind) {
      case "=":
      case "!=":
      case "<":
      case "<=":
      case ">":
      case ">=":
        operator = opToken.kind;
        break;
      case "keyword":
        if (!isKeywordOperator(opToken.keyword)) return this.fail(this.operatorExpectation(negated));
        operator = opToken.keyword;
        break;
      default:
        this.fail(this.operatorExpectation(negated));
    }
    this.advance();
    const value = this.parseValue(operator);
    return { kind: "comparison", path, operator, negated, value, start: path.start, end: value.end };
  }

  private operatorExpectation(negated: boolean): string {
    return negated
      ? `a comparison operator (${OPERATOR_LIST}) after NOT`
      : `NOT or a comparison operator (${OPERATOR_LIST})`;
  }

  private parseValue(operator: ComparisonOperator): Literal {
    switch (operator) {
      case "=":
      case "!=":
        return this.parseScalar(true, `a literal value after '${operator}'`);
      case "<":
      case "<=":
      case ">":
      case ">=":
        return this.parseScalar(
          false,
          `an orderable literal (number, string, binary, hex or timestamp) after '${operator}'`,
        );
      case "IN":
        return this.parseSet();
      default: {
        const t = this.tok;
        if (t.kind !== "string") this.fail(`a string literal after ${operator}`);
        this.advance();
        return { kind: "string", value: t.value, start: t.start, end: t.end };
      }
    }
  }

  /** A primitive literal; booleans only when `allowBool` (they are not orderable). */
  private parseScalar(allowBool: boolean, expected: string): Literal {
    const t = this.tok;
    switch (t.kind) {
      case "string":
      case "binary":
      case "hex":
      case "timestamp":
        this.advance();
        return { kind: t.kind, value: t.value, start: t.start, end: t.end };
      case "int":
      case "float":
        this.advance();
        return { kind: t.kind, value: t.value, start: t.start, end: t.end };
      case "bool":
        if (!allowBool) break;
        this.advance();
        return { kind: "bool", value: t.value, start: t.start, end: t.end };
      default:
        break;
    }
    return this.fail(expected);
  }

  private parseSet(): Literal {
    const open = this.expectPunct("(", "'(' to start the set of values after IN");
    const values: Literal[] = [];
    if (this.kind() !== ")") {
      values.push(this.parseScalar(true, "a literal value in the set"));
      while (this.kind() === ",") {
        this.advance();
        values.push(this.parseScalar(true, "a literal value in the set"));
      }
    }
    const close = this.expectPunct(")", "',' or ')' in the set");
    return { kind: "set", values, start: open.start, end: close.end };
  }

  // ---------------------------------------------------------------- object paths

  private parseObjectPath(): ObjectPath {
    const typeToken = this.tok;
    if (typeToken.kind !== "identifier") return this.fail("an object type");
    this.advance();
    this.expectPunct(":", "':' after the object type");
    const steps: PathStep[] = [];
    let end = this.parseProperty(steps, "a property name after ':'");
    for (;;) {
      const t = this.tok;
      if (t.kind === ".") {
        this.advance();
        end = this.parseProperty(steps, "a property name after '.'");
      } else if (t.kind === "[") {
        this.advance();
        const i = this.tok;
        if (i.kind === "*") steps.push({ kind: "index", index: "*" });
        else if (i.kind === "int") steps.push({ kind: "index", index: i.value });
        else this.fail("a list index (an integer or '*')");
        this.advance();
        end = this.expectPunct("]", "']' after the list index").end;
      } else {
        break;
      }
    }
    return { objectType: typeToken.name, steps, start: typeToken.start, end };
  }

  /** Parses an unquoted or quoted property name, appends it to `steps`, returns its end offset. */
  private parseProperty(steps: PathStep[], expected: string): number {
    const t = this.tok;
    if (t.kind === "string") {
      steps.push({ kind: "property", name: t.value, quoted: true });
    } else if (t.kind === "identifier") {
      if (t.name.includes("-")) {
        throw new StixPatternError(
          `property name '${truncate(t.name)}' contains '-': write it quoted, as '${truncate(t.name)}'`,
          t.start,
        );
      }
      steps.push({ kind: "property", name: t.name, quoted: false });
    } else {
      this.fail(expected);
    }
    this.advance();
    return t.end;
  }
}

function truncate(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Extra advice for the common case of a keyword written in the wrong case. */
function hint(t: Token): string {
  if (t.kind !== "identifier" || t.name.length > 10) return "";
  const upper = t.name.toUpperCase();
  if (upper !== t.name && isKeyword(upper)) return ` (keywords are case-sensitive: write ${upper})`;
  const lower = t.name.toLowerCase();
  if (lower !== t.name && (lower === "true" || lower === "false")) return ` (booleans are lower-case: write ${lower})`;
  return "";
}
