export * from "./build-schema.js";
export { type Coerced, coerceValue, parseBooleanString } from "./coerce.js";
export * from "./env-names.js";
export * from "./errors.js";
export * from "./load-config.js";
export * from "./redact.js";
export * from "./sdk-schema.js";
export * from "./types.js";
export { isHttpUrl } from "./validate.js";
