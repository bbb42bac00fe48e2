/**
 * Size checks: long operand chains must parse without recursion per operand, and inputs ten times larger than a
 * baseline must still parse. These assert results only (no timing).
 */
import { describe, expect, it } from "vitest";
import type { ComparisonExpression, ObservationExpression } from "../../src/stix-pattern/index.js";
import { parsePattern, walkComparisons, walkObservations } from "../../src/stix-pattern/index.js";

/** Number of nodes on the left spine (how deep a left-leaning chain is), measured iteratively. */
function leftSpine(node: ObservationExpression | ComparisonExpression): number {
  let depth = 0;
  let current: ObservationExpression | ComparisonExpression = node;
  while (current.kind === "observation-binary" || current.kind === "comparison-binary") {
    depth++;
    current = current.left;
  }
  return depth;
}

function comparisonChain(n: number, valueLength = 6): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`file:name = '${String(i).padStart(valueLength, "0")}'`);
  return `[${parts.join(" OR ")}]`;
}

function observationChain(n: number): string {
  const operators = ["AND", "OR", "FOLLOWEDBY"];
  const parts: string[] = [`[a:b = 0]`];
  for (let i = 1; i < n; i++) parts.push(operators[i % 3]!, `[a:b = ${i}]`);
  return parts.join(" ");
}

describe("parsePattern at scale", () => {
  it.each([5_000, 50_000])("parses an OR chain of %i comparisons in one observation", (n) => {
    const src = comparisonChain(n);
    const ast = parsePattern(src, { maxLength: src.length });
    const [observation] = walkObservations(ast);
    expect(observation).toBeDefined();
    expect(leftSpine(observation!.comparison)).toBe(n - 1);
    const comparisons = walkComparisons(ast);
    expect(comparisons).toHaveLength(n);
    expect(comparisons[0]!.value).toMatchObject({ kind: "string", value: "000000" });
    expect(comparisons[n - 1]!.value).toMatchObject({ kind: "string", value: String(n - 1).padStart(6, "0") });
    expect(ast.end).toBe(src.length);
  });

  it.each([5_000, 50_000])("parses a chain of %i observations mixing AND, OR and FOLLOWEDBY", (n) => {
    const src = observationChain(n);
    const ast = parsePattern(src, { maxLength: src.length });
    const observations = walkObservations(ast);
    expect(observations).toHaveLength(n);
    expect(observations[n - 1]!.start).toBe(src.length - `[a:b = ${n - 1}]`.length);
    expect(walkComparisons(ast).map((c) => c.value)).toHaveLength(n);
  });

  it("parses an input ten times the default maxLength when the limit is raised", () => {
    const src = comparisonChain(50_000, 40);
    expect(src.length).toBeGreaterThan(10 * 262_144);
    const ast = parsePattern(src, { maxLength: src.length });
    expect(walkComparisons(ast)).toHaveLength(50_000);
  });

  it("parses a string literal ten times the default maxLength with many escapes", () => {
    const chunk = "ab\\'cd\\\\";
    const repeats = Math.ceil((10 * 262_144) / chunk.length);
    const src = `[a:b = '${chunk.repeat(repeats)}']`;
    const [comparison] = walkComparisons(parsePattern(src, { maxLength: src.length }));
    const value = comparison!.value;
    if (value.kind !== "string") throw new Error("expected a string literal");
    expect(value.value).toHaveLength(repeats * 6);
    expect(value.value.startsWith("ab'cd\\ab'cd\\")).toBe(true);
  });
});
