/**
 * STIX 2.1 patterning: parse indicator patterns (`pattern_type: "stix"`) into a typed AST.
 *
 * ```ts
 * const ast = parsePattern("[file:hashes.'SHA-256' = 'aec0…'] WITHIN 300 SECONDS");
 * for (const c of walkComparisons(ast)) console.log(objectPathToString(c.path), c.operator, c.value);
 * ```
 */
export * from "./ast.js";
export {
  DEFAULT_MAX_PATTERN_DEPTH,
  DEFAULT_MAX_PATTERN_LENGTH,
  type ParsePatternOptions,
  parsePattern,
} from "./parser.js";
export { objectPathToString, walkComparisons, walkObservations } from "./utils.js";
