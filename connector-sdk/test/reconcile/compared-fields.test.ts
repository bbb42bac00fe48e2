/** Compared fields as data: what each kind treats as equal, and the stale mask with a target's own `inSync`. */
import { describe, expect, it } from "vitest";
import { type ComparedField, fieldValue, fieldValues, staleMask } from "../../src/reconcile/compared-fields.js";

interface Row {
  readonly name?: string | null;
  readonly tags?: readonly unknown[];
  readonly score?: number;
  readonly until?: string;
  readonly clampedTo?: string;
}

const FIELDS: readonly ComparedField<Row, Row>[] = [
  { name: "name", kind: "text", read: (r) => r.name },
  { name: "tags", kind: "set", read: (r) => r.tags },
  { name: "score", kind: "number", read: (r) => r.score },
  {
    name: "until",
    kind: "instant",
    read: (r) => r.until,
    // A target that clamps: a record is in sync with any later date than the one it holds as its clamp.
    inSync: (want, got, record) =>
      Number.isNaN(want) || got === want || (record.clampedTo !== undefined && got === Date.parse(record.clampedTo)),
  },
];

describe("compared fields", () => {
  it("text: absent, null and empty are one value; a different text is another", () => {
    expect(fieldValue("text", undefined)).toBe(fieldValue("text", ""));
    expect(fieldValue("text", null)).toBe(fieldValue("text", ""));
    expect(fieldValue("text", "a")).not.toBe(fieldValue("text", "b"));
  });

  it("set: order, repeats, empty and non-string members do not matter", () => {
    expect(fieldValue("set", ["b", "a", "a", "", 3])).toBe(fieldValue("set", ["a", "b"]));
    expect(fieldValue("set", undefined)).toBe(fieldValue("set", []));
    expect(fieldValue("set", ["a"])).not.toBe(fieldValue("set", ["a", "b"]));
  });

  it("number: kept as is, absent or not finite is -1; instant: epoch ms, absent is NaN", () => {
    expect(fieldValue("number", 75)).toBe(75);
    expect(fieldValue("number", Number.NaN)).toBe(-1);
    expect(fieldValue("number", "75")).toBe(-1);
    expect(fieldValue("instant", "2026-01-01T00:00:00Z")).toBe(Date.UTC(2026, 0, 1));
    expect(fieldValue("instant", undefined)).toBeNaN();
  });

  it("the stale mask names each differing field by its bit; the target's inSync decides its own field", () => {
    const expected: Row = { name: "x", tags: ["a", "b"], score: 50, until: "2026-06-01T00:00:00Z" };
    const values = fieldValues(FIELDS, expected);
    expect(staleMask(FIELDS, values, { ...expected, tags: ["b", "a"] })).toBe(0);
    expect(staleMask(FIELDS, values, { ...expected, name: "y", score: 10 })).toBe(0b0101);
    const clamped = { ...expected, until: "2026-03-01T00:00:00Z" };
    expect(staleMask(FIELDS, values, clamped)).toBe(0b1000);
    expect(staleMask(FIELDS, values, { ...clamped, clampedTo: "2026-03-01T00:00:00Z" })).toBe(0);
  });
});
