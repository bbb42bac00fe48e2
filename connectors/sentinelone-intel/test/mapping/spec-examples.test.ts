/**
 * Every example pattern of the STIX 2.1 specification (the SDK's fixture, from oasis-open/cti-pattern-validator)
 * is classified without throwing: the one pure disjunction of URLs gives two IOCs, the single MD5 one IOC, and
 * every other example is skipped with a reason.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { classifyIndicator } from "../../src/mapping/pattern-table.js";
import { indicator } from "../helpers/indicators.js";

const fixture = fileURLToPath(
  new URL("../../../../connector-sdk/test/fixtures/stix-pattern-spec-examples.txt", import.meta.url),
);
const examples = readFileSync(fixture, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "" && !line.startsWith("#"));

const EXPECTED_IOCS: Record<string, { type: string; value: string }[]> = {
  "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']": [
    { type: "URL", value: "http://example.com/foo" },
    { type: "URL", value: "http://example.com/bar" },
  ],
  "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a69faa']": [
    { type: "MD5", value: "cead3f77f6cda6ec00f57d76c9a69faa" },
  ],
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']": [
    { type: "SHA256", value: "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f" },
  ],
};

describe("STIX 2.1 specification examples", () => {
  it("the fixture holds the specification's examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(20);
    for (const pattern of Object.keys(EXPECTED_IOCS)) expect(examples).toContain(pattern);
  });

  it.each(examples)("%s", (pattern) => {
    let result: ReturnType<typeof classifyIndicator> | undefined;
    expect(() => {
      result = classifyIndicator(indicator(pattern));
    }).not.toThrow();
    const expected = EXPECTED_IOCS[pattern];
    if (expected) {
      expect(result).toEqual({ kind: "iocs", iocs: expected });
    } else {
      expect(result?.kind).toBe("skip");
      // Valid patterns: never a parse error.
      expect(result).not.toMatchObject({ reason: "pattern_parse_error" });
    }
  });
});
