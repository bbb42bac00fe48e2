/**
 * Per-type value checks, run before anything is sent: SentinelOne rejects a whole batch (400) when one item is
 * invalid, so an invalid value caught here is one skipped indicator instead of a split-and-retry round trip.
 *
 * Normalisation (the only changes made to a value):
 * - Hashes are sent in lower case. Hex is case-insensitive, OpenCTI generates lower case, and SentinelOne stores
 *   values as sent (it does not lower-case them), so one canonical spelling keeps `GET ?value=` lookups and any
 *   server-side de-duplication consistent whatever case the feed used.
 * - Internationalised domain names are converted to their ASCII (punycode, `xn--`) form, which is what DNS
 *   queries carry. Every other value is sent exactly as written in the pattern.
 */
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import type { ValidatorName } from "./pattern-table.js";

export type ValueCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly detail: string };

/** Hashes of the empty file: SentinelOne refuses them (`hashes_empty_file`), and they would match every empty file. */
export const EMPTY_FILE_HASHES: Readonly<Record<"md5" | "sha1" | "sha256", string>> = {
  md5: "d41d8cd98f00b204e9800998ecf8427e",
  sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
  sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};

const HASH_LENGTHS: Readonly<Record<"md5" | "sha1" | "sha256", number>> = { md5: 32, sha1: 40, sha256: 64 };

/** Longest URL accepted (browsers and proxies commonly cap near 8 KiB). */
export const MAX_URL_LENGTH = 8192;

const ok = (value: string): ValueCheck => ({ ok: true, value });
const fail = (detail: string): ValueCheck => ({ ok: false, detail });

export function validateValue(validator: ValidatorName, raw: string): ValueCheck {
  if (raw.length === 0) return fail("the value is empty");
  switch (validator) {
    case "md5":
    case "sha1":
    case "sha256":
      return checkHash(validator, raw);
    case "ipv4":
      return checkIpv4(raw);
    case "ipv6":
      return checkIpv6(raw);
    case "url":
      return checkUrl(raw);
    case "domain":
      return checkDomain(raw);
  }
}

function isHex(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return false;
  }
  return true;
}

function checkHash(kind: "md5" | "sha1" | "sha256", raw: string): ValueCheck {
  const expected = HASH_LENGTHS[kind];
  const label = kind.toUpperCase();
  if (!isHex(raw)) return fail(`${label} must be hexadecimal`);
  if (raw.length !== expected) return fail(`${label} must be ${expected} hex digits, found ${raw.length}`);
  const value = raw.toLowerCase();
  if (value === EMPTY_FILE_HASHES[kind]) {
    return fail(`${label} of the empty file (SentinelOne refuses it: hashes_empty_file)`);
  }
  return ok(value);
}

function checkIpv4(raw: string): ValueCheck {
  if (raw.includes("/")) {
    return fail("CIDR notation is not supported: SentinelOne IPV4 IOCs are single addresses");
  }
  if (isIP(raw) !== 4) return fail("not a valid IPv4 address (dotted quad, no leading zeros)");
  return ok(raw);
}

function checkIpv6(raw: string): ValueCheck {
  if (raw.includes("/")) {
    return fail("CIDR notation is not supported: SentinelOne IPV6 IOCs are single addresses");
  }
  if (raw.includes("%")) return fail("IPv6 zone ids (%…) are not supported");
  if (isIP(raw) !== 6) return fail("not a valid IPv6 address");
  return ok(raw);
}

function hasSpaceOrControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f) || c === 0xa0 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

function schemeLength(value: string): number {
  // `scheme://`: a letter, then letters, digits, `+`, `-`, `.`; returns the index of "://" or -1.
  const c0 = value.charCodeAt(0);
  if (!((c0 >= 0x41 && c0 <= 0x5a) || (c0 >= 0x61 && c0 <= 0x7a))) return -1;
  for (let i = 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x3a) return value.startsWith("://", i) ? i : -1;
    const allowed =
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2b ||
      c === 0x2d ||
      c === 0x2e;
    if (!allowed) return -1;
  }
  return -1;
}

function checkUrl(raw: string): ValueCheck {
  if (raw.length > MAX_URL_LENGTH) return fail(`URL longer than ${MAX_URL_LENGTH} characters`);
  if (hasSpaceOrControl(raw)) return fail("URL contains whitespace or control characters");
  if (schemeLength(raw) > 0) {
    try {
      new URL(raw);
    } catch {
      return fail("URL does not parse");
    }
  }
  // Scheme-less values (`example.com/path`) are common in feeds and accepted by SentinelOne.
  return ok(raw);
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7e) return false;
  return true;
}

function checkLabel(label: string): string | undefined {
  if (label.length === 0) return "empty label";
  if (label.length > 63) return `label longer than 63 characters`;
  if (label === "*") return "wildcards are not supported";
  if (label.startsWith("-") || label.endsWith("-")) return `label '${label}' starts or ends with '-'`;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    const allowed =
      (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
    if (!allowed) return `label '${label}' contains '${label[i]}'`;
  }
  return undefined;
}

function checkDomain(raw: string): ValueCheck {
  let value = raw;
  if (!isAscii(value)) {
    if (hasSpaceOrControl(value)) return fail("domain name contains whitespace or control characters");
    const ascii = domainToASCII(value);
    if (ascii === "") return fail("not a valid internationalised domain name");
    value = ascii;
  }
  const name = value.endsWith(".") ? value.slice(0, -1) : value;
  if (name.length > 253) return fail("domain name longer than 253 characters");
  const labels = name.split(".");
  if (labels.length < 2) return fail("domain name needs at least two labels (e.g. example.com)");
  for (const label of labels) {
    const problem = checkLabel(label);
    if (problem) return fail(`not a valid domain name: ${problem}`);
  }
  return ok(value);
}
