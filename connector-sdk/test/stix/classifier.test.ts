/**
 * The STIX pattern → IOC classification (stix/classifier.ts), through a table like the SentinelOne connector's.
 *
 * Pins the file-hash contract of OpenCTI-Platform/connectors issue #5428 (every hash-key spelling OpenCTI emits is
 * accepted, the algorithm name in any case with or without its hyphen, as the Python connector's case-insensitive
 * match took it; SHA-512, unbalanced quotes, `==`, upper-case object types, `garbage` and `""` are not), ported from
 * the Python connector's `tests/test_supported_stix_patterns.py` lists (with real hash values instead of `'aa'`,
 * since this connector also validates values), plus single-host `/32` and `/128` addresses, and the disjunction
 * splitting this connector adds.
 */
import { describe, expect, it } from "vitest";
import { createClassifier, type SkipReason, STIX_COMPARISONS } from "../../src/stix/index.js";
import { quoteHyphenatedProperties } from "../../src/stix/lenient-parse.js";
import { indicator, MD5, SHA1, SHA256, TABLE } from "./helpers.js";

const classifyIndicator = createClassifier(TABLE);

const classify = (pattern: string, overrides: Record<string, unknown> = {}) =>
  classifyIndicator(indicator(pattern, overrides), { now: Date.parse("2025-01-01T00:00:00Z") });

// Every file-hash shape OpenCTI is known to emit, and the IOC it becomes (Python `_FILE_HASH_ACCEPTED`).
const FILE_HASH_ACCEPTED: [pattern: string, type: string, value: string][] = [
  // STIX 2.1 canonical key, unquoted (what the Python regex called canonical; the grammar wants it quoted):
  [`[file:hashes.SHA-256 = '${SHA256}']`, "SHA256", SHA256],
  [`[file:hashes.SHA-1 = '${SHA1}']`, "SHA1", SHA1],
  [`[file:hashes.MD5 = '${MD5}']`, "MD5", MD5],
  // Single-quoted algorithm name (what OpenCTI generates):
  [`[file:hashes.'SHA-256' = '${SHA256}']`, "SHA256", SHA256],
  [`[file:hashes.'SHA-1' = '${SHA1}']`, "SHA1", SHA1],
  [`[file:hashes.'md5' = '${MD5}']`, "MD5", MD5],
  [`[file:hashes.'sha-256' = '${SHA256}']`, "SHA256", SHA256],
  [`[file:hashes.'sha-1' = '${SHA1}']`, "SHA1", SHA1],
  [`[file:hashes.'SHA256' = '${SHA256}']`, "SHA256", SHA256],
  // Lower case, unquoted:
  [`[file:hashes.sha256 = '${SHA256}']`, "SHA256", SHA256],
  [`[file:hashes.sha-256 = '${SHA256}']`, "SHA256", SHA256],
  [`[file:hashes.sha1 = '${SHA1}']`, "SHA1", SHA1],
  [`[file:hashes.md5 = '${MD5}']`, "MD5", MD5],
  // Legacy non-hyphenated upper case:
  [`[file:hashes.SHA256 = '${SHA256}']`, "SHA256", SHA256],
  [`[file:hashes.SHA1 = '${SHA1}']`, "SHA1", SHA1],
  // Mixed case, quoted or not, with or without hyphen (the Python match ignored the algorithm name's case):
  [`[file:hashes.Sha256 = '${SHA256}']`, "SHA256", SHA256],
  [`[file:hashes.'Sha-256' = '${SHA256}']`, "SHA256", SHA256],
  [`[file:hashes.Sha-256 = '${SHA256}']`, "SHA256", SHA256],
  [`[file:hashes.'Sha-1' = '${SHA1}']`, "SHA1", SHA1],
  [`[file:hashes.sHa1 = '${SHA1}']`, "SHA1", SHA1],
  [`[file:hashes.Md5 = '${MD5}']`, "MD5", MD5],
  [`[file:hashes.'mD5' = '${MD5}']`, "MD5", MD5],
  // Padding whitespace:
  [`  [file:hashes.SHA-256 = '${SHA256}']  `, "SHA256", SHA256],
  [`[file:hashes.SHA-256   =   '${SHA256}']`, "SHA256", SHA256],
  // Upper-case hex is sent lower case:
  [`[file:hashes.'SHA-256' = '${SHA256.toUpperCase()}']`, "SHA256", SHA256],
];

// The other supported objects, as written by OpenCTI.
const OTHER_ACCEPTED: [pattern: string, type: string, value: string][] = [
  ["[domain-name:value = 'evil.example.com']", "DNS", "evil.example.com"],
  ["[url:value = 'http://evil.example.com/x']", "URL", "http://evil.example.com/x"],
  ["[ipv4-addr:value = '203.0.113.1']", "IPV4", "203.0.113.1"],
  ["[ipv6-addr:value = '2001:db8::1']", "IPV6", "2001:db8::1"],
  // A single-host prefix is the bare address (OpenCTI's own tests write `/32`; the Python connectors pushed it):
  ["[ipv4-addr:value = '198.51.100.1/32']", "IPV4", "198.51.100.1"],
  ["[ipv6-addr:value = '2001:db8::1/128']", "IPV6", "2001:db8::1"],
  // Escaped quote inside the value:
  ["[url:value = 'http://example.com/it\\'s']", "URL", "http://example.com/it's"],
  // Redundant grouping:
  ["([ipv4-addr:value = '203.0.113.1'])", "IPV4", "203.0.113.1"],
  ["[(ipv4-addr:value = '203.0.113.1')]", "IPV4", "203.0.113.1"],
];

describe("accepted single comparisons", () => {
  it.each([...FILE_HASH_ACCEPTED, ...OTHER_ACCEPTED])("%s → %s", (pattern, type, value) => {
    expect(classify(pattern)).toEqual({ kind: "iocs", iocs: [{ type, value }] });
  });
});

// Patterns that must be skipped, with the reason code (Python `_FILE_HASH_REJECTED` first).
const REJECTED: [pattern: string, reason: SkipReason][] = [
  // SHA-512 is not in the table:
  ["[file:hashes.SHA-512 = 'aa']", "unsupported_object"],
  ["[file:hashes.'SHA-512' = 'aa']", "unsupported_object"],
  ["[file:hashes.sha512 = 'aa']", "unsupported_object"],
  // Unbalanced algorithm-name quotes:
  [`[file:hashes.'SHA-256 = '${SHA256}']`, "pattern_parse_error"],
  [`[file:hashes.SHA-256' = '${SHA256}']`, "pattern_parse_error"],
  [`[file:hashes.'sha-1 = '${SHA1}']`, "pattern_parse_error"],
  [`[file:hashes.md5' = '${MD5}']`, "pattern_parse_error"],
  // Malformed (no value quotes):
  [`[file:hashes.SHA-256 = ${SHA256}]`, "pattern_parse_error"],
  // Wrong operator:
  [`[file:hashes.SHA-256 == '${SHA256}']`, "pattern_parse_error"],
  // Bare junk:
  ["garbage", "pattern_parse_error"],
  ["", "pattern_parse_error"],
  // Object types are lower case only:
  ["[DOMAIN-NAME:value = 'evil.example.com']", "unsupported_object"],
  ["[URL:value = 'http://x/']", "unsupported_object"],
  ["[IPV4-ADDR:value = '1.2.3.4']", "unsupported_object"],
  [`[FILE:hashes.MD5 = '${MD5}']`, "unsupported_object"],
  // Hash keys that are not MD5 / SHA-1 / SHA-256 in some case, with or without the hyphen:
  [`[file:hashes.MD-5 = '${MD5}']`, "unsupported_object"],
  [`[file:hashes.SHA_256 = '${SHA256}']`, "unsupported_object"],
  [`[file:hashes.'SHA--256' = '${SHA256}']`, "unsupported_object"],
  [`[file:hashes.'SHA 256' = '${SHA256}']`, "unsupported_object"],
  [`[file:hashes.SHA2 = '${SHA256}']`, "unsupported_object"],
  [`[file:HASHES.MD5 = '${MD5}']`, "unsupported_object"],
  [`[file:hashes.MD5.x = '${MD5}']`, "unsupported_object"],
  [`[file:hashes = '${MD5}']`, "unsupported_object"],
  [`[file:value = '${MD5}']`, "unsupported_object"],
  // Other objects and properties:
  ["[file:name = 'evil.exe']", "unsupported_object"],
  ["[hostname:value = 'evil.example.com']", "unsupported_object"],
  ["[email-addr:value = 'a@example.com']", "unsupported_object"],
  ["[url:value[0] = 'http://x/']", "unsupported_object"],
  // Compound patterns:
  [`[file:hashes.SHA-256 = '${SHA256}'] AND [file:size = 1]`, "compound_and"],
  [`[file:hashes.MD5 = '${MD5}' AND file:name = 'x.exe']`, "compound_and"],
  [`[ipv4-addr:value = '1.2.3.4' OR (url:value = 'http://a/' AND url:value = 'http://b/')]`, "compound_and"],
  ["[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.5']", "followedby"],
  // Qualifiers:
  ["[ipv4-addr:value = '1.2.3.4'] WITHIN 300 SECONDS", "qualifier"],
  ["[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES", "qualifier"],
  ["[ipv4-addr:value = '1.2.3.4'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'", "qualifier"],
  // Operators other than `=`:
  ["[ipv4-addr:value != '1.2.3.4']", "unsupported_operator"],
  ["[ipv4-addr:value NOT = '1.2.3.4']", "unsupported_operator"],
  ["[url:value MATCHES '^http://evil']", "unsupported_operator"],
  ["[url:value LIKE 'http://evil%']", "unsupported_operator"],
  ["[ipv4-addr:value IN ('1.2.3.4', '1.2.3.5')]", "unsupported_operator"],
  ["[ipv4-addr:value ISSUBSET '198.51.100.0/24']", "unsupported_operator"],
  // Invalid values:
  ["[file:hashes.MD5 = 'aa']", "invalid_value"],
  ["[ipv4-addr:value = '198.51.100.0/24']", "invalid_value"],
  ["[ipv6-addr:value = '2001:db8::/64']", "invalid_value"],
  ["[ipv4-addr:value = '198.51.100.1/128']", "invalid_value"],
  ["[ipv4-addr:value = 1]", "invalid_value"],
  ["[domain-name:value = 'localhost']", "invalid_value"],
  ["[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']", "invalid_value"],
  // One unsupported comparison in a disjunction skips the whole indicator:
  [`[ipv4-addr:value = '1.2.3.4' OR file:name = 'x.exe']`, "unsupported_object"],
  [`[ipv4-addr:value = '1.2.3.4'] OR [ipv4-addr:value = '1.2.3.0/24']`, "invalid_value"],
];

describe("skipped patterns", () => {
  it.each(REJECTED)("%s → %s", (pattern, reason) => {
    const result = classify(pattern);
    expect(result).toMatchObject({ kind: "skip", reason });
    if (result.kind === "skip") expect(result.detail.length).toBeGreaterThan(0);
  });
});

describe("disjunctions become one IOC per comparison", () => {
  it.each([
    ["comparison-level OR", `[ipv4-addr:value = '1.2.3.4' OR url:value = 'http://a/']`],
    ["observation-level OR", `[ipv4-addr:value = '1.2.3.4'] OR [url:value = 'http://a/']`],
    ["grouped observations", `([ipv4-addr:value = '1.2.3.4']) OR ([url:value = 'http://a/'])`],
    ["grouped comparisons", `[(ipv4-addr:value = '1.2.3.4') OR (url:value = 'http://a/')]`],
  ])("%s", (_name, pattern) => {
    expect(classify(pattern)).toEqual({
      kind: "iocs",
      iocs: [
        { type: "IPV4", value: "1.2.3.4" },
        { type: "URL", value: "http://a/" },
      ],
    });
  });

  it("mixes both levels and keeps source order", () => {
    const pattern = `[file:hashes.MD5 = '${MD5}' OR file:hashes.'SHA-256' = '${SHA256}'] OR ([domain-name:value = 'a.example' OR ipv6-addr:value = '::1'] OR [file:hashes.SHA1 = '${SHA1}'])`;
    expect(classify(pattern)).toEqual({
      kind: "iocs",
      iocs: [
        { type: "MD5", value: MD5 },
        { type: "SHA256", value: SHA256 },
        { type: "DNS", value: "a.example" },
        { type: "IPV6", value: "::1" },
        { type: "SHA1", value: SHA1 },
      ],
    });
  });

  it("deduplicates the same type and value (after hash normalisation)", () => {
    const pattern = `[file:hashes.MD5 = '${MD5}'] OR [file:hashes.md5 = '${MD5.toUpperCase()}'] OR [file:hashes.MD5 = '${MD5}']`;
    expect(classify(pattern)).toEqual({ kind: "iocs", iocs: [{ type: "MD5", value: MD5 }] });
  });

  it("deduplicates an address and its single-host prefix", () => {
    const pattern = "[ipv4-addr:value = '198.51.100.1' OR ipv4-addr:value = '198.51.100.1/32']";
    expect(classify(pattern)).toEqual({ kind: "iocs", iocs: [{ type: "IPV4", value: "198.51.100.1" }] });
  });

  it("walks a 6,000-operand OR chain (a deep tree) without recursion", () => {
    const parts = Array.from(
      { length: 6_000 },
      (_, i) => `ipv4-addr:value = '10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}'`,
    );
    const result = classifyIndicator(indicator(`[${parts.join(" OR ")}]`), { now: 0 });
    expect(result.kind).toBe("iocs");
    if (result.kind === "iocs") {
      expect(result.iocs).toHaveLength(6_000);
      expect(result.iocs[5_999]).toEqual({ type: "IPV4", value: "10.0.23.111" });
    }
  });
});

describe("skip details", () => {
  it("names the CIDR block that is refused, and where", () => {
    expect(classify("[ipv4-addr:value = '198.51.100.0/24']")).toEqual({
      kind: "skip",
      reason: "invalid_value",
      detail:
        "IPV4 '198.51.100.0/24' (position 1): CIDR block /24: IPV4 IOCs are single addresses (only /32, one host, is sent as its address)",
    });
  });

  it("lists what the table maps when an object or property is not in it", () => {
    const result = classify("[email-addr:value = 'a@example.com']");
    expect(result).toMatchObject({ kind: "skip", reason: "unsupported_object" });
    if (result.kind !== "skip") return;
    expect(result.detail).toContain("unsupported object type");
    for (const row of TABLE) expect(result.detail).toContain(`${row.objectType}:${row.key.text}`);
    expect(classify(`[file:hashes.'SHA-512' = '${SHA256}']`)).toMatchObject({
      detail: expect.stringContaining(
        "unsupported property (mapped: file:hashes.'SHA-256', file:hashes.'SHA-1', file:hashes.MD5, url:value",
      ),
    });
  });

  it("tells an upper-case object type to be written in lower case", () => {
    expect(classify(`[FILE:hashes.Md5 = '${MD5}']`)).toMatchObject({
      detail: "object type 'FILE' (position 1) must be written in lower case ('file')",
    });
  });
});

describe("indicator-level checks", () => {
  const good = `[ipv4-addr:value = '1.2.3.4']`;

  it.each([
    ["not an indicator", { type: "malware" }, "not_indicator"],
    ["revoked (boolean)", { revoked: true }, "revoked"],
    ["revoked (string 'True')", { revoked: "True" }, "revoked"],
    ["revoked (string 'true')", { revoked: "true" }, "revoked"],
    ["yara pattern_type", { pattern_type: "yara" }, "unsupported_pattern_type"],
    ["sigma pattern_type", { pattern_type: "sigma" }, "unsupported_pattern_type"],
    ["no pattern", { pattern: undefined }, "missing_pattern"],
    ["pattern is not a string", { pattern: 42 }, "missing_pattern"],
    ["expired", { valid_until: "2024-12-31T23:59:59.000Z" }, "expired"],
  ] as const)("%s → %s", (_name, overrides, reason) => {
    expect(classify(good, overrides)).toMatchObject({ kind: "skip", reason });
  });

  it.each([
    ["revoked 'False'", { revoked: "False" }],
    ["pattern_type 'STIX'", { pattern_type: "STIX" }],
    ["pattern_type ' Stix '", { pattern_type: " Stix " }],
    ["no pattern_type", { pattern_type: undefined }],
    ["no valid_until", { valid_until: undefined }],
    ["unparseable valid_until", { valid_until: "soon" }],
  ] as const)("%s is accepted", (_name, overrides) => {
    expect(classify(good, overrides)).toEqual({ kind: "iocs", iocs: [{ type: "IPV4", value: "1.2.3.4" }] });
  });

  it("reports the parse error position in the pattern as written", () => {
    const result = classify(`[file:hashes.SHA-256 == '${SHA256}']`);
    expect(result).toMatchObject({ kind: "skip", reason: "pattern_parse_error" });
    if (result.kind === "skip") expect(result.detail).toMatch(/at position 21$/);
    const plain = classify("[ipv4-addr:value = '1.2.3.4'");
    if (plain.kind === "skip") expect(plain.detail).toMatch(/position \d+$/);
  });

  it("honours the pattern length limit", () => {
    expect(classifyIndicator(indicator(`[ipv4-addr:value = '1.2.3.4']`), { maxPatternLength: 10 })).toMatchObject({
      kind: "skip",
      reason: "pattern_parse_error",
    });
  });

  it("never throws, whatever the object", () => {
    const weird = [
      {},
      { type: "indicator" },
      { type: "indicator", pattern: "[" },
      { type: "indicator", pattern: null },
    ];
    for (const object of weird) {
      expect(() => classifyIndicator(object as never)).not.toThrow();
    }
  });
});

describe("quoteHyphenatedProperties", () => {
  it.each([
    ["[file:hashes.SHA-256 = 'x']", "[file:hashes.'SHA-256' = 'x']"],
    [
      "[file:hashes.sha-1 = 'a.b-c'] OR [file:hashes.SHA-1 = 'y']",
      "[file:hashes.'sha-1' = 'a.b-c'] OR [file:hashes.'SHA-1' = 'y']",
    ],
    ["[file:x.'a-b'.c-d = 'it\\'s.e-f']", "[file:x.'a-b'.'c-d' = 'it\\'s.e-f']"],
  ])("%s", (input, expected) => {
    expect(quoteHyphenatedProperties(input)?.text).toBe(expected);
  });

  it("returns undefined when nothing needs quoting", () => {
    expect(quoteHyphenatedProperties("[domain-name:value = 'a-b.example']")).toBeUndefined();
  });
});

describe("a table that cannot work", () => {
  it.each([
    [
      "two rows for one comparison",
      [...TABLE, { ...STIX_COMPARISONS.fileSha256, iocType: "OTHER" }],
      /two rows take 'file:hashes.'SHA-256''/,
    ],
    [
      "an upper-case object type",
      [{ ...STIX_COMPARISONS.url, objectType: "URL", iocType: "URL" }],
      /write it lower case/,
    ],
  ])("is refused when built: %s", (_name, rows, message) => {
    expect(() => createClassifier(rows)).toThrow(message);
  });
});
