/**
 * THE mapping table: which STIX comparison becomes which SentinelOne IOC, and what is checked and sent.
 *
 * One row per supported comparison `<object-type>:<property path> = '<value>'`, carrying its behaviour
 * (`pattern-row.ts`): a key matcher, a value normaliser and a validator. The classifier (`classify.ts`) parses the
 * indicator's pattern with the SDK's STIX parser and gives every comparison to the first row that takes it; a
 * comparison no row takes makes the indicator "skipped" with reason `unsupported_object`. The IOC type union, the
 * skip details and the README's pattern table (pinned by `test/mapping/table-docs.test.ts`) come from these rows.
 *
 * Accepted shapes, by row (issue #5428 of OpenCTI-Platform/connectors: OpenCTI and its feeds write hash keys in
 * several spellings, and SentinelOne accepts all of them on the wire):
 *
 * - File hashes, `file:hashes.<algorithm>`: the algorithm name in any case, with or without its hyphen, quoted or
 *   not, as the Python connector's case-insensitive match took it: `'SHA-256'` (what OpenCTI generates), `SHA-256`
 *   (unquoted: not valid STIX 2.1 grammar, the classifier quotes it before parsing), `sha256`, `SHA256`, `Sha256`,
 *   `'Sha-1'`, `Md5` … Other algorithms (`SHA-512`, `SSDEEP`, `TLSH` …) have no SentinelOne type: not rows.
 * - `url:value`          → URL
 * - `domain-name:value`  → DNS   (`hostname:value`, an OpenCTI custom type, is not mapped: SentinelOne has no
 *                                 hostname type and the older connectors disagreed on DNS vs URL)
 * - `ipv4-addr:value`    → IPV4  (one address; `/32` is that address, other CIDR blocks are refused)
 * - `ipv6-addr:value`    → IPV6  (the STIX upload endpoint has no IPv6 mapping; the JSON endpoint we use has)
 *
 * Object types must be lower case as written: STIX 2.1 object types are lower case, and the Python connector
 * refused `[FILE:hashes.MD5 = …]` / `[URL:value = …]` too. Only the `=` operator maps (SentinelOne IOCs have
 * the single method `EQUALS`); the value must be a string literal and pass the row's validator.
 */
import { hashKey, type PatternRow, property } from "./pattern-row.js";
import { DOMAIN_NAME, EMPTY_FILE_HASHES, hexHash, IPV4_ADDRESS, IPV6_ADDRESS, URL_VALUE } from "./validators.js";

/** Keeps each row's `iocType` literal, so the table's types make `IocType`. */
const table = <T extends string>(rows: readonly PatternRow<T>[]): readonly PatternRow<T>[] => rows;

const value = property("value");

export const PATTERN_TABLE = table([
  {
    name: "file-sha256",
    objectType: "file",
    key: hashKey("SHA-256"),
    iocType: "SHA256",
    ...hexHash("SHA-256", 64, EMPTY_FILE_HASHES.sha256),
  },
  {
    name: "file-sha1",
    objectType: "file",
    key: hashKey("SHA-1"),
    iocType: "SHA1",
    ...hexHash("SHA-1", 40, EMPTY_FILE_HASHES.sha1),
  },
  {
    name: "file-md5",
    objectType: "file",
    key: hashKey("MD5"),
    iocType: "MD5",
    ...hexHash("MD5", 32, EMPTY_FILE_HASHES.md5),
  },
  { name: "url", objectType: "url", key: value, iocType: "URL", ...URL_VALUE },
  { name: "domain-name", objectType: "domain-name", key: value, iocType: "DNS", ...DOMAIN_NAME },
  { name: "ipv4-addr", objectType: "ipv4-addr", key: value, iocType: "IPV4", ...IPV4_ADDRESS },
  { name: "ipv6-addr", objectType: "ipv6-addr", key: value, iocType: "IPV6", ...IPV6_ADDRESS },
]);

/** The SentinelOne IOC types this connector produces: the table's. */
export type IocType = (typeof PATTERN_TABLE)[number]["iocType"];
