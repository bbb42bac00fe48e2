import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { objectPathToString, parsePattern, walkComparisons, walkObservations } from "../../src/stix-pattern/index.js";

const SPEC_EXAMPLES = readFileSync(new URL("../fixtures/stix-pattern-spec-examples.txt", import.meta.url), "utf8")
  .split(/\r?\n/)
  .filter((line) => line.trim() !== "" && !line.startsWith("#"));

describe("walkComparisons / walkObservations", () => {
  it("lists comparisons in source order across observations, groups and qualifiers", () => {
    const src =
      "([a:v = 1 OR (b:v = 2 AND c:v = 3)] FOLLOWEDBY [d:v = 4]) WITHIN 5 SECONDS AND [e:v = 5] REPEATS 2 TIMES";
    const ast = parsePattern(src);
    expect(walkComparisons(ast).map((c) => c.path.objectType)).toEqual(["a", "b", "c", "d", "e"]);
    expect(walkObservations(ast).map((o) => src.slice(o.start, o.end))).toEqual([
      "[a:v = 1 OR (b:v = 2 AND c:v = 3)]",
      "[d:v = 4]",
      "[e:v = 5]",
    ]);
  });

  it("accepts sub-expressions", () => {
    const ast = parsePattern("[a:v = 1 OR b:v = 2] AND [c:v = 3]");
    const [first] = walkObservations(ast.expression);
    expect(walkComparisons(first!.comparison).map((c) => c.path.objectType)).toEqual(["a", "b"]);
    expect(walkComparisons(first!)).toHaveLength(2);
  });

  it.each(SPEC_EXAMPLES)("finds every comparison of %s", (line) => {
    const comparisons = walkComparisons(parsePattern(line));
    // Each comparison starts with an object path followed by ':'; count them in the source outside strings.
    const withoutStrings = line.replace(/'(?:[^'\\]|\\.)*'/g, "''");
    const expected = withoutStrings.match(/[A-Za-z0-9_-]+:[A-Za-z_']/g)?.length ?? 0;
    expect(comparisons).toHaveLength(expected);
  });
});

describe("objectPathToString", () => {
  it.each(SPEC_EXAMPLES)("renders the paths of %s exactly as written", (line) => {
    for (const c of walkComparisons(parsePattern(line))) {
      expect(objectPathToString(c.path)).toBe(line.slice(c.path.start, c.path.end));
    }
  });

  it("renders indexes and escapes quoted names", () => {
    const src = "[x-c:'it\\'s'.'a\\\\b'.plain[0][-1][*].'SHA-256' = 1]";
    const [c] = walkComparisons(parsePattern(src));
    const text = objectPathToString(c!.path);
    expect(text).toBe("x-c:'it\\'s'.'a\\\\b'.plain[0][-1][*].'SHA-256'");
    expect(walkComparisons(parsePattern(`[${text} = 1]`))[0]!.path.steps).toEqual(c!.path.steps);
  });

  it("quotes names that cannot be written bare even when quoted is false", () => {
    expect(
      objectPathToString({
        objectType: "file",
        steps: [
          { kind: "property", name: "hashes", quoted: false },
          { kind: "property", name: "SHA-256", quoted: false },
          { kind: "property", name: "", quoted: false },
          { kind: "property", name: "1st", quoted: false },
          { kind: "property", name: "AND", quoted: false },
          { kind: "property", name: "true", quoted: false },
        ],
      }),
    ).toBe("file:hashes.'SHA-256'.''.'1st'.'AND'.'true'");
  });
});
