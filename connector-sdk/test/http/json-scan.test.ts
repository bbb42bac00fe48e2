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

  it("checks the bytes its search leaves out: a longer key or a value ending in the name is not the field", () => {
    const text = '{"myuuid":"x","uuid":"a1","v":"is a uuid","xuuid" :"y","ünïcode":"ü1","uuid":"b2"}';
    expect(scanJsonStrings(Buffer.from(text), "uuid")).toEqual(["a1", "b2"]);
    expect(scanJsonStrings(Buffer.from(text), "ünïcode")).toEqual(["ü1"]);
    expect(scanJsonStrings(Buffer.from('"uuid":"at the start"'), "uuid")).toEqual(["at the start"]);
    expect(scanJsonStrings(Buffer.from('uuid":"no quote before"'), "uuid")).toEqual([]);
  });

  it("finds nothing in an empty answer", () => {
    expect(scanJsonStrings(Buffer.alloc(0), "uuid")).toEqual([]);
  });
});
