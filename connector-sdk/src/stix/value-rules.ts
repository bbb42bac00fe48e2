/**
 * Value rules of the common STIX comparisons (normaliser + validator + the check in words), run before anything is
 * sent: a target that rejects a whole batch for one invalid item (SentinelOne answers 400) then sees one skipped
 * indicator instead of a split-and-retry round trip.
 *
 * Normalisation (the only changes made to a value):
 * - Hashes are sent in lower case. Hex is case-insensitive, OpenCTI generates lower case, and targets store values
 *   as sent, so one canonical spelling keeps lookups by value and server-side de-duplication consistent whatever
 *   case the feed used.
 * - A single-host prefix (`/32` for IPv4, `/128` for IPv6) is dropped: OpenCTI's own tests write
 *   `[ipv4-addr:value = '198.51.100.1/32']` and the Python connectors pushed it. Other prefixes stay refused.
 * - Internationalised domain names are converted to their ASCII (punycode, `xn--`) form, which is what DNS
 *   queries carry. Every other value is sent exactly as written in the pattern.
 */
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import type { ValueRule } from "./rows.js";

/** Hashes of the empty file: they would match every empty file (SentinelOne refuses them: `hashes_empty_file`). */
export const EMPTY_FILE_HASHES: Readonly<Record<"md5" | "sha1" | "sha256", string>> = {
  md5: "d41d8cd98f00b204e9800998ecf8427e",
  sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
  sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};

/** Longest URL accepted (browsers and proxies commonly cap near 8 KiB). */
export const MAX_URL_LENGTH = 8192;

function isHex(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return false;
  }
  return true;
}

const lowerCase = (raw: string): string => raw.toLowerCase();
const asWritten = (raw: string): string => raw;

/** A file hash: `digits` hex digits, sent in lower case, not the empty file's hash. */
export function hexHash(algorithm: string, digits: number, emptyFile: string): ValueRule {
  return {
    normalise: lowerCase,
    validate: (value) => {
      if (!isHex(value)) return `${algorithm} must be hexadecimal`;
      if (value.length !== digits) return `${algorithm} must be ${digits} hex digits, found ${value.length}`;
      if (value === emptyFile) return `${algorithm} of the empty file (it would match every empty file)`;
      return undefined;
    },
    check: `${digits} hex digits, sent in lower case; the empty file's hash is refused`,
  };
}

/** One IP address; a `/bits` suffix naming one host (`/32`, `/128`) is dropped, any other prefix is refused. */
function ipAddress(family: 4 | 6, hostBits: number): ValueRule {
  const hostSuffix = `/${hostBits}`;
  const type = `IPV${family}`;
  return {
    normalise: (raw) => (raw.endsWith(hostSuffix) ? raw.slice(0, -hostSuffix.length) : raw),
    validate: (value) => {
      const slash = value.indexOf("/");
      if (slash >= 0) {
        return `CIDR block ${value.slice(slash)}: ${type} IOCs are single addresses (only ${hostSuffix}, one host, is sent as its address)`;
      }
      if (family === 6 && value.includes("%")) return "IPv6 zone ids (%…) are not supported";
      if (isIP(value) !== family) {
        return family === 4 ? "not a valid IPv4 address (dotted quad, no leading zeros)" : "not a valid IPv6 address";
      }
      return undefined;
    },
    check:
      family === 4
        ? "one address; `/32` is sent as its address, other CIDR blocks are refused"
        : "one address, no zone id; `/128` is sent as its address, other CIDR blocks are refused",
  };
}

export const IPV4_ADDRESS: ValueRule = ipAddress(4, 32);
export const IPV6_ADDRESS: ValueRule = ipAddress(6, 128);

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

export const URL_VALUE: ValueRule = {
  normalise: asWritten,
  validate: (value) => {
    if (value.length > MAX_URL_LENGTH) return `URL longer than ${MAX_URL_LENGTH} characters`;
    if (hasSpaceOrControl(value)) return "URL contains whitespace or control characters";
    // Scheme-less values (`example.com/path`) are common in feeds (SentinelOne accepts them).
    if (schemeLength(value) > 0 && !URL.canParse(value)) return "URL does not parse";
    return undefined;
  },
  check: `no whitespace or control characters, at most ${MAX_URL_LENGTH} characters, parses when it has a \`scheme://\``,
};

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

export const DOMAIN_NAME: ValueRule = {
  // An IDN goes out in punycode; one that does not convert is left as is, for `validate` to refuse.
  normalise: (raw) => (isAscii(raw) || hasSpaceOrControl(raw) ? raw : domainToASCII(raw) || raw),
  validate: (value) => {
    if (!isAscii(value)) {
      return hasSpaceOrControl(value)
        ? "domain name contains whitespace or control characters"
        : "not a valid internationalised domain name";
    }
    const name = value.endsWith(".") ? value.slice(0, -1) : value;
    if (name.length > 253) return "domain name longer than 253 characters";
    const labels = name.split(".");
    if (labels.length < 2) return "domain name needs at least two labels (e.g. example.com)";
    for (const label of labels) {
      const problem = checkLabel(label);
      if (problem) return `not a valid domain name: ${problem}`;
    }
    return undefined;
  },
  check:
    "at least two labels, letters / digits / `-` / `_`, no wildcard; internationalised names are sent in punycode (`xn--`)",
};
