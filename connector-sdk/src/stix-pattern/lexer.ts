/**
 * Tokenizer for STIX 2.1 patterns (STIX 2.1 specification, section 9).
 *
 * The lexer is pull-based (`next()`), so errors are reported in source order: a syntax error early in
 * the pattern is found before a malformed literal later in it. It scans character codes only: no regular
 * expressions touch user input, every character is visited a bounded number of times, and string values
 * are assembled from slices joined once, so the cost is linear in the pattern length.
 *
 * Lexical rules (from the STIX 2.1 patterning grammar):
 * - Keywords are case-sensitive and upper-case (`AND`, `OR`, `NOT`, `FOLLOWEDBY`, `LIKE`, `MATCHES`, `ISSUBSET`,
 *   `ISSUPERSET`, `IN`, `START`, `STOP`, `WITHIN`, `SECONDS`, `REPEATS`, `TIMES`; `EXISTS` and `LAST` are reserved).
 *   `true` / `false` are lower-case. An identifier is `[A-Za-z_][A-Za-z0-9_-]*`; whether a hyphen is allowed
 *   (object types: yes; property names: no) is decided by the parser.
 * - Strings are single-quoted. `\'` and `\\` are escapes; any other backslash is kept as written.
 * - Numbers: integers `[+-]?(0|[1-9][0-9]*)`, floats `[+-]?[0-9]*\.[0-9]+` (no exponent).
 * - Prefixed literals: `b'<base64>'`, `h'<hex pairs>'`, `t'YYYY-MM-DDTHH:MM:SS[.fraction]Z'`.
 * - Whitespace (space, tab, CR, LF, VT, FF and the Unicode space separators) may appear between tokens.
 *   Comments are not part of the STIX 2.1 specification and are not accepted.
 */
import { StixPatternError } from "./ast.js";

/** Reserved upper-case words. `EXISTS` and `LAST` are reserved so they cannot be mistaken for identifiers. */
export type Keyword =
  | "AND"
  | "OR"
  | "NOT"
  | "FOLLOWEDBY"
  | "LIKE"
  | "MATCHES"
  | "ISSUBSET"
  | "ISSUPERSET"
  | "IN"
  | "START"
  | "STOP"
  | "WITHIN"
  | "SECONDS"
  | "REPEATS"
  | "TIMES"
  | "EXISTS"
  | "LAST";

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>([
  "AND",
  "OR",
  "NOT",
  "FOLLOWEDBY",
  "LIKE",
  "MATCHES",
  "ISSUBSET",
  "ISSUPERSET",
  "IN",
  "START",
  "STOP",
  "WITHIN",
  "SECONDS",
  "REPEATS",
  "TIMES",
  "EXISTS",
  "LAST",
]);

/** Returns true when `word` is a STIX pattern keyword (exact, case-sensitive). */
export function isKeyword(word: string): word is Keyword {
  return KEYWORDS.has(word);
}

export type PunctuationKind = "[" | "]" | "(" | ")" | ":" | "." | "," | "*" | "=" | "!=" | "<" | "<=" | ">" | ">=";

interface TokenSpan {
  /** Offset of the first character of the token. */
  readonly start: number;
  /** Offset one past the last character of the token. */
  readonly end: number;
}

export type Token =
  | (TokenSpan & { readonly kind: PunctuationKind })
  | (TokenSpan & { readonly kind: "keyword"; readonly keyword: Keyword })
  | (TokenSpan & { readonly kind: "identifier"; readonly name: string })
  /** `value` is the unescaped content. */
  | (TokenSpan & { readonly kind: "string"; readonly value: string })
  /** `negative` is true when written with a leading `-` (also for `-0`). */
  | (TokenSpan & { readonly kind: "int" | "float"; readonly value: number; readonly negative: boolean })
  | (TokenSpan & { readonly kind: "bool"; readonly value: boolean })
  /** `value` is the text between the quotes, as written. */
  | (TokenSpan & { readonly kind: "binary" | "hex" | "timestamp"; readonly value: string })
  | (TokenSpan & { readonly kind: "eof" });

// Character codes used by the scanner.
const TAB = 0x09;
const LF = 0x0a;
const VT = 0x0b;
const FF = 0x0c;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const QUOTE = 0x27;
const LPAREN = 0x28;
const RPAREN = 0x29;
const STAR = 0x2a;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const COLON = 0x3a;
const LT = 0x3c;
const EQ = 0x3d;
const GT = 0x3e;
const UPPER_A = 0x41;
const UPPER_F = 0x46;
const UPPER_T = 0x54;
const UPPER_Z = 0x5a;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const UNDERSCORE = 0x5f;
const LOWER_A = 0x61;
const LOWER_B = 0x62;
const LOWER_F = 0x66;
const LOWER_H = 0x68;
const LOWER_T = 0x74;
const LOWER_Z = 0x7a;

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function isLetter(c: number): boolean {
  return (c >= UPPER_A && c <= UPPER_Z) || (c >= LOWER_A && c <= LOWER_Z);
}

function isIdentifierStart(c: number): boolean {
  return isLetter(c) || c === UNDERSCORE;
}

function isIdentifierPart(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === UNDERSCORE || c === MINUS;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= UPPER_A && c <= UPPER_F) || (c >= LOWER_A && c <= LOWER_F);
}

function isBase64Char(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === PLUS || c === SLASH;
}

/** Whitespace accepted between tokens: ASCII blanks plus the Unicode space separators. */
export function isPatternWhitespace(c: number): boolean {
  if (c === SPACE || c === TAB || c === LF || c === CR || c === VT || c === FF) return true;
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Renders one character for an error message (`'x'`, or `U+0007` for invisible ones). */
export function describeChar(c: number): string {
  if (c < 0x21 || (c >= 0x7f && c <= 0xa0)) return `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
  return `'${String.fromCodePoint(c)}'`;
}

export class Lexer {
  private pos = 0;

  constructor(private readonly src: string) {}

  /** Returns the next token, or an `eof` token (repeatedly) at the end. Throws `StixPatternError`. */
  next(): Token {
    const src = this.src;
    const len = src.length;
    let i = this.pos;
    while (i < len && isPatternWhitespace(src.charCodeAt(i))) i++;
    if (i >= len) {
      this.pos = len;
      return { kind: "eof", start: len, end: len };
    }
    const c = src.charCodeAt(i);
    const start = i;
    switch (c) {
      case LBRACKET:
        return this.punct("[", start, 1);
      case RBRACKET:
        return this.punct("]", start, 1);
      case LPAREN:
        return this.punct("(", start, 1);
      case RPAREN:
        return this.punct(")", start, 1);
      case COLON:
        return this.punct(":", start, 1);
      case COMMA:
        return this.punct(",", start, 1);
      case STAR:
        return this.punct("*", start, 1);
      case EQ:
        if (src.charCodeAt(i + 1) === EQ) {
          throw new StixPatternError("'==' is not a STIX comparison operator (use '=')", start);
        }
        return this.punct("=", start, 1);
      case BANG:
        if (src.charCodeAt(i + 1) === EQ) return this.punct("!=", start, 2);
        throw new StixPatternError("unexpected character '!' (the not-equal operator is '!=')", start);
      case LT:
        if (src.charCodeAt(i + 1) === EQ) return this.punct("<=", start, 2);
        if (src.charCodeAt(i + 1) === GT) {
          throw new StixPatternError("'<>' is not a STIX comparison operator (use '!=')", start);
        }
        return this.punct("<", start, 1);
      case GT:
        if (src.charCodeAt(i + 1) === EQ) return this.punct(">=", start, 2);
        return this.punct(">", start, 1);
      case QUOTE: {
        const { value, end } = this.scanString(start);
        this.pos = end;
        return { kind: "string", value, start, end };
      }
      case DOT:
        // `.5` is a float; otherwise the dot separates object-path steps.
        if (isDigit(src.charCodeAt(i + 1))) return this.scanNumber(start);
        return this.punct(".", start, 1);
      case PLUS:
      case MINUS:
        return this.scanNumber(start);
      default:
        break;
    }
    if (isDigit(c)) return this.scanNumber(start);
    if (isIdentifierStart(c)) {
      if (src.charCodeAt(i + 1) === QUOTE && (c === LOWER_B || c === LOWER_H || c === LOWER_T)) {
        return this.scanPrefixedLiteral(start, c);
      }
      i++;
      while (i < len && isIdentifierPart(src.charCodeAt(i))) i++;
      this.pos = i;
      const word = src.slice(start, i);
      if (word === "true" || word === "false") return { kind: "bool", value: word === "true", start, end: i };
      if (isKeyword(word)) return { kind: "keyword", keyword: word, start, end: i };
      return { kind: "identifier", name: word, start, end: i };
    }
    throw new StixPatternError(`unexpected character ${describeChar(src.codePointAt(i) ?? c)}`, start);
  }

  private punct(kind: PunctuationKind, start: number, length: number): Token {
    this.pos = start + length;
    return { kind, start, end: start + length };
  }

  /** Scans `'...'` starting at the opening quote. Returns the unescaped value and the offset after the closing quote. */
  private scanString(start: number): { value: string; end: number } {
    const src = this.src;
    const len = src.length;
    // Unescaped text is collected as slices between escapes and joined once (linear, no repeated concatenation).
    let parts: string[] | undefined;
    let segmentStart = start + 1;
    let i = start + 1;
    while (i < len) {
      const c = src.charCodeAt(i);
      if (c === QUOTE) {
        const tail = src.slice(segmentStart, i);
        if (parts === undefined) return { value: tail, end: i + 1 };
        parts.push(tail);
        return { value: parts.join(""), end: i + 1 };
      }
      if (c === BACKSLASH) {
        const n = src.charCodeAt(i + 1);
        if (n === QUOTE || n === BACKSLASH) {
          parts ??= [];
          parts.push(src.slice(segmentStart, i));
          // The escaped character starts the next segment.
          segmentStart = i + 1;
          i += 2;
          continue;
        }
        // Any other backslash sequence is kept as written.
      }
      i++;
    }
    throw new StixPatternError("unterminated string literal", start);
  }

  private scanNumber(start: number): Token {
    const src = this.src;
    const len = src.length;
    let i = start;
    const sign = src.charCodeAt(i);
    const negative = sign === MINUS;
    if (sign === PLUS || sign === MINUS) i++;
    const intStart = i;
    while (i < len && isDigit(src.charCodeAt(i))) i++;
    const intDigits = i - intStart;
    let isFloat = false;
    if (src.charCodeAt(i) === DOT) {
      const fracStart = i + 1;
      let j = fracStart;
      while (j < len && isDigit(src.charCodeAt(j))) j++;
      if (j === fracStart) {
        throw new StixPatternError("invalid number literal: expected a digit after '.'", fracStart);
      }
      isFloat = true;
      i = j;
    } else if (intDigits === 0) {
      const what = sign === PLUS ? "'+'" : "'-'";
      throw new StixPatternError(`unexpected character ${what} (expected a number after the sign)`, start);
    }
    const next = src.charCodeAt(i);
    if (isIdentifierPart(next) || next === DOT) {
      throw new StixPatternError(
        `invalid number literal: unexpected ${describeChar(next)} (numbers are [+-]digits or [+-]digits.digits, no exponent)`,
        i,
      );
    }
    if (!isFloat && intDigits > 1 && src.charCodeAt(intStart) === DIGIT_0) {
      throw new StixPatternError("invalid integer literal: leading zeros are not allowed", intStart);
    }
    const text = src.slice(start, i);
    let value = Number(text);
    if (value === 0) value = 0; // normalise -0
    if (!isFloat && !Number.isSafeInteger(value)) {
      throw new StixPatternError(
        `integer literal ${text} is outside the safe integer range (±${Number.MAX_SAFE_INTEGER})`,
        start,
      );
    }
    if (isFloat && !Number.isFinite(value)) {
      throw new StixPatternError(`float literal is out of range`, start);
    }
    this.pos = i;
    return { kind: isFloat ? "float" : "int", value, negative, start, end: i };
  }

  /** `b'...'`, `h'...'`, `t'...'`: `start` is the offset of the prefix letter. */
  private scanPrefixedLiteral(start: number, prefix: number): Token {
    const src = this.src;
    const bodyStart = start + 2;
    const close = src.indexOf("'", bodyStart);
    const name = prefix === LOWER_B ? "binary" : prefix === LOWER_H ? "hex" : "timestamp";
    if (close < 0) throw new StixPatternError(`unterminated ${name} literal`, start);
    if (prefix === LOWER_B) validateBase64(src, bodyStart, close);
    else if (prefix === LOWER_H) validateHex(src, bodyStart, close);
    else validateTimestamp(src, bodyStart, close);
    const end = close + 1;
    this.pos = end;
    return { kind: name, value: src.slice(bodyStart, close), start, end };
  }
}

function validateHex(src: string, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const c = src.charCodeAt(i);
    if (!isHexDigit(c)) {
      throw new StixPatternError(`invalid hex literal: ${describeChar(c)} is not a hex digit`, i);
    }
  }
  if ((to - from) % 2 !== 0) {
    throw new StixPatternError("invalid hex literal: odd number of hex digits (expected whole bytes)", from - 2);
  }
}

function validateBase64(src: string, from: number, to: number): void {
  if (to === from) throw new StixPatternError("invalid binary literal: empty base64 value", from - 2);
  let i = from;
  while (i < to && isBase64Char(src.charCodeAt(i))) i++;
  const dataLength = i - from;
  const paddingStart = i;
  while (i < to && src.charCodeAt(i) === EQ) i++;
  if (i < to) {
    throw new StixPatternError(
      `invalid binary literal: ${describeChar(src.charCodeAt(i))} is not valid base64 here`,
      i,
    );
  }
  const padding = to - paddingStart;
  if (padding > 0 && dataLength % 4 < 2) {
    throw new StixPatternError(
      "invalid binary literal: '=' padding may only follow 2 or 3 base64 characters",
      paddingStart,
    );
  }
  if (padding > 2) {
    throw new StixPatternError("invalid binary literal: at most two '=' of padding", paddingStart + 2);
  }
  if ((dataLength + padding) % 4 !== 0) {
    throw new StixPatternError("invalid binary literal: base64 length must be a multiple of 4", from - 2);
  }
}

const TIMESTAMP_SHAPE = "expected YYYY-MM-DDTHH:MM:SS[.fraction]Z";

/**
 * Checks `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with field ranges (month 01-12, day 01-31, hour 00-23,
 * minute 00-59, second 00-60) as in the STIX 2.1 grammar. Day-of-month is not checked against the month
 * (the reference grammar accepts `2023-02-30`).
 */
function validateTimestamp(src: string, from: number, to: number): void {
  const bad = (at: number, what: string): never => {
    throw new StixPatternError(`invalid timestamp literal: ${what}`, at);
  };
  const digits = (at: number, count: number): number => {
    let v = 0;
    for (let k = 0; k < count; k++) {
      const c = at + k < to ? src.charCodeAt(at + k) : Number.NaN;
      if (!isDigit(c)) bad(at + k, TIMESTAMP_SHAPE);
      v = v * 10 + (c - DIGIT_0);
    }
    return v;
  };
  const literal = (at: number, code: number): void => {
    if (at >= to || src.charCodeAt(at) !== code) bad(at, TIMESTAMP_SHAPE);
  };
  digits(from, 4);
  literal(from + 4, MINUS);
  const month = digits(from + 5, 2);
  if (month < 1 || month > 12) bad(from + 5, `month must be 01-12 (${TIMESTAMP_SHAPE})`);
  literal(from + 7, MINUS);
  const day = digits(from + 8, 2);
  if (day < 1 || day > 31) bad(from + 8, `day must be 01-31 (${TIMESTAMP_SHAPE})`);
  literal(from + 10, UPPER_T);
  const hour = digits(from + 11, 2);
  if (hour > 23) bad(from + 11, `hour must be 00-23 (${TIMESTAMP_SHAPE})`);
  literal(from + 13, COLON);
  const minute = digits(from + 14, 2);
  if (minute > 59) bad(from + 14, `minute must be 00-59 (${TIMESTAMP_SHAPE})`);
  literal(from + 16, COLON);
  const second = digits(from + 17, 2);
  if (second > 60) bad(from + 17, `second must be 00-60 (${TIMESTAMP_SHAPE})`);
  let i = from + 19;
  if (i < to && src.charCodeAt(i) === DOT) {
    i++;
    const fracStart = i;
    while (i < to && isDigit(src.charCodeAt(i))) i++;
    if (i === fracStart) bad(i, TIMESTAMP_SHAPE);
  }
  if (i >= to || src.charCodeAt(i) !== UPPER_Z) bad(i, `${TIMESTAMP_SHAPE} (UTC 'Z' is required)`);
  if (i + 1 !== to) bad(i + 1, TIMESTAMP_SHAPE);
}

/** Tokenizes a whole pattern (including the final `eof` token). Mainly for tests and tooling. */
export function tokenize(src: string): Token[] {
  const lexer = new Lexer(src);
  const tokens: Token[] = [];
  for (;;) {
    const t = lexer.next();
    tokens.push(t);
    if (t.kind === "eof") return tokens;
  }
}
