import { describe, expect, it } from "vitest";
import { compareStreamIds } from "../../src/state/stream-ids.js";
import { dateNowZ, parseState, resolveInitialState, sameState, serializeState } from "../../src/state/stream-state.js";

describe("stream state (pycti-compatible)", () => {
  it.each([
    [null, null],
    ["", null],
    ["null", null],
    ["{}", null],
    ["not json", null],
    ["[1]", null],
    ['{"start_from": "1-0", "recover_until": false}', { start_from: "1-0", recover_until: false }],
  ])("parseState(%j)", (raw, expected) => {
    expect(parseState(raw)).toEqual(expected);
  });

  it("serialises like Python json.dumps", () => {
    expect(serializeState({ start_from: "1712345678901-0", recover_until: "2024-04-05T12:00:00Z" })).toBe(
      '{"start_from": "1712345678901-0", "recover_until": "2024-04-05T12:00:00Z"}',
    );
    expect(serializeState(null)).toBe("null");
    expect(serializeState({ note: "é", n: [1, true] })).toBe('{"note": "\\u00e9", "n": [1, true]}');
  });

  it("starts from 0-0 and recovers until now without a state", () => {
    const now = new Date("2024-01-02T03:04:05.678Z");
    expect(resolveInitialState(null, { now })).toEqual({ start_from: "0-0", recover_until: "2024-01-02T03:04:05Z" });
    expect(dateNowZ(now)).toBe("2024-01-02T03:04:05Z");
  });

  it("applies the configured start timestamp and recover date only when there is no state", () => {
    expect(
      resolveInitialState(null, { startTimestamp: 1700000000000, recoverIsoDate: "2024-01-01T00:00:00Z" }),
    ).toEqual({
      start_from: "1700000000000-0",
      recover_until: "2024-01-01T00:00:00Z",
    });
    expect(
      resolveInitialState({ start_from: "5-0", recover_until: "x" }, { startTimestamp: 1, recoverIsoDate: "y" }),
    ).toEqual({ start_from: "5-0", recover_until: "x" });
  });

  it("reads the legacy keys and keeps extra keys", () => {
    expect(
      resolveInitialState({ connectorLastEventId: "9-1", connectorStartTime: "2020-01-01T00:00:00Z", mine: 1 }, {}),
    ).toEqual({
      start_from: "9-1",
      recover_until: "2020-01-01T00:00:00Z",
      mine: 1,
    });
  });

  it("compares states deeply and orders stream ids numerically", () => {
    expect(sameState({ a: 1, b: "x" }, { b: "x", a: 1 })).toBe(true);
    expect(sameState({ a: 1 }, null)).toBe(false);
    expect(compareStreamIds("10-0", "9-5")).toBeGreaterThan(0);
    expect(compareStreamIds("9-10", "9-9")).toBeGreaterThan(0);
    expect(compareStreamIds("0-0", "0-0")).toBe(0);
  });
});
