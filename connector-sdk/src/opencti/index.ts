export * from "./client.js";
export * from "./documents.js";
export * from "./errors.js";
