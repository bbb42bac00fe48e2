import { describe, expect, it } from "vitest";
import { parsePattern, StixPatternError } from "../../src/stix-pattern/index.js";
import { expectParseError, shape } from "./helpers.js";

describe("parsePattern: malformed input", () => {
  // [pattern, position, fragments the reason must contain]
  it.each<[string, number, string[]]>([
    // lexical errors
    ["[file:hashes.MD5 = 'abc]", 19, ["unterminated string literal"]],
    ["[a:b = 'x\\']", 7, ["unterminated string literal"]],
    ["[file:hashes.MD5 == 'abc']", 17, ["'=='", "use '='"]],
    ["[a:b <> 1]", 5, ["'<>'", "'!='"]],
    ["[a:b ! 1]", 5, ["unexpected character '!'"]],
    ["[a:b =? 1]", 6, ["unexpected character '?'"]],
    ["[a:b = \u0007]", 7, ["unexpected character U+0007"]],
    ["[a:b = 01]", 7, ["leading zeros"]],
    ["[a:b = 1e5]", 8, ["invalid number literal", "'e'"]],
    ["[a:b = 1.]", 9, ["expected a digit after '.'"]],
    ["[a:b = - 1]", 7, ["expected a number after the sign"]],
    ["[a:b = 99999999999999999999]", 7, ["safe integer range"]],
    ["[a:b = t'2014-13-01T00:00:00Z']", 14, ["invalid timestamp literal", "month must be 01-12"]],
    ["[a:b = t'2014-01-32T00:00:00Z']", 17, ["day must be 01-31"]],
    ["[a:b = t'2014-01-01T24:00:00Z']", 20, ["hour must be 00-23"]],
    ["[a:b = t'2014-01-01T00:60:00Z']", 23, ["minute must be 00-59"]],
    ["[a:b = t'2014-01-01T00:00:61Z']", 26, ["second must be 00-60"]],
    ["[a:b = t'2014-01-01 00:00:00Z']", 19, ["invalid timestamp literal", "YYYY-MM-DDTHH:MM:SS"]],
    ["[a:b = t'2014-01-01T00:00:00']", 28, ["'Z' is required"]],
    ["[a:b = t'2014-01-01T00:00:00+01:00']", 28, ["'Z' is required"]],
    ["[a:b = t'2014-01-01T00:00:00.Z']", 29, ["invalid timestamp literal"]],
    ["[a:b = t'2014-01-01T00:00:00ZZ']", 29, ["invalid timestamp literal"]],
    ["[a:b = t'not-a-timestamp']", 9, ["invalid timestamp literal"]],
    ["[a:b = t'2014-01-01T00:00:00Z]", 7, ["unterminated timestamp literal"]],
    ["[a:b = b'====']", 9, ["invalid binary literal", "'=' padding"]],
    ["[a:b = b'abc']", 7, ["invalid binary literal", "multiple of 4"]],
    ["[a:b = b'abcde===']", 14, ["invalid binary literal", "'=' padding may only follow"]],
    ["[a:b = b'abcdef===']", 17, ["at most two '='"]],
    ["[a:b = b'abcdef=']", 7, ["multiple of 4"]],
    ["[a:b = b'']", 7, ["empty base64"]],
    ["[a:b = b'ab=c']", 12, ["invalid binary literal"]],
    ["[a:b = h'abc']", 7, ["odd number of hex digits"]],
    ["[a:b = h'zz']", 9, ["'z' is not a hex digit"]],
    // structure
    ["", 0, ["expected '[' or '(' but found end of pattern"]],
    ["   ", 3, ["expected '[' or '(' but found end of pattern"]],
    ["garbage", 0, ["expected '[' or '(' but found identifier 'garbage'"]],
    ["file:name = 'x'", 0, ["expected '[' or '('", "square brackets"]],
    ["[a:b = 'x'", 10, ["expected AND, OR or ']' but found end of pattern"]],
    ["[a:b = 'x')", 10, ["expected AND, OR or ']' but found ')'"]],
    ["[a:b = 'x'] ]", 12, ["expected AND, OR, FOLLOWEDBY, a qualifier", "end of pattern but found ']'"]],
    ["([a:b = 'x']", 12, ["or ')' but found end of pattern"]],
    ["[a:b = 'x'] WITHIN SECONDS", 19, ["expected a non-negative number of seconds after WITHIN", "keyword SECONDS"]],
    ["[a:b = 1] WITHIN -5 SECONDS", 17, ["non-negative number of seconds"]],
    ["[a:b = 1] WITHIN 5 HOURS", 19, ["expected SECONDS", "identifier 'HOURS'"]],
    ["[a:b = 1] WITHIN 5", 18, ["expected SECONDS", "end of pattern"]],
    ["[a:b = 1] REPEATS 2.5 TIMES", 18, ["non-negative integer after REPEATS", "number 2.5"]],
    ["[a:b = 1] REPEATS 2", 19, ["expected TIMES"]],
    [
      "[a:b = 1] START '2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z'",
      16,
      ["timestamp literal t'...' after START"],
    ],
    ["[a:b = 1] START t'2016-06-01T01:30:00Z'", 39, ["expected STOP"]],
    ["[a:b = 1] START t'2016-06-01T01:30:00Z' STOP 5", 45, ["timestamp literal t'...' after STOP"]],
    ["[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", 27, ["duplicate WITHIN qualifier"]],
    ["[a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES", 26, ["duplicate REPEATS qualifier"]],
    ["[a:b = 'x' and c:d = 'y']", 11, ["expected AND, OR or ']' but found identifier 'and'", "write AND"]],
    ["[a:b = 'x'] and [c:d = 'y']", 12, ["identifier 'and'", "write AND"]],
    ["[a:b = 'x'] followedby [c:d = 'y']", 12, ["write FOLLOWEDBY"]],
    ["[foo:bar = 1] within 2 seconds", 14, ["write WITHIN"]],
    ["[a:b = TRUE]", 7, ["booleans are lower-case"]],
    ["[a:b in ('x')]", 5, ["NOT or a comparison operator", "write IN"]],
    ["[file:size = ]", 13, ["expected a literal value after '='", "found ']'"]],
    ["[file.size = 1280]", 5, ["expected ':' after the object type", "found '.'"]],
    ["[file:hashes.MD5 = cead3f77]", 19, ["expected a literal value after '='", "identifier 'cead3f77'"]],
    ["[file:hashes.SHA-256 = 'x']", 13, ["property name 'SHA-256' contains '-'", "quoted"]],
    ["[file:hashes. = 'x']", 14, ["expected a property name after '.'"]],
    ["[file: = 'x']", 7, ["expected a property name after ':'"]],
    ["[file:a[x] = 'x']", 8, ["expected a list index"]],
    ["[file:a[1.5] = 'x']", 8, ["expected a list index"]],
    ["[file:a[1 = 'x']", 10, ["expected ']' after the list index"]],
    ["[AND:a = 1]", 1, ["expected an object path or '('", "keyword AND"]],
    ["[a:b NOT 'x']", 9, ["after NOT"]],
    ["[a:b 'x']", 5, ["NOT or a comparison operator"]],
    ["[a:b LIKE 5]", 10, ["expected a string literal after LIKE"]],
    ["[a:b MATCHES h'ff']", 13, ["expected a string literal after MATCHES"]],
    ["[a:b ISSUBSET ('x')]", 14, ["expected a string literal after ISSUBSET"]],
    ["[a:b > true]", 7, ["expected an orderable literal"]],
    ["[a:b = ('x')]", 7, ["expected a literal value after '='"]],
    ["[a:b IN 'x']", 8, ["'(' to start the set"]],
    ["[a:b IN ('x' 'y')]", 13, ["',' or ')' in the set"]],
    ["[a:b IN ('x',)]", 13, ["a literal value in the set"]],
    ["[a:b IN (('x'))]", 9, ["a literal value in the set"]],
    ["[]", 1, ["expected an object path or '(' but found ']'"]],
    ["[a:b = 1 AND]", 12, ["expected an object path or '('"]],
    ["[a:b = 1] AND", 13, ["expected '[' or '(' but found end of pattern"]],
    ["[a:b = 'x'] FOLLOWEDBY", 22, ["expected '[' or '('"]],
    ["[EXISTS a:b]", 1, ["EXISTS is not supported"]],
    ["()", 1, ["expected '[' or '(' but found ')'"]],
    ["[a:b = 1] /* comment */", 10, ["unexpected character '/'"]],
  ])("rejects %j at position %i", (pattern, position, fragments) => {
    expectParseError(pattern, position, fragments);
  });

  it("reports the first error in source order", () => {
    // The '==' comes before the unterminated string: the lexer is pulled lazily by the parser.
    expectParseError("[a:b == 'x", 5, ["'=='"]);
    expectParseError("garbage 'unterminated", 0, ["expected '[' or '('"]);
  });

  it("truncates long tokens in messages", () => {
    const long = "x".repeat(500);
    const error = expectParseError(`[a:b = 'x' '${long}']`, 11, ["but found string literal 'xxx"]);
    expect(error.reason).not.toContain("x".repeat(60));
  });

  it("rejects a non-string input with a StixPatternError", () => {
    expect(() => parsePattern(undefined as unknown as string)).toThrow(StixPatternError);
  });

  it("accepts repeated qualifiers of the same kind on a parenthesised group (as the reference validator does)", () => {
    expect(shape(parsePattern("([a:b = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS"))).toBe(
      "(WITHIN 6 (WITHIN 5 {[a:b =]}))",
    );
  });
});

describe("parsePattern: limits", () => {
  it("rejects a pattern longer than maxLength at position maxLength, naming the limit", () => {
    expectParseError("[a:b = 'x']", 5, ["maxLength", "5", "11 characters"], { maxLength: 5 });
  });

  it("accepts exactly the default maxLength (262144) and rejects one more character", () => {
    const body = (n: number) => `[a:b = '${"x".repeat(n - 10)}']`;
    expect(body(262_144)).toHaveLength(262_144);
    expect(parsePattern(body(262_144)).kind).toBe("pattern");
    expectParseError(body(262_145), 262_144, ["maxLength", "262144"]);
  });

  it("accepts 100 nesting levels by default and rejects 101 at the offending delimiter", () => {
    const observation = (n: number) => `${"(".repeat(n)}[a:b = 1]${")".repeat(n)}`;
    expect(parsePattern(observation(99)).kind).toBe("pattern"); // 99 parentheses + 1 bracket = 100
    expectParseError(observation(100), 100, ["maxDepth", "100"]);

    const comparison = (n: number) => `[${"(".repeat(n)}a:b = 1${")".repeat(n)}]`;
    expect(parsePattern(comparison(99)).kind).toBe("pattern");
    expectParseError(comparison(100), 100, ["maxDepth"]);
  });

  it("honours a custom maxDepth", () => {
    const nested = `${"(".repeat(150)}[a:b = 1]${")".repeat(150)}`;
    expectParseError(nested, 100, ["maxDepth"]);
    expect(parsePattern(nested, { maxDepth: 151 }).kind).toBe("pattern");
    expectParseError("([a:b = 1])", 1, ["maxDepth limit of 1"], { maxDepth: 1 });
  });

  it("turns 100,000 nested '(' into a StixPatternError, not a stack overflow", () => {
    const error = expectParseError("(".repeat(100_000), 100, ["maxDepth"]);
    expect(error).not.toBeInstanceOf(RangeError);
  });

  it("still answers with a StixPatternError when a huge maxDepth lets the nesting exhaust the stack", () => {
    let caught: unknown;
    try {
      parsePattern("(".repeat(200_000), { maxDepth: 1_000_000, maxLength: 1_000_000 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StixPatternError);
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects the invalid option value %s", (value) => {
    expect(() => parsePattern("[a:b = 1]", { maxDepth: value })).toThrow(RangeError);
    expect(() => parsePattern("[a:b = 1]", { maxLength: value })).toThrow(RangeError);
  });
});
