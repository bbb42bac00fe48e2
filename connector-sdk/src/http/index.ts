export * from "./agents.js";
export * from "./json-client.js";
export * from "./json-scan.js";
export * from "./retry.js";
export * from "./target-error.js";
export * from "./types.js";
