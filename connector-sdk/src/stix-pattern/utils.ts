/**
 * Small helpers over the STIX pattern AST.
 *
 * Trees built from long `AND`/`OR`/`FOLLOWEDBY` chains are deep (one level per operand, leaning left), so every
 * walker here uses an explicit stack instead of recursion: a 50,000-operand chain is walked without exhausting the
 * JavaScript call stack. Callers writing their own visitors should do the same.
 */
import type {
  Comparison,
  ComparisonExpression,
  ObjectPath,
  Observation,
  ObservationExpression,
  Pattern,
} from "./ast.js";
import { isKeyword } from "./lexer.js";

type AnyExpression = Pattern | ObservationExpression | ComparisonExpression;

/**
 * Every comparison (`object-path [NOT] operator value`) under `node`, in source order.
 * Accepts a whole pattern, any observation expression or any comparison expression.
 */
export function walkComparisons(node: AnyExpression): Comparison[] {
  const out: Comparison[] = [];
  const stack: AnyExpression[] = [node];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    switch (current.kind) {
      case "comparison":
        out.push(current);
        break;
      case "pattern":
      case "observation-group":
      case "qualified":
      case "comparison-group":
        stack.push(current.expression);
        break;
      case "observation":
        stack.push(current.comparison);
        break;
      case "observation-binary":
      case "comparison-binary":
        // Right first so that the left operand is visited first (source order).
        stack.push(current.right, current.left);
        break;
    }
  }
  return out;
}

/** Every `[ ... ]` observation under `node`, in source order. */
export function walkObservations(node: Pattern | ObservationExpression): Observation[] {
  const out: Observation[] = [];
  const stack: (Pattern | ObservationExpression)[] = [node];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    switch (current.kind) {
      case "observation":
        out.push(current);
        break;
      case "pattern":
      case "observation-group":
      case "qualified":
        stack.push(current.expression);
        break;
      case "observation-binary":
        stack.push(current.right, current.left);
        break;
    }
  }
  return out;
}

/**
 * Renders an object path back to pattern syntax: `file:hashes.'SHA-256'`, `file:extensions.'x'.sections[*].entropy`.
 * Property names keep their quoting as parsed; a name that could not be written unquoted (empty, contains `-` or
 * other characters outside `[A-Za-z0-9_]`, starts with a digit, or is a keyword) is quoted even when `quoted` is
 * false. Quoted names escape `'` and `\` with a backslash.
 */
export function objectPathToString(path: Pick<ObjectPath, "objectType" | "steps">): string {
  const parts: string[] = [path.objectType, ":"];
  let first = true;
  for (const step of path.steps) {
    if (step.kind === "index") {
      parts.push("[", String(step.index), "]");
      continue;
    }
    if (!first) parts.push(".");
    parts.push(step.quoted || !isPlainPropertyName(step.name) ? quote(step.name) : step.name);
    first = false;
  }
  return parts.join("");
}

function isPlainPropertyName(name: string): boolean {
  if (name.length === 0 || isKeyword(name) || name === "true" || name === "false") return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
    const digit = c >= 0x30 && c <= 0x39;
    if (!(letter || (digit && i > 0))) return false;
  }
  return true;
}

function quote(name: string): string {
  const parts: string[] = ["'"];
  let segmentStart = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x27 || c === 0x5c) {
      // Emit the text so far plus a backslash; the quote/backslash itself starts the next segment.
      parts.push(name.slice(segmentStart, i), "\\");
      segmentStart = i;
    }
  }
  parts.push(name.slice(segmentStart), "'");
  return parts.join("");
}
