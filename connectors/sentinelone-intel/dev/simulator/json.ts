/**
 * JSON body parsing that keeps integers beyond 2^53 exact. The OpenCTI connector sends account / site / group ids
 * as JSON integers (spec §3.4); `JSON.parse` would silently round `2163822725049635476`. Unsafe integer literals
 * outside strings are turned into `bigint`s; everything else parses exactly as `JSON.parse` does.
 */

const MARK = "\u0000S1SIM-BIGINT:";
const MARK_JSON = "\\u0000S1SIM-BIGINT:";

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Rewrites unsafe integer literals as marked strings; returns null when there is none. */
function protectBigInts(text: string): string | null {
  const parts: string[] = [];
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 45 || isDigit(c)) {
      const start = i;
      if (c === 45) i++;
      const digitsStart = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const digitsEnd = i;
      let integer = true;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45 || isDigit(d)) {
          integer = false;
          i++;
        } else break;
      }
      if (integer && digitsEnd - digitsStart > 15) {
        const literal = text.slice(start, digitsEnd);
        if (!Number.isSafeInteger(Number(literal))) {
          parts.push(text.slice(last, start), `"${MARK_JSON}${literal}"`);
          last = digitsEnd;
        }
      }
      continue;
    }
    i++;
  }
  if (parts.length === 0) return null;
  parts.push(text.slice(last));
  return parts.join("");
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === "string" && value.startsWith(MARK)) return BigInt(value.slice(MARK.length));
  return value;
}

/** Parses a JSON text; throws SyntaxError like JSON.parse. */
export function parseJsonPreservingBigInts(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  const protectedText = protectBigInts(text);
  return protectedText === null ? JSON.parse(text) : JSON.parse(protectedText, reviver);
}
