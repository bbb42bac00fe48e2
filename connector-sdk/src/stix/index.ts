/**
 * Classifying OpenCTI indicators through a table of rows (decisions 0010, 0016): a connector lists its rows (a STIX
 * comparison from `STIX_COMPARISONS` or its own, plus its target type) and gets a classifier that returns the IOCs
 * or a skip with a stable reason; the field readers give the rest of the indicator.
 *
 * ```ts
 * const TABLE = patternTable([{ ...STIX_COMPARISONS.ipv4, iocType: "IPV4" }, { ...STIX_COMPARISONS.url, iocType: "URL" }]);
 * const classify = createClassifier(TABLE); // classify(indicator) → { kind: "iocs", iocs } | { kind: "skip", reason, detail }
 * ```
 */
export {
  type Classification,
  type ClassifiedIoc,
  type Classifier,
  type ClassifyOptions,
  createClassifier,
  SKIP_REASONS,
  type Skip,
  type SkipReason,
} from "./classifier.js";
export { STIX_COMPARISONS } from "./comparisons.js";
export {
  isoTimestamp,
  isRevoked,
  nonEmptyString,
  OPENCTI_EXTENSION,
  openCtiScore,
  stringList,
  timestampMs,
} from "./indicator-fields.js";
export { createMapper, type IndicatorMapper, type IndicatorMapping } from "./mapper.js";
export {
  type ComparisonRule,
  hashKey,
  type KeyMatcher,
  type PathSteps,
  type PatternRow,
  patternTable,
  property,
  type TableType,
  type ValueRule,
} from "./rows.js";
export {
  DOMAIN_NAME,
  hexHash,
  IPV4_ADDRESS,
  IPV6_ADDRESS,
  URL_VALUE,
} from "./value-rules.js";
