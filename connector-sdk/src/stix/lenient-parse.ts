/**
 * Parses an indicator's pattern as OpenCTI and its feeds write it: they write `file:hashes.SHA-256` unquoted, which
 * the STIX 2.1 grammar does not allow (a property name with '-' must be quoted), so a pattern that fails is parsed
 * again with such names quoted. Errors are reported at their position in the pattern as written.
 */
import { DEFAULT_MAX_PATTERN_LENGTH, type Pattern, parsePattern, StixPatternError } from "../stix-pattern/index.js";

export type LenientParse = { ok: true; pattern: Pattern } | { ok: false; detail: string };

export function parseLenient(pattern: string, maxLength: number | undefined): LenientParse {
  const options = maxLength === undefined ? {} : { maxLength };
  try {
    return { ok: true, pattern: parsePattern(pattern, options) };
  } catch (first) {
    // Too long is too long: no repair pass (it would only lengthen the text and blur the reported length).
    if (pattern.length > (maxLength ?? DEFAULT_MAX_PATTERN_LENGTH))
      return { ok: false, detail: describeParseError(first, []) };
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
