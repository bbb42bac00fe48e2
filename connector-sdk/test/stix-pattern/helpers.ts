import { expect } from "vitest";
import type { ComparisonExpression, ObservationExpression, Pattern } from "../../src/stix-pattern/index.js";
import { parsePattern, StixPatternError } from "../../src/stix-pattern/index.js";

/**
 * Compact S-expression of a (small) tree, for structural assertions:
 * observations print as `[...]`, comparisons as `type:path op`, qualifiers as `(WITHIN 5 x)`.
 */
export function shape(node: Pattern | ObservationExpression | ComparisonExpression): string {
  switch (node.kind) {
    case "pattern":
      return shape(node.expression);
    case "observation-binary":
    case "comparison-binary":
      return `(${node.operator} ${shape(node.left)} ${shape(node.right)})`;
    case "observation-group":
    case "comparison-group":
      return `{${shape(node.expression)}}`;
    case "qualified": {
      const q = node.qualifier;
      const text =
        q.kind === "within"
          ? `WITHIN ${q.seconds}`
          : q.kind === "repeats"
            ? `REPEATS ${q.times}`
            : `START ${q.start_time} STOP ${q.stop_time}`;
      return `(${text} ${shape(node.expression)})`;
    }
    case "observation":
      return `[${shape(node.comparison)}]`;
    case "comparison": {
      const steps = node.path.steps
        .map((s) => (s.kind === "index" ? `[${s.index}]` : s.quoted ? `.'${s.name}'` : `.${s.name}`))
        .join("")
        .replace(/^\./, "");
      return `${node.path.objectType}:${steps}${node.negated ? " NOT" : ""} ${node.operator}`;
    }
  }
}

/** Asserts that parsing fails with a StixPatternError at `position` whose reason contains every `fragments`. */
export function expectParseError(
  pattern: string,
  position: number,
  fragments: readonly string[],
  options?: Parameters<typeof parsePattern>[1],
): StixPatternError {
  let caught: unknown;
  try {
    parsePattern(pattern, options);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StixPatternError);
  const error = caught as StixPatternError;
  expect(error.position).toBe(position);
  for (const fragment of fragments) expect(error.reason).toContain(fragment);
  expect(error.message).toBe(`${error.reason} at position ${position}`);
  return error;
}
