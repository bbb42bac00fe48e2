import { describe, expect, it } from "vitest";
import {
  checkValue,
  effectiveValidUntil,
  formatMicros,
  parseAuthorization,
  parseDateTime,
  parseJsonPreservingBigInts,
} from "../../dev/simulator/index.js";

describe("parseJsonPreservingBigInts", () => {
  it("keeps integers beyond 2^53 exact and leaves the rest alone", () => {
    const parsed = parseJsonPreservingBigInts(
      '{"ids":[2163822725049635476, 7, -9007199254740993],"s":"2163822725049635476","f":1.5e300,"n":9007199254740991}',
    ) as Record<string, unknown>;
    expect(parsed.ids).toEqual([2163822725049635476n, 7, -9007199254740993n]);
    expect(parsed.s).toBe("2163822725049635476");
    expect(parsed.f).toBe(1.5e300);
    expect(parsed.n).toBe(9007199254740991);
    expect(parseJsonPreservingBigInts('{"a":"x\\"1234567890123456789"}')).toEqual({ a: 'x"1234567890123456789' });
    expect(() => parseJsonPreservingBigInts("{1234567890123456789}")).toThrow(SyntaxError);
  });
});

describe("dates", () => {
  it("parses the accepted forms to microseconds and formats with six digits", () => {
    const base = Date.UTC(2026, 0, 2, 3, 4, 5) * 1000;
    expect(parseDateTime("2026-01-02T03:04:05Z")).toBe(base);
    expect(parseDateTime("2026-01-02 03:04:05.123456")).toBe(base + 123456);
    expect(parseDateTime("2026-01-02T04:04:05.5+01:00")).toBe(base + 500000);
    expect(parseDateTime("2026-01-02T01:34:05-0130")).toBe(base);
    expect(parseDateTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe(base);
    for (const bad of [
      "",
      "2026-13-01T00:00:00Z",
      "2026-01-02T24:00:00Z",
      "yesterday",
      "2026-01-02T03:04:05+25:00",
      1.5,
      -1,
      true,
    ]) {
      expect(parseDateTime(bad), String(bad)).toBeUndefined();
    }
    expect(formatMicros(base + 7)).toBe("2026-01-02T03:04:05.000007Z");
    expect(effectiveValidUntil("IPV6", null, 0)).toBe(14 * 86_400_000_000);
  });
});

describe("values and auth header", () => {
  it("checks values", () => {
    expect(checkValue("SHA1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", false)).toBe("hashes_empty_file");
    expect(checkValue("IPV4", "1.2.3.4", true)).toBeUndefined();
    expect(checkValue("DNS", "a..b", true)).toBe("Not a valid domain name.");
  });

  it("parses the Authorization header", () => {
    expect(parseAuthorization("ApiToken abc")).toBe("abc");
    expect(parseAuthorization("APITOKEN   abc ")).toBe("abc");
    expect(parseAuthorization("Bearer abc")).toBeUndefined();
    expect(parseAuthorization("ApiToken a b")).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
  });
});
