/**
 * Value checks for IOC `value`s. Only the empty-file hash rule is observed on a live tenant ([OBS] `hashes_empty_file`);
 * every format rule below is the simulator's [INF] choice and can be switched off with `validateValues: false`.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { IocType } from "./types.js";

/** Hashes of the empty file, refused by SentinelOne as `hashes_empty_file` [OBS]. */
export const EMPTY_FILE_HASHES: ReadonlySet<string> = new Set([
  "d41d8cd98f00b204e9800998ecf8427e",
  "da39a3ee5e6b4b0d3255bfef95601890afd80709",
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
]);

const HASH_LENGTH: Partial<Record<IocType, number>> = { MD5: 32, SHA1: 40, SHA256: 64 };
const HEX_RE = /^[0-9a-fA-F]+$/;
// A DNS label: letters (incl. Unicode for IDNs), digits, `-` and `_` (seen in TI feeds), no leading/trailing hyphen.
const LABEL_RE = /^(?!-)[\p{L}\p{N}_-]{1,63}(?<!-)$/u;
// Control characters and whitespace (including Unicode spaces).
const URL_BAD_CHARS_RE = /[\s\u0000-\u001f\u007f]/u;
const SCHEME_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

export const MAX_URL_LENGTH = 8192;

/**
 * Returns an error message, or undefined when `value` is acceptable for `type`.
 * - MD5 / SHA1 / SHA256: hex of exactly 32 / 40 / 64 characters (either case); the empty-file hashes are refused always.
 * - IPV4: dotted quad, no leading zeros, no CIDR suffix. IPV6: any RFC 4291 text form (incl. embedded IPv4), no zone id.
 * - URL: non-empty, at most 8192 characters, no whitespace or control characters; a scheme-less value
 *   (`example.com/path`) is accepted; when a `scheme://` is present the whole value must parse as a URL.
 * - DNS: at most 253 characters, at least two labels, labels per LABEL_RE, optional trailing dot, no wildcard.
 */
export function checkValue(type: IocType, value: string, validateFormat: boolean): string | undefined {
  const hashLength = HASH_LENGTH[type];
  if (hashLength !== undefined && EMPTY_FILE_HASHES.has(value.toLowerCase())) return "hashes_empty_file";
  if (!validateFormat) return value.length === 0 ? "Shorter than minimum length 1." : undefined;
  if (value.length === 0) return "Shorter than minimum length 1.";
  switch (type) {
    case "MD5":
    case "SHA1":
    case "SHA256":
      return value.length === hashLength && HEX_RE.test(value) ? undefined : `Not a valid ${type} hash.`;
    case "IPV4":
      return isIPv4(value) ? undefined : "Not a valid IPv4 address.";
    case "IPV6":
      return isIPv6(value) && !value.includes("%") ? undefined : "Not a valid IPv6 address.";
    case "URL":
      return isAcceptableUrl(value) ? undefined : "Not a valid URL.";
    case "DNS":
      return isDomainName(value) ? undefined : "Not a valid domain name.";
  }
}

function isAcceptableUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH || URL_BAD_CHARS_RE.test(value)) return false;
  if (SCHEME_RE.test(value)) {
    try {
      const u = new URL(value);
      return u.host.length > 0 || u.protocol === "file:";
    } catch {
      return false;
    }
  }
  return true;
}

function isDomainName(value: string): boolean {
  const name = value.endsWith(".") ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  if (labels.length < 2) return false;
  return labels.every((l) => LABEL_RE.test(l));
}
