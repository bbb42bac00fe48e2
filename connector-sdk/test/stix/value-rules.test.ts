/**
 * Value rules of the common STIX comparisons (stix/value-rules.ts), through each comparison's normaliser and
 * validator: what is sent, normalised, or refused with a reason.
 */
import { describe, expect, it } from "vitest";
import { STIX_COMPARISONS } from "../../src/stix/index.js";
import { checkValue } from "../../src/stix/rows.js";
import { EMPTY_FILE_HASHES, MAX_URL_LENGTH } from "../../src/stix/value-rules.js";
import { MD5, SHA1, SHA256 } from "./helpers.js";

const RULES = {
  md5: STIX_COMPARISONS.fileMd5,
  sha1: STIX_COMPARISONS.fileSha1,
  sha256: STIX_COMPARISONS.fileSha256,
  ipv4: STIX_COMPARISONS.ipv4,
  ipv6: STIX_COMPARISONS.ipv6,
  url: STIX_COMPARISONS.url,
  domain: STIX_COMPARISONS.domainName,
};
type RowKey = keyof typeof RULES;

const check = (key: RowKey, raw: string) => checkValue(RULES[key], raw);

// Accepted values and what is sent.
const ACCEPTED: [row: RowKey, raw: string, sent: string][] = [
  // Hashes: exact length, hex, sent lower case:
  ["md5", MD5, MD5],
  ["md5", MD5.toUpperCase(), MD5],
  ["sha1", SHA1, SHA1],
  ["sha256", SHA256, SHA256],
  ["sha256", SHA256.toUpperCase(), SHA256],
  // IPv4 / IPv6 single addresses:
  ["ipv4", "203.0.113.1", "203.0.113.1"],
  ["ipv4", "0.0.0.0", "0.0.0.0"],
  ["ipv6", "2001:db8::1", "2001:db8::1"],
  ["ipv6", "::ffff:192.0.2.1", "::ffff:192.0.2.1"],
  // A single-host prefix is its address (OpenCTI's own tests write `/32`; the Python connectors pushed it):
  ["ipv4", "198.51.100.1/32", "198.51.100.1"],
  ["ipv6", "2001:db8::1/128", "2001:db8::1"],
  // URLs, with or without a scheme, sent as written:
  ["url", "http://evil.example.com/x?a=1#f", "http://evil.example.com/x?a=1#f"],
  ["url", "evil.example.com/path", "evil.example.com/path"],
  ["url", "HTTPS://Evil.Example.com/CasePreserved", "HTTPS://Evil.Example.com/CasePreserved"],
  // Domains, as written (IDNs converted to punycode):
  ["domain", "evil.example.com", "evil.example.com"],
  ["domain", "Evil.Example.COM", "Evil.Example.COM"],
  ["domain", "_dmarc.example.com", "_dmarc.example.com"],
  ["domain", "example.com.", "example.com."],
  ["domain", "bücher.example", "xn--bcher-kva.example"],
];

describe("accepted values", () => {
  it.each(ACCEPTED)("%s %s", (key, raw, sent) => {
    expect(check(key, raw)).toEqual({ ok: true, value: sent });
  });
});

// Refused values, with a word of the reason.
const REFUSED: [row: RowKey, raw: string, reason: RegExp][] = [
  // Hashes: wrong length, not hex, empty file:
  ["md5", "aa", /32 hex digits, found 2/],
  ["md5", `${MD5}0`, /32 hex digits/],
  ["sha1", MD5, /40 hex digits/],
  ["sha256", SHA1, /64 hex digits/],
  ["sha256", `${SHA256.slice(0, 63)}g`, /hexadecimal/],
  ["sha256", ` ${SHA256.slice(1)}`, /hexadecimal/],
  ["md5", EMPTY_FILE_HASHES.md5, /empty file/],
  ["md5", EMPTY_FILE_HASHES.md5.toUpperCase(), /empty file/],
  ["sha1", EMPTY_FILE_HASHES.sha1, /empty file/],
  ["sha256", EMPTY_FILE_HASHES.sha256, /empty file/],
  ["sha256", "", /empty/],
  // IPs: CIDR, leading zeros, wrong family, zone ids:
  ["ipv4", "198.51.100.0/24", /CIDR block \/24: IPV4 IOCs are single addresses/],
  ["ipv4", "198.51.100.1/31", /CIDR block \/31/],
  ["ipv4", "198.51.100.1/32/32", /CIDR block \/32/],
  ["ipv4", "198.51.100.1/128", /CIDR block \/128/],
  ["ipv4", "/32", /IPv4/],
  ["ipv4", "256.1.1.1/32", /IPv4/],
  ["ipv4", "010.1.1.1", /IPv4/],
  ["ipv4", "256.1.1.1", /IPv4/],
  ["ipv4", "2001:db8::1", /IPv4/],
  ["ipv4", " 1.2.3.4", /IPv4/],
  ["ipv6", "2001:db8::/32", /CIDR block \/32/],
  ["ipv6", "2001:db8::/64", /CIDR block \/64/],
  ["ipv6", "fe80::1%eth0/128", /zone/],
  ["ipv6", "fe80::1%eth0", /zone/],
  ["ipv6", "1.2.3.4", /IPv6/],
  ["ipv6", "2001:db8:::1", /IPv6/],
  // URLs: whitespace, control characters, unparseable with a scheme, too long:
  ["url", "http://evil example.com/", /whitespace/],
  ["url", "http://evil.example.com/\u0000", /control/],
  ["url", "http://[::1/", /does not parse/],
  ["url", `http://a.example/${"x".repeat(MAX_URL_LENGTH)}`, /longer than/],
  ["url", "", /empty/],
  // Domains: one label, bad characters, hyphens at label ends, wildcards, empty labels, too long:
  ["domain", "localhost", /two labels/],
  ["domain", "evil!.example.com", /contains '!'/],
  ["domain", "-evil.example.com", /starts or ends/],
  ["domain", "evil-.example.com", /starts or ends/],
  ["domain", "*.example.com", /wildcard/],
  ["domain", "a..example.com", /empty label/],
  ["domain", `${"a".repeat(64)}.example.com`, /63/],
  ["domain", `${"abcdefghi.".repeat(26)}com`, /253/],
  ["domain", "http://example.com", /contains ':'/],
  ["domain", "exa mple.com", /contains ' '/],
  ["domain", "bü cher.example", /whitespace/],
];

describe("refused values", () => {
  it.each(REFUSED)("%s %j", (key, raw, reason) => {
    const result = check(key, raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toMatch(reason);
  });
});
