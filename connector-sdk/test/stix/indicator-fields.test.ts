/** The lenient readers of an OpenCTI indicator's fields (stix/indicator-fields.ts). */
import { describe, expect, it } from "vitest";
import {
  isoTimestamp,
  isRevoked,
  nonEmptyString,
  OPENCTI_EXTENSION,
  openCtiScore,
  stringList,
  timestampMs,
} from "../../src/stix/index.js";
import { indicator } from "./helpers.js";

const EXT = OPENCTI_EXTENSION;

describe("openCtiScore", () => {
  it.each([
    ["extension score", { extensions: { [EXT]: { score: 80 } } }, 80],
    ["extension score wins over x_opencti_score", { extensions: { [EXT]: { score: 10 } }, x_opencti_score: 90 }, 10],
    ["x_opencti_score when there is no extension", { extensions: undefined, x_opencti_score: 75 }, 75],
    ["a numeric string", { extensions: { [EXT]: { score: "66" } } }, 66],
    ["rounded", { extensions: { [EXT]: { score: 66.6 } } }, 67],
    ["clamped above", { extensions: { [EXT]: { score: 150 } } }, 100],
    ["clamped below", { extensions: { [EXT]: { score: -5 } } }, 0],
    ["absent", { extensions: {} }, undefined],
    ["not a number", { extensions: { [EXT]: { score: "high" } } }, undefined],
    ["not finite", { extensions: { [EXT]: { score: Number.POSITIVE_INFINITY } } }, undefined],
  ])("%s", (_name, overrides, expected) => {
    expect(openCtiScore(indicator("[x:y = 'z']", overrides))).toBe(expected);
  });
});

describe("isRevoked", () => {
  it.each([
    [true, true],
    ["True", true],
    [" true ", true],
    [1, true],
    ["1", true],
    [false, false],
    ["False", false],
    [0, false],
    ["yes", false],
    [undefined, false],
  ])("revoked %j → %s", (revoked, expected) => {
    expect(isRevoked(indicator("[x:y = 'z']", { revoked }))).toBe(expected);
  });
});

describe("timestamps", () => {
  it.each([
    ["2024-04-09T06:58:40.678Z", "2024-04-09T06:58:40.678Z"], // OpenCTI's spelling, kept as is
    ["2024-02-28T23:59:59.999Z", "2024-02-28T23:59:59.999Z"],
    ["2024-02-29T00:00:00.000Z", "2024-02-29T00:00:00.000Z"], // a leap day: through the parser, same text
    ["2023-02-29T00:00:00.000Z", "2023-03-01T00:00:00.000Z"], // no such day: the parser's rollover
    ["2024-04-31T10:00:00.000Z", "2024-05-01T10:00:00.000Z"],
    ["2024-01-01T24:00:00.000Z", "2024-01-02T00:00:00.000Z"],
    ["2024-04-09T06:58:40Z", "2024-04-09T06:58:40.000Z"],
    ["2024-04-09T06:58:40.678123Z", "2024-04-09T06:58:40.678Z"],
    ["2999-01-02T03:04:05+02:00", "2999-01-02T01:04:05.000Z"],
    ["2024-13-01T00:00:00.000Z", undefined],
    ["yesterday", undefined],
    ["", undefined],
    [42, undefined],
  ])("isoTimestamp(%j) → %s", (value, expected) => {
    expect(isoTimestamp(value)).toBe(expected);
  });

  it("timestampMs reads epoch ms, undefined when absent or unparseable", () => {
    expect(timestampMs(" 2025-01-01T00:00:00Z ")).toBe(Date.parse("2025-01-01T00:00:00Z"));
    expect(timestampMs("soon")).toBeUndefined();
    expect(timestampMs(undefined)).toBeUndefined();
  });
});

describe("strings", () => {
  it("stringList keeps the non-empty strings, undefined when none", () => {
    expect(stringList(["a", 3, null, "", "b"])).toEqual(["a", "b"]);
    expect(stringList([3, ""])).toBeUndefined();
    expect(stringList("a")).toBeUndefined();
  });

  it("nonEmptyString", () => {
    expect(nonEmptyString("a")).toBe("a");
    expect(nonEmptyString("")).toBeUndefined();
    expect(nonEmptyString(null)).toBeUndefined();
  });
});
