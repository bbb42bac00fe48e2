import { OPENCTI_EXTENSION, patternTable, STIX_COMPARISONS } from "../../src/stix/index.js";
import type { StixObject } from "../../src/stream/envelope.js";

export const MD5 = "79054025255fb1a26e4bc422aef54eb4";
export const SHA1 = "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12";
export const SHA256 = "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f";

let counter = 0;

/** An OpenCTI-shaped indicator (see opencti-platform.md §2); `overrides` replace or add fields. */
export function indicator(pattern: string, overrides: Record<string, unknown> = {}): StixObject {
  counter++;
  return {
    id: `indicator--00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    spec_version: "2.1",
    type: "indicator",
    extensions: {
      [OPENCTI_EXTENSION]: { extension_type: "property-extension", type: "Indicator", score: 50, is_inferred: false },
    },
    created: "2024-04-09T06:58:40.678Z",
    modified: "2024-04-09T06:58:40.678Z",
    revoked: false,
    labels: ["threat lead"],
    name: `name of ${pattern}`,
    pattern,
    pattern_type: "stix",
    pattern_version: "2.1",
    valid_from: "2024-04-09T06:58:40.664Z",
    valid_until: "2999-04-29T12:33:20.098Z",
    ...overrides,
  };
}

/** A table like the SentinelOne connector's: every common comparison, in its order. */
export const TABLE = patternTable([
  { ...STIX_COMPARISONS.fileSha256, iocType: "SHA256" },
  { ...STIX_COMPARISONS.fileSha1, iocType: "SHA1" },
  { ...STIX_COMPARISONS.fileMd5, iocType: "MD5" },
  { ...STIX_COMPARISONS.url, iocType: "URL" },
  { ...STIX_COMPARISONS.domainName, iocType: "DNS" },
  { ...STIX_COMPARISONS.ipv4, iocType: "IPV4" },
  { ...STIX_COMPARISONS.ipv6, iocType: "IPV6" },
]);
