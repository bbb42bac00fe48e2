/**
 * The values a namespace schema describes, as a type: a connector writes its schema once (`as const satisfies
 * NamespaceSchema`) and its settings type follows it, so the schema, the loader and the code cannot drift apart.
 * A key is present when it is required or has a default; others are optional.
 */
import type { NamespaceSchema } from "./types.js";

type ValueOf<P> = P extends { readonly type: "string"; readonly enum: readonly (infer E)[] }
  ? E
  : P extends { readonly type: "string" }
    ? string
    : P extends { readonly type: "integer" | "number" }
      ? number
      : P extends { readonly type: "boolean"; readonly "x-or-path": true }
        ? boolean | string
        : P extends { readonly type: "boolean" }
          ? boolean
          : P extends { readonly type: "array"; readonly items: { readonly type: "integer" } }
            ? readonly number[]
            : P extends { readonly type: "array" }
              ? readonly string[]
              : never;

type Props<S extends NamespaceSchema> = S["properties"];
type RequiredKey<S extends NamespaceSchema> = S["required"] extends readonly (infer K)[] ? K : never;
type PresentKey<S extends NamespaceSchema> = {
  [K in keyof Props<S>]: K extends RequiredKey<S> ? K : Props<S>[K] extends { readonly default: unknown } ? K : never;
}[keyof Props<S>];

type Flatten<T> = { readonly [K in keyof T]: T[K] };

export type FromSchema<S extends NamespaceSchema> = Flatten<
  { readonly [K in PresentKey<S>]: ValueOf<Props<S>[K]> } & {
    readonly [K in Exclude<keyof Props<S>, PresentKey<S>>]?: ValueOf<Props<S>[K]>;
  }
>;
