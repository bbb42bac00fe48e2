/**
 * Secret scrubbing for log lines and error texts.
 *
 * Every secret is replaced by `[REDACTED]`:
 * - whatever its case (`S3cret`, `s3cret`, `S3CRET`);
 * - together with the scheme it travels with (`Bearer <secret>`, `APIToken <secret>`, `ApiToken <secret>`),
 *   so the whole credential disappears, not only its value;
 * - when the configured secret itself carries such a prefix (`APIToken abc…`), its bare value too;
 * - in its URL-encoded form (tokens in query strings).
 *
 * Secrets shorter than {@link MIN_SUBSTRING_SECRET} characters are only replaced where they stand alone
 * (not inside a longer word): replacing a 3-letter secret inside every word would make logs unreadable
 * while revealing nothing. Longer secrets are replaced wherever they occur.
 */

const REDACTED_TEXT = "[REDACTED]";

/** Secrets at least this long are scrubbed anywhere, shorter ones only as whole words. */
export const MIN_SUBSTRING_SECRET = 8;

const SCHEME_PREFIX = /^(?:bearer|apitoken)\s+/i;
const MAX_DEPTH = 8;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** The literal forms a secret may take in text. */
function variants(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of secrets) {
    if (typeof raw !== "string") continue;
    for (const value of [raw, raw.trim(), raw.trim().replace(SCHEME_PREFIX, "").trim()]) {
      if (value === "") continue;
      out.add(value);
      const encoded = encodeURIComponent(value);
      if (encoded !== value) out.add(encoded);
    }
  }
  // Longest first, so a secret that contains another one is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** A compiled scrubber for a fixed list of secrets. */
export interface Scrubber {
  /** The text with every secret replaced by `[REDACTED]`. */
  text(text: string): string;
  /**
   * A JSON-safe deep copy with every string (keys included) scrubbed: Errors become
   * `{ name, message, stack?, code?, cause? }`, Dates ISO strings, bigints strings, Maps objects, Sets arrays,
   * binary data `[Buffer n bytes]`, cycles `[Circular]`, and nesting deeper than 8 levels `[Too deep]`.
   */
  value(value: unknown): unknown;
}

export function createScrubber(secrets: readonly string[]): Scrubber {
  const forms = variants(secrets);
  let pattern: RegExp | undefined;
  if (forms.length > 0) {
    const alternatives = forms.map((form) =>
      form.length >= MIN_SUBSTRING_SECRET
        ? escapeRegExp(form)
        : `(?<![A-Za-z0-9_\\-])${escapeRegExp(form)}(?![A-Za-z0-9_\\-])`,
    );
    pattern = new RegExp(`(?:(?:bearer|apitoken)\\s+)?(?:${alternatives.join("|")})`, "gi");
  }
  const text = (input: string): string => (pattern ? input.replace(pattern, REDACTED_TEXT) : input);
  const value = (input: unknown): unknown => toSafe(input, text, 0, new WeakSet());
  return { text, value };
}

const cache = new Map<string, Scrubber>();

function cachedScrubber(secrets: readonly string[]): Scrubber {
  const key = JSON.stringify(secrets);
  let scrubber = cache.get(key);
  if (!scrubber) {
    if (cache.size >= 32) cache.clear();
    scrubber = createScrubber(secrets);
    cache.set(key, scrubber);
  }
  return scrubber;
}

/** Replaces every occurrence of a secret (any case, with or without a `Bearer `/`APIToken ` prefix) by `[REDACTED]`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return cachedScrubber(secrets).text(text);
}

function toSafe(value: unknown, text: (s: string) => string, depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case "string":
      return text(value);
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
    case "undefined":
      return value;
    case "bigint":
      return value.toString();
    case "symbol":
      return text(value.toString());
    case "function":
      return `[Function${value.name ? ` ${text(value.name)}` : ""}]`;
    default:
      break;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Too deep]";
  seen.add(object);
  try {
    if (object instanceof Error) return errorToSafe(object, text, depth, seen);
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
      return `[${object.constructor.name} ${object.byteLength} bytes]`;
    }
    if (Array.isArray(object)) return object.map((item) => toSafe(item, text, depth + 1, seen));
    if (object instanceof Set) return [...object].map((item) => toSafe(item, text, depth + 1, seen));
    if (object instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of object) out[text(String(k))] = toSafe(v, text, depth + 1, seen);
      return out;
    }
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      let json: unknown;
      try {
        json = toJSON.call(object);
      } catch {
        json = "[Unserialisable]";
      }
      return json === object ? "[Unserialisable]" : toSafe(json, text, depth + 1, seen);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(object)) {
      if (v === undefined || typeof v === "function") continue;
      out[text(k)] = toSafe(v, text, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

function errorToSafe(error: Error, text: (s: string) => string, depth: number, seen: WeakSet<object>): unknown {
  const out: Record<string, unknown> = { name: text(String(error.name)), message: text(String(error.message)) };
  if (typeof error.stack === "string") out.stack = text(error.stack);
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") out.code = typeof code === "string" ? text(code) : code;
  if (error.cause !== undefined) out.cause = toSafe(error.cause, text, depth + 1, seen);
  return out;
}
