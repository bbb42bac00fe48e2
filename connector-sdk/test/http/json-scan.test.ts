import { describe, expect, it } from "vitest";
import { scanJsonStrings } from "../../src/http/json-scan.js";

describe("scanJsonStrings", () => {
  it("reads each key's string value in order, with white space around the colon", () => {
    const text = '{"data":[{"uuid":"a1","name":"uuid"},{"uuid" :\n "b2"},{"x":{"uuid": "c3"}}]}';
    expect(scanJsonStrings(Buffer.from(text), "uuid")).toEqual(["a1", "b2", "c3"]);
  });

  it("gives undefined for a value that is not a plain string, and skips the name used as a value", () => {
    const text = '{"uuid":null,"other":"uuid","uuid":"a\\"b","uuid":7}';
    expect(scanJsonStrings(Buffer.from(text), "uuid")).toEqual([undefined, undefined, undefined]);
  });

  it("finds nothing in an empty answer", () => {
    expect(scanJsonStrings(Buffer.alloc(0), "uuid")).toEqual([]);
  });
});
