/** Classify, then build a target payload per classified value: what a connector does with one indicator. */
import type { StixObject } from "../stream/envelope.js";
import type { ClassifiedIoc, Classifier, ClassifyOptions, Skip } from "./classifier.js";

export type IndicatorMapping<P> = { readonly kind: "iocs"; readonly payloads: readonly P[] } | Skip;

export type IndicatorMapper<P, O> = (indicator: StixObject, options: O & ClassifyOptions) => IndicatorMapping<P>;

export function createMapper<T extends string, P, O>(
  classify: Classifier<T>,
  build: (indicator: StixObject, ioc: ClassifiedIoc<T>, options: O) => P,
): IndicatorMapper<P, O> {
  return (indicator, options) => {
    const classified = classify(indicator, options);
    if (classified.kind === "skip") return classified;
    return { kind: "iocs", payloads: classified.iocs.map((ioc) => build(indicator, ioc, options)) };
  };
}
