/**
 * @octi/connector-sdk: build OpenCTI stream connectors in TypeScript.
 * Each area has its own barrel; this file only re-exports them.
 */
import "reflect-metadata";

export * from "./config/index.js";
export * from "./http/index.js";
export * from "./logging/index.js";
export * from "./metrics/index.js";
export * from "./opencti/index.js";
export * from "./reconcile/index.js";
export * from "./runtime/index.js";
export * from "./sink/index.js";
export * from "./state/index.js";
export * from "./stix/index.js";
export * from "./stix-pattern/index.js";
export * from "./stream/index.js";
export * from "./target-index/index.js";
