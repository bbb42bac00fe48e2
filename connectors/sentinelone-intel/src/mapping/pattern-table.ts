/**
 * THE mapping table: which STIX comparison becomes which SentinelOne IOC type. Each row is one of the SDK's
 * `STIX_COMPARISONS` (key matcher, normaliser, validator; decisions 0010, 0016) plus the IOC type; the SDK's
 * classifier gives every comparison of a pattern to the first row that takes it, and skips the indicator, with a
 * reason, when no row does. `IocType`, the skip details and the README's pattern table (pinned by
 * `test/mapping/table-docs.test.ts`) come from these rows.
 *
 * - Hash keys in any spelling OpenCTI and feeds write (`'SHA-256'`, `sha256`, `Sha-1`, `Md5` …: issue #5428 of
 *   OpenCTI-Platform/connectors); SHA-512, SSDEEP … have no SentinelOne type. SentinelOne refuses the empty file's
 *   hashes (`hashes_empty_file`), which the rows refuse first.
 * - `hostname:value` (an OpenCTI custom type) is not mapped: SentinelOne has no hostname type.
 * - IPv6 goes through the JSON endpoint the connector uses (the STIX upload endpoint has no IPv6 mapping).
 */
import { createClassifier, patternTable, STIX_COMPARISONS as STIX, type TableType } from "@octi/connector-sdk";

export const PATTERN_TABLE = patternTable([
  { ...STIX.fileSha256, iocType: "SHA256" },
  { ...STIX.fileSha1, iocType: "SHA1" },
  { ...STIX.fileMd5, iocType: "MD5" },
  { ...STIX.url, iocType: "URL" },
  { ...STIX.domainName, iocType: "DNS" },
  { ...STIX.ipv4, iocType: "IPV4" },
  { ...STIX.ipv6, iocType: "IPV6" },
]);

/** The SentinelOne IOC types this connector produces: the table's. */
export type IocType = TableType<typeof PATTERN_TABLE>;

/** Classifies an OpenCTI indicator with `PATTERN_TABLE`. */
export const classifyIndicator = createClassifier(PATTERN_TABLE);
