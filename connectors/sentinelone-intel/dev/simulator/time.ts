/**
 * Time helpers. Internally every instant is an integer number of **microseconds** since the Unix epoch
 * (fits comfortably in a double until year 2255), so `validUntil` keeps the six fractional digits SentinelOne uses.
 */

const DAY_US = 86_400_000_000;

export function daysToMicros(days: number): number {
  return days * DAY_US;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the format SentinelOne returns for uploadTime / updatedAt / validUntil. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const frac = us - ms * 1000; // 0..999 extra microseconds
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(d.getUTCMilliseconds(), 3)}${pad(frac, 3)}Z`
  );
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * Parses the date-time forms seen in the wild (spec §2.3) into epoch microseconds, or `undefined` when invalid:
 * - ISO 8601 with `T` or a space, with or without a fraction (up to 9 digits; digits past the 6th are truncated),
 *   with `Z`, a `±HH:MM` / `±HHMM` / `±HH` offset, or no zone at all (taken as UTC, [INF]);
 * - a date alone (`2026-01-31`, midnight UTC);
 * - a JSON number: epoch **milliseconds** (the official SDK's random objects use those).
 */
export function parseDateTime(input: unknown): number | undefined {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || !Number.isInteger(input) || input < 0 || input > 253_402_300_799_999) {
      return undefined;
    }
    return input * 1000;
  }
  if (typeof input !== "string") return undefined;
  const m = ISO_RE.exec(input.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const baseMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(baseMs);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined; // e.g. 2026-02-30
  const fracDigits = (m[7] ?? "").slice(0, 6).padEnd(6, "0");
  let us = baseMs * 1000 + Number(fracDigits);
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    const offsetUs = (oh * 60 + om) * 60_000_000;
    us = m[9] === "+" ? us - offsetUs : us + offsetUs;
  }
  return us;
}
