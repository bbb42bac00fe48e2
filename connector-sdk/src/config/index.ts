export * from "./build-schema.js";
export * from "./env-names.js";
export * from "./errors.js";
export * from "./load-config.js";
export * from "./redact.js";
export * from "./sdk-schema.js";
export * from "./types.js";
