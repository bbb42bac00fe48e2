/**
 * The STIX comparisons OpenCTI indicators use, each with its key matcher and value rule: a connector's row is one of
 * these plus its target type (`{ ...STIX_COMPARISONS.ipv4, iocType: "IPV4" }`), or a `ComparisonRule` of its own.
 */
import { type ComparisonRule, hashKey, property } from "./rows.js";
import { DOMAIN_NAME, EMPTY_FILE_HASHES, hexHash, IPV4_ADDRESS, IPV6_ADDRESS, URL_VALUE } from "./value-rules.js";

const value = property("value");

export const STIX_COMPARISONS = {
  /** `file:hashes.'SHA-256'`, `sha256`, `Sha-256` … (any case, hyphen optional, quoted or not). */
  fileSha256: { objectType: "file", key: hashKey("SHA-256"), ...hexHash("SHA-256", 64, EMPTY_FILE_HASHES.sha256) },
  fileSha1: { objectType: "file", key: hashKey("SHA-1"), ...hexHash("SHA-1", 40, EMPTY_FILE_HASHES.sha1) },
  fileMd5: { objectType: "file", key: hashKey("MD5"), ...hexHash("MD5", 32, EMPTY_FILE_HASHES.md5) },
  url: { objectType: "url", key: value, ...URL_VALUE },
  domainName: { objectType: "domain-name", key: value, ...DOMAIN_NAME },
  /** One address; `/32` is that address, other CIDR blocks are refused. */
  ipv4: { objectType: "ipv4-addr", key: value, ...IPV4_ADDRESS },
  /** One address, no zone id; `/128` is that address, other CIDR blocks are refused. */
  ipv6: { objectType: "ipv6-addr", key: value, ...IPV6_ADDRESS },
} as const satisfies Record<string, ComparisonRule>;
