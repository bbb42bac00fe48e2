/** Classify then build (stix/mapper.ts): one payload per classified value, or the classifier's skip as it is. */
import { describe, expect, it } from "vitest";
import { createClassifier, createMapper } from "../../src/stix/index.js";
import { indicator, TABLE } from "./helpers.js";

const map = createMapper(createClassifier(TABLE), (source, ioc, options: { tag: string }) => ({
  id: source.id,
  text: `${options.tag}:${ioc.type}:${ioc.value}`,
}));

describe("createMapper", () => {
  it("builds one payload per classified value, with the options given", () => {
    const source = indicator("[ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'evil.example']");
    expect(map(source, { tag: "t", now: 0 })).toEqual({
      kind: "iocs",
      payloads: [
        { id: source.id, text: "t:IPV4:1.2.3.4" },
        { id: source.id, text: "t:DNS:evil.example" },
      ],
    });
  });

  it("passes a skip through, and the classify options reach the classifier", () => {
    const expired = indicator("[ipv4-addr:value = '1.2.3.4']", { valid_until: "2024-04-29T12:33:20.098Z" });
    expect(map(expired, { tag: "t", now: Date.parse("2025-01-01T00:00:00Z") })).toMatchObject({
      kind: "skip",
      reason: "expired",
    });
  });
});
