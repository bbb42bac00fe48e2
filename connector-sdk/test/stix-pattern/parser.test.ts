import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Comparison, Literal, Observation, PathStep } from "../../src/stix-pattern/index.js";
import { parsePattern, walkComparisons } from "../../src/stix-pattern/index.js";
import { shape } from "./helpers.js";

const FIXTURE = new URL("../fixtures/stix-pattern-spec-examples.txt", import.meta.url);
const SPEC_EXAMPLES = readFileSync(FIXTURE, "utf8")
  .split(/\r?\n/)
  .filter((line) => line.trim() !== "" && !line.startsWith("#"));

/** The single comparison of a `[ ... ]` pattern. */
function onlyComparison(pattern: string): Comparison {
  const comparisons = walkComparisons(parsePattern(pattern));
  expect(comparisons).toHaveLength(1);
  return comparisons[0]!;
}

function literalOf(pattern: string): Literal {
  return onlyComparison(pattern).value;
}

describe("parsePattern: STIX 2.1 specification examples", () => {
  it("reads a non-trivial fixture", () => {
    expect(SPEC_EXAMPLES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(SPEC_EXAMPLES)("parses %s", (line) => {
    const ast = parsePattern(line);
    expect(ast.kind).toBe("pattern");
    expect(ast.start).toBe(0);
    expect(ast.end).toBe(line.trimEnd().length);
    expect(walkComparisons(ast).length).toBeGreaterThan(0);
  });

  it("gives the spec's regex example one literal backslash per written pair", () => {
    const line = SPEC_EXAMPLES.find((l) => l.includes("MATCHES '.+\\\\@example"));
    expect(line).toBeDefined();
    const [from] = walkComparisons(parsePattern(line!));
    expect(from!.value).toMatchObject({ kind: "string", value: ".+\\@example\\.com$" });
  });

  it("accepts an operator keyword directly followed by a string (MATCHES'...')", () => {
    const line = SPEC_EXAMPLES.find((l) => l.includes("MATCHES'"));
    expect(line).toBeDefined();
    const comparisons = walkComparisons(parsePattern(line!));
    expect(comparisons[1]!.value).toMatchObject({
      kind: "string",
      value: "^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$",
    });
  });
});

describe("parsePattern: AST shape", () => {
  it("builds a full comparison node with spans", () => {
    const src = "[file:hashes.'SHA-256' = 'abc']";
    const ast = parsePattern(src);
    expect(ast).toEqual({
      kind: "pattern",
      start: 0,
      end: 31,
      expression: {
        kind: "observation",
        start: 0,
        end: 31,
        comparison: {
          kind: "comparison",
          start: 1,
          end: 30,
          negated: false,
          operator: "=",
          path: {
            objectType: "file",
            start: 1,
            end: 22,
            steps: [
              { kind: "property", name: "hashes", quoted: false },
              { kind: "property", name: "SHA-256", quoted: true },
            ],
          },
          value: { kind: "string", value: "abc", start: 25, end: 30 },
        },
      },
    });
  });

  it("ignores whitespace around the pattern and uses the expression's span", () => {
    const ast = parsePattern("  \n[a:b = 1]\t ");
    expect(ast.start).toBe(3);
    expect(ast.end).toBe(12);
  });

  it("accepts tabs, newlines, CR and no-break spaces between tokens", () => {
    const ast = parsePattern("[\n\tfile:name\r\n=\u00a0'x'\n]\nAND\t[ a : b . c = 1 ]");
    expect(shape(ast)).toBe("(AND [file:name =] [a:b.c =])");
  });

  it("parses chained qualifiers innermost first, with spans", () => {
    const src = "[a:b = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS";
    const ast = parsePattern(src);
    expect(shape(ast)).toBe("(WITHIN 1800 (REPEATS 5 [a:b =]))");
    const outer = ast.expression;
    if (outer.kind !== "qualified") throw new Error("expected a qualified observation");
    expect(outer.qualifier).toEqual({ kind: "within", seconds: 1800, start: 26, end: 45 });
    expect([outer.start, outer.end]).toEqual([0, 45]);
    const inner = outer.expression;
    if (inner.kind !== "qualified") throw new Error("expected a qualified observation");
    expect(inner.qualifier).toEqual({ kind: "repeats", times: 5, start: 10, end: 25 });
    expect([inner.start, inner.end]).toEqual([0, 25]);
  });

  it("parses START/STOP qualifiers and fractional WITHIN seconds", () => {
    const ast = parsePattern(
      "[a:b = 1] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00Z' WITHIN 2.5 SECONDS",
    );
    expect(shape(ast)).toBe("(WITHIN 2.5 (START 2016-06-01T01:30:00.123Z STOP 2016-06-01T02:20:00Z [a:b =]))");
  });

  it("binds a qualifier to the observation or group right before it", () => {
    expect(shape(parsePattern("[a:x = 1] AND [b:x = 2] WITHIN 5 SECONDS"))).toBe("(AND [a:x =] (WITHIN 5 [b:x =]))");
    expect(shape(parsePattern("([a:x = 1] AND [b:x = 2]) WITHIN 5 SECONDS"))).toBe(
      "(WITHIN 5 {(AND [a:x =] [b:x =])})",
    );
    expect(shape(parsePattern("[a:x = 1] FOLLOWEDBY [b:x = 2] WITHIN 300 SECONDS"))).toBe(
      "(FOLLOWEDBY [a:x =] (WITHIN 300 [b:x =]))",
    );
  });

  it("gives observation operators the precedence AND > OR > FOLLOWEDBY", () => {
    expect(shape(parsePattern("[a:x = 1] FOLLOWEDBY [b:x = 1] OR [c:x = 1] AND [d:x = 1]"))).toBe(
      "(FOLLOWEDBY [a:x =] (OR [b:x =] (AND [c:x =] [d:x =])))",
    );
    expect(shape(parsePattern("[a:x = 1] AND [b:x = 1] OR [c:x = 1] FOLLOWEDBY [d:x = 1]"))).toBe(
      "(FOLLOWEDBY (OR (AND [a:x =] [b:x =]) [c:x =]) [d:x =])",
    );
  });

  it("makes every binary operator left-associative", () => {
    expect(shape(parsePattern("[a:x = 1] OR [b:x = 1] OR [c:x = 1]"))).toBe("(OR (OR [a:x =] [b:x =]) [c:x =])");
    expect(shape(parsePattern("[a:x = 1] FOLLOWEDBY [b:x = 1] FOLLOWEDBY [c:x = 1]"))).toBe(
      "(FOLLOWEDBY (FOLLOWEDBY [a:x =] [b:x =]) [c:x =])",
    );
    expect(shape(parsePattern("[a:x = 1 AND b:x = 1 AND c:x = 1]"))).toBe("[(AND (AND a:x = b:x =) c:x =)]");
  });

  it("gives AND precedence over OR inside brackets, and honours grouping", () => {
    expect(shape(parsePattern("[a:x = 1 OR a:y = 2 AND a:z = 3]"))).toBe("[(OR a:x = (AND a:y = a:z =))]");
    expect(shape(parsePattern("[(a:x = 1 OR a:y = 2) AND a:z = 3]"))).toBe("[(AND {(OR a:x = a:y =)} a:z =)]");
    expect(shape(parsePattern("([a:x = 1] OR [a:y = 2]) AND [a:z = 3]"))).toBe("(AND {(OR [a:x =] [a:y =])} [a:z =])");
    expect(
      shape(parsePattern("( [(network-traffic:dst_port IN(443,6443) AND network-traffic:src_packets != 0) ])")),
    ).toBe("{[{(AND network-traffic:dst_port IN network-traffic:src_packets !=)}]}");
  });

  it("keeps the group spans", () => {
    const ast = parsePattern("([a:x = 1])");
    expect(ast.expression).toMatchObject({ kind: "observation-group", start: 0, end: 11 });
    const observation = (ast.expression as { expression: Observation }).expression;
    expect(observation).toMatchObject({ kind: "observation", start: 1, end: 10 });
  });

  it.each([
    ["[file:name NOT = 'x']", "=", "x"],
    ["[file:name NOT != 'x']", "!=", "x"],
    ["[file:name NOT LIKE 'x%']", "LIKE", "x%"],
    ["[file:name NOT MATCHES '^x']", "MATCHES", "^x"],
    ["[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']", "ISSUBSET", "10.0.0.0/8"],
    ["[ipv4-addr:value NOT ISSUPERSET '10.0.0.0/8']", "ISSUPERSET", "10.0.0.0/8"],
  ])("parses NOT before the operator: %s", (src, operator, value) => {
    const c = onlyComparison(src);
    expect(c.negated).toBe(true);
    expect(c.operator).toBe(operator);
    expect(c.value).toMatchObject({ kind: "string", value });
  });

  it("parses NOT before ordering operators", () => {
    expect(onlyComparison("[file:size NOT > 10]")).toMatchObject({ negated: true, operator: ">" });
    expect(onlyComparison("[file:size < 10]")).toMatchObject({ negated: false, operator: "<" });
    expect(onlyComparison("[file:size >= 10]")).toMatchObject({ operator: ">=" });
    expect(onlyComparison("[file:size <= 10]")).toMatchObject({ operator: "<=" });
  });

  it("parses IN sets of mixed primitive literals, with spans", () => {
    const c = onlyComparison("[a:b NOT IN ('x', 1, -2.5, true, h'ff')]");
    expect(c.negated).toBe(true);
    expect(c.operator).toBe("IN");
    expect(c.value).toEqual({
      kind: "set",
      start: 12,
      end: 39,
      values: [
        { kind: "string", value: "x", start: 13, end: 16 },
        { kind: "int", value: 1, start: 18, end: 19 },
        { kind: "float", value: -2.5, start: 21, end: 25 },
        { kind: "bool", value: true, start: 27, end: 31 },
        { kind: "hex", value: "ff", start: 33, end: 38 },
      ],
    });
  });

  it("parses IN with no whitespace and the empty set", () => {
    expect(literalOf("[file:size IN(1024,2048)]")).toMatchObject({
      kind: "set",
      values: [{ value: 1024 }, { value: 2048 }],
    });
    expect(literalOf("[file:size IN ()]")).toMatchObject({ kind: "set", values: [] });
  });

  it("parses quoted keys, escapes in keys, and list indexes", () => {
    const c = onlyComparison("[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]");
    expect(c.path.steps).toEqual<PathStep[]>([
      { kind: "property", name: "extensions", quoted: false },
      { kind: "property", name: "windows-pebinary-ext", quoted: true },
      { kind: "property", name: "sections", quoted: false },
      { kind: "index", index: "*" },
      { kind: "property", name: "entropy", quoted: false },
    ]);
    expect(c.value).toMatchObject({ kind: "float", value: 7 });

    expect(onlyComparison("[x-custom:'it\\'s'.'a\\\\b'[0][-1][*] = 1]").path).toEqual({
      objectType: "x-custom",
      start: 1,
      end: 34,
      steps: [
        { kind: "property", name: "it's", quoted: true },
        { kind: "property", name: "a\\b", quoted: true },
        { kind: "index", index: 0 },
        { kind: "index", index: -1 },
        { kind: "index", index: "*" },
      ],
    });
  });

  it("keeps object types as written (mixed case, underscores, x- prefix)", () => {
    expect(onlyComparison("[X_Whatever:detected = 1]").path.objectType).toBe("X_Whatever");
    expect(onlyComparison("[x-usb-device:serial = 1]").path.objectType).toBe("x-usb-device");
  });
});

describe("parsePattern: OpenCTI hash keys", () => {
  it.each([
    ["[file:hashes.MD5 = 'x']", "MD5", false],
    ["[file:hashes.'SHA-256' = 'x']", "SHA-256", true],
    ["[file:hashes.'SHA-1' = 'x']", "SHA-1", true],
    ["[file:hashes.SHA256 = 'x']", "SHA256", false],
    ["[file:hashes.sha256 = 'x']", "sha256", false],
    ["[file:hashes.'sha-256' = 'x']", "sha-256", true],
    ["[file:hashes.'SHA3-512' = 'x']", "SHA3-512", true],
  ])("%s", (src, name, quoted) => {
    const c = onlyComparison(src);
    expect(c.path.objectType).toBe("file");
    expect(c.path.steps).toEqual([
      { kind: "property", name: "hashes", quoted: false },
      { kind: "property", name, quoted },
    ]);
  });
});

describe("parsePattern: literals", () => {
  it.each<[string, Literal["kind"], unknown]>([
    ["'plain'", "string", "plain"],
    ["''", "string", ""],
    ["'it\\'s'", "string", "it's"],
    ["'a\\\\b'", "string", "a\\b"],
    ["'ends with \\\\'", "string", "ends with \\"],
    ["'C:\\Windows\\x'", "string", "C:\\Windows\\x"],
    ["'multi\nline'", "string", "multi\nline"],
    ["0", "int", 0],
    ["42", "int", 42],
    ["+42", "int", 42],
    ["-42", "int", -42],
    ["-0", "int", 0],
    ["9007199254740991", "int", 9007199254740991],
    ["3.25", "float", 3.25],
    ["-0.5", "float", -0.5],
    [".5", "float", 0.5],
    ["+.5", "float", 0.5],
    ["007.5", "float", 7.5],
    ["true", "bool", true],
    ["false", "bool", false],
    ["b'dGhpcyBpcyBhIHRlc3Q='", "binary", "dGhpcyBpcyBhIHRlc3Q="],
    ["b'YQ=='", "binary", "YQ=="],
    ["b'+/+/'", "binary", "+/+/"],
    ["h'ffd8'", "hex", "ffd8"],
    ["h'AbCd'", "hex", "AbCd"],
    ["h''", "hex", ""],
    ["t'2014-01-13T07:03:17Z'", "timestamp", "2014-01-13T07:03:17Z"],
    ["t'2016-12-31T23:59:60.123456Z'", "timestamp", "2016-12-31T23:59:60.123456Z"],
  ])("parses %s", (text, kind, value) => {
    const literal = literalOf(`[a:b = ${text}]`);
    expect(literal).toEqual({ kind, value, start: 7, end: 7 + text.length });
  });
});
