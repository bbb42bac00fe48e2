/** IOC payloads built from OpenCTI indicators (mapping/ioc-builder.ts). */
import { describe, expect, it } from "vitest";
import { buildIoc, mapIndicator } from "../../src/mapping/ioc-builder.js";
import { indicator } from "../helpers/indicators.js";

const NOW = Date.parse("2025-01-01T00:00:00Z");
const PATTERN = "[ipv4-addr:value = '42.194.210.177']";

describe("buildIoc", () => {
  it("maps every field of an OpenCTI indicator (opencti-platform.md §2)", () => {
    const source = indicator(PATTERN, {
      id: "indicator--6e7b0da6-5dc0-5407-9d1f-d6489e394c7e",
      name: "42.194.210.177",
      description: "Simple indicator of observable {42.194.210.177}",
      created: "2024-04-09T06:58:40.678Z",
      valid_until: "2999-04-29T12:33:20.098Z",
      labels: ["threat lead", "c2"],
    });
    expect(buildIoc(source, { type: "IPV4", value: "42.194.210.177" }, { source: "OpenCTI" })).toEqual({
      type: "IPV4",
      value: "42.194.210.177",
      method: "EQUALS",
      source: "OpenCTI",
      externalId: "indicator--6e7b0da6-5dc0-5407-9d1f-d6489e394c7e",
      name: "42.194.210.177",
      description: "Simple indicator of observable {42.194.210.177}",
      validUntil: "2999-04-29T12:33:20.098Z",
      creationTime: "2024-04-09T06:58:40.678Z",
      originalRiskScore: 50,
      labels: ["threat lead", "c2"],
      pattern: PATTERN,
      patternType: "stix",
    });
  });

  it("leaves out absent fields instead of sending null", () => {
    const bare = {
      id: "indicator--1",
      type: "indicator",
      pattern: PATTERN,
      pattern_type: "stix",
      name: null,
      labels: [],
    };
    const payload = buildIoc(bare, { type: "IPV4", value: "1.2.3.4" }, { source: "S" });
    expect(payload).toEqual({
      type: "IPV4",
      value: "1.2.3.4",
      method: "EQUALS",
      source: "S",
      externalId: "indicator--1",
      pattern: PATTERN,
      patternType: "stix",
    });
    expect(Object.values(payload)).not.toContain(null);
    expect(Object.values(payload)).not.toContain(undefined);
    expect(JSON.stringify(payload)).not.toContain("null");
  });

  it("normalises dates to ISO-8601 UTC and drops unparseable ones", () => {
    const payload = buildIoc(
      indicator(PATTERN, { valid_until: "2999-01-02T03:04:05+02:00", created: "yesterday" }),
      { type: "IPV4", value: "42.194.210.177" },
      { source: "S" },
    );
    expect(payload.validUntil).toBe("2999-01-02T01:04:05.000Z");
    expect("creationTime" in payload).toBe(false);
  });

  it("keeps only string labels", () => {
    const payload = buildIoc(
      indicator(PATTERN, { labels: ["a", 3, null, "", "b"] }),
      { type: "IPV4", value: "1.2.3.4" },
      { source: "S" },
    );
    expect(payload.labels).toEqual(["a", "b"]);
  });
});

describe("mapIndicator", () => {
  it("builds one payload per classified value, all with the indicator's id as externalId", () => {
    const source = indicator("[ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'evil.example']");
    const result = mapIndicator(source, { source: "OpenCTI", now: NOW });
    expect(result.kind).toBe("iocs");
    if (result.kind !== "iocs") return;
    expect(result.payloads.map((p) => [p.type, p.value, p.externalId])).toEqual([
      ["IPV4", "1.2.3.4", source.id],
      ["DNS", "evil.example", source.id],
    ]);
  });

  it.each([
    ["expired", { valid_until: "2024-04-29T12:33:20.098Z" }],
    ["revoked", { revoked: "True" }],
  ])("skips %s indicators", (reason, overrides) => {
    expect(mapIndicator(indicator(PATTERN, overrides), { source: "S", now: NOW })).toMatchObject({
      kind: "skip",
      reason,
    });
  });
});
