/**
 * THE mapping table: which STIX comparison becomes which SentinelOne IOC.
 *
 * One row per supported comparison `<object-type>:<property path> = '<value>'`. The classifier (`classify.ts`)
 * parses the indicator's pattern with the SDK's STIX parser and looks every comparison's object path up here;
 * a path that is not in the table makes the indicator "skipped" with reason `unsupported_object`.
 *
 * Accepted shapes, by row (issue #5428 of OpenCTI-Platform/connectors: OpenCTI and its feeds write hash keys
 * in several spellings, and SentinelOne accepts all of them on the wire):
 *
 * - File hashes, `file:hashes.<key>`:
 *     - canonical STIX 2.1 key, quoted:         `[file:hashes.'SHA-256' = '…']`   (what OpenCTI generates)
 *     - canonical key, unquoted (not valid STIX 2.1 grammar, but written by OpenCTI users and feeds):
 *                                               `[file:hashes.SHA-256 = '…']`      (the classifier quotes
 *                                               hyphenated property names before parsing, see classify.ts)
 *     - lower case, with or without hyphen:     `sha-256`, `sha256` (quoted or not)
 *     - legacy upper case without hyphen:       `SHA256` / `'SHA256'`
 *     - the same four spellings for SHA-1 (`SHA-1`, `SHA1`, `sha-1`, `sha1`) and two for MD5 (`MD5`, `md5`).
 *   Quoting never matters (the parser unquotes `'SHA-256'` to the name `SHA-256`); spelling does: `Sha256`,
 *   `SHA-512`, `SSDEEP`, `TLSH` … are not rows, so they are skipped as unsupported.
 * - `url:value`          → URL
 * - `domain-name:value`  → DNS   (`hostname:value`, an OpenCTI custom type, is not mapped: SentinelOne has no
 *                                 hostname type and the older connectors disagreed on DNS vs URL)
 * - `ipv4-addr:value`    → IPV4  (single addresses only: CIDR blocks are refused by the validator)
 * - `ipv6-addr:value`    → IPV6  (the STIX upload endpoint has no IPv6 mapping; the JSON endpoint we use has)
 *
 * Object types must be lower case as written: STIX 2.1 object types are lower case, and the Python connector
 * refused `[FILE:hashes.MD5 = …]` / `[URL:value = …]` too. Only the `=` operator maps (SentinelOne IOCs have
 * the single method `EQUALS`); the value must be a string literal and pass the row's validator.
 */
import type { IocType } from "../sentinelone/types.js";

/** Names of the value validators in `validators.ts`. */
export type ValidatorName = "md5" | "sha1" | "sha256" | "ipv4" | "ipv6" | "url" | "domain";

export interface PatternRow {
  /** Stable row name (used in docs, dry-run output and tests). */
  readonly name: string;
  /** STIX object type, lower case, exactly as it must be written. */
  readonly objectType: string;
  /** Every accepted property path after the colon, as property names (unquoted). */
  readonly paths: readonly (readonly string[])[];
  readonly iocType: IocType;
  readonly validator: ValidatorName;
}

const hashKeys = (...keys: string[]): readonly (readonly string[])[] => keys.map((key) => ["hashes", key]);

export const PATTERN_TABLE: readonly PatternRow[] = [
  {
    name: "file-sha256",
    objectType: "file",
    paths: hashKeys("SHA-256", "SHA256", "sha-256", "sha256"),
    iocType: "SHA256",
    validator: "sha256",
  },
  {
    name: "file-sha1",
    objectType: "file",
    paths: hashKeys("SHA-1", "SHA1", "sha-1", "sha1"),
    iocType: "SHA1",
    validator: "sha1",
  },
  {
    name: "file-md5",
    objectType: "file",
    paths: hashKeys("MD5", "md5"),
    iocType: "MD5",
    validator: "md5",
  },
  { name: "url", objectType: "url", paths: [["value"]], iocType: "URL", validator: "url" },
  { name: "domain-name", objectType: "domain-name", paths: [["value"]], iocType: "DNS", validator: "domain" },
  { name: "ipv4-addr", objectType: "ipv4-addr", paths: [["value"]], iocType: "IPV4", validator: "ipv4" },
  { name: "ipv6-addr", objectType: "ipv6-addr", paths: [["value"]], iocType: "IPV6", validator: "ipv6" },
];

/** Key of an object path in the lookup index: the object type and the property names, NUL-separated. */
export function pathKey(objectType: string, properties: readonly string[]): string {
  return [objectType, ...properties].join("\u0000");
}

const INDEX: ReadonlyMap<string, PatternRow> = new Map(
  PATTERN_TABLE.flatMap((row) => row.paths.map((path) => [pathKey(row.objectType, path), row] as const)),
);

const OBJECT_TYPES: ReadonlySet<string> = new Set(PATTERN_TABLE.map((row) => row.objectType));

/** The row for `objectType:properties…`, if the table has one. */
export function findRow(objectType: string, properties: readonly string[]): PatternRow | undefined {
  return INDEX.get(pathKey(objectType, properties));
}

/** True when some row uses this object type (to tell "unsupported property" from "unsupported object"). */
export function isMappedObjectType(objectType: string): boolean {
  return OBJECT_TYPES.has(objectType);
}
