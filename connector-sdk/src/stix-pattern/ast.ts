/**
 * AST of a STIX 2.1 pattern (STIX 2.1 specification, section 9 "STIX Patterning").
 * Every node carries `start`/`end` character offsets into the source pattern so that
 * callers can point at the part they did not accept.
 */

export interface Span {
  /** Offset of the first character of the node in the pattern string. */
  readonly start: number;
  /** Offset one past the last character of the node. */
  readonly end: number;
}

/** A whole pattern: one observation expression tree. */
export interface Pattern extends Span {
  readonly kind: "pattern";
  readonly expression: ObservationExpression;
}

/** `a AND b`, `a OR b`, `a FOLLOWEDBY b` between observations (outside square brackets). */
export interface ObservationBinary extends Span {
  readonly kind: "observation-binary";
  readonly operator: "AND" | "OR" | "FOLLOWEDBY";
  readonly left: ObservationExpression;
  readonly right: ObservationExpression;
}

/** `( ... )` around observation expressions. */
export interface ObservationGroup extends Span {
  readonly kind: "observation-group";
  readonly expression: ObservationExpression;
}

/** An observation expression followed by a qualifier (`WITHIN`, `REPEATS`, `START ... STOP`). */
export interface QualifiedObservation extends Span {
  readonly kind: "qualified";
  readonly expression: ObservationExpression;
  readonly qualifier: Qualifier;
}

/** `[ comparison-expression ]` */
export interface Observation extends Span {
  readonly kind: "observation";
  readonly comparison: ComparisonExpression;
}

export type ObservationExpression = ObservationBinary | ObservationGroup | QualifiedObservation | Observation;

export type Qualifier =
  | (Span & { readonly kind: "within"; readonly seconds: number })
  | (Span & { readonly kind: "repeats"; readonly times: number })
  | (Span & { readonly kind: "start-stop"; readonly start_time: string; readonly stop_time: string });

/** `a AND b` / `a OR b` inside square brackets. */
export interface ComparisonBinary extends Span {
  readonly kind: "comparison-binary";
  readonly operator: "AND" | "OR";
  readonly left: ComparisonExpression;
  readonly right: ComparisonExpression;
}

/** `( ... )` around comparison expressions. */
export interface ComparisonGroup extends Span {
  readonly kind: "comparison-group";
  readonly expression: ComparisonExpression;
}

export type ComparisonOperator =
  | "="
  | "!="
  | ">"
  | "<"
  | ">="
  | "<="
  | "IN"
  | "LIKE"
  | "MATCHES"
  | "ISSUBSET"
  | "ISSUPERSET";

/** `object-path [NOT] operator value`, e.g. `file:hashes.'SHA-256' = '…'`. */
export interface Comparison extends Span {
  readonly kind: "comparison";
  readonly path: ObjectPath;
  readonly operator: ComparisonOperator;
  readonly negated: boolean;
  /** For `IN` the value is a `set` literal; otherwise a scalar literal. */
  readonly value: Literal;
}

export type ComparisonExpression = ComparisonBinary | ComparisonGroup | Comparison;

/** `object-type:property.path[0].'quoted key'[*]` */
export interface ObjectPath extends Span {
  /** The object type exactly as written, e.g. `file`, `x-usb-device`. */
  readonly objectType: string;
  /** Path steps after the colon, in order. The first step is always a `property`. */
  readonly steps: readonly PathStep[];
}

export type PathStep =
  /** A property name. `quoted` is true when written as `'SHA-256'`; `name` is then unquoted/unescaped. */
  | { readonly kind: "property"; readonly name: string; readonly quoted: boolean }
  /** A list index `[3]`, or `[*]` for any element. */
  | { readonly kind: "index"; readonly index: number | "*" };

export type Literal =
  | (Span & { readonly kind: "string"; readonly value: string })
  | (Span & { readonly kind: "int"; readonly value: number })
  | (Span & { readonly kind: "float"; readonly value: number })
  | (Span & { readonly kind: "bool"; readonly value: boolean })
  | (Span & { readonly kind: "binary"; readonly value: string /** base64 text as written */ })
  | (Span & { readonly kind: "hex"; readonly value: string /** hex digits as written */ })
  | (Span & { readonly kind: "timestamp"; readonly value: string /** RFC 3339 text as written */ })
  | (Span & { readonly kind: "set"; readonly values: readonly Literal[] });

/** Thrown by `parsePattern` on malformed input. `position` is the offending character offset. */
export class StixPatternError extends Error {
  override readonly name = "StixPatternError";
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position}`);
  }
}
