/** IOC payloads built from OpenCTI indicators (mapping/ioc-builder.ts). */
import { describe, expect, it } from "vitest";
import { buildIoc, mapIndicator } from "../../src/mapping/ioc-builder.js";
import { indicator, OPENCTI_EXT } from "../helpers/indicators.js";

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

  it.each([
    ["extension score", { extensions: { [OPENCTI_EXT]: { score: 80 } } }, 80],
    [
      "extension score wins over x_opencti_score",
      { extensions: { [OPENCTI_EXT]: { score: 10 } }, x_opencti_score: 90 },
      10,
    ],
    ["x_opencti_score when there is no extension", { extensions: undefined, x_opencti_score: 75 }, 75],
    ["a numeric string", { extensions: { [OPENCTI_EXT]: { score: "66" } } }, 66],
    ["rounded", { extensions: { [OPENCTI_EXT]: { score: 66.6 } } }, 67],
    ["clamped above", { extensions: { [OPENCTI_EXT]: { score: 150 } } }, 100],
    ["clamped below", { extensions: { [OPENCTI_EXT]: { score: -5 } } }, 0],
    ["absent", { extensions: {} }, undefined],
    ["not a number", { extensions: { [OPENCTI_EXT]: { score: "high" } } }, undefined],
  ])("originalRiskScore: %s", (_name, overrides, expected) => {
    const payload = buildIoc(indicator(PATTERN, overrides), { type: "IPV4", value: "42.194.210.177" }, { source: "S" });
    expect(payload.originalRiskScore).toBe(expected);
    expect("originalRiskScore" in payload).toBe(expected !== undefined);
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

  it.each([
    ["2024-04-09T06:58:40.678Z", "2024-04-09T06:58:40.678Z"], // OpenCTI's spelling, kept as is
    ["2024-02-28T23:59:59.999Z", "2024-02-28T23:59:59.999Z"],
    ["2024-02-29T00:00:00.000Z", "2024-02-29T00:00:00.000Z"], // a leap day: through the parser, same text
    ["2023-02-29T00:00:00.000Z", "2023-03-01T00:00:00.000Z"], // no such day: the parser's rollover, as before
    ["2024-04-31T10:00:00.000Z", "2024-05-01T10:00:00.000Z"],
    ["2024-01-01T24:00:00.000Z", "2024-01-02T00:00:00.000Z"],
    ["2024-04-09T06:58:40Z", "2024-04-09T06:58:40.000Z"],
    ["2024-04-09T06:58:40.678123Z", "2024-04-09T06:58:40.678Z"],
    ["2024-13-01T00:00:00.000Z", undefined],
  ])("writes creationTime %s as %s", (created, expected) => {
    const payload = buildIoc(
      indicator(PATTERN, { created }),
      { type: "IPV4", value: "42.194.210.177" },
      { source: "S" },
    );
    expect(payload.creationTime).toBe(expected);
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
