export * from "./agents.js";
export * from "./retry.js";
export * from "./types.js";
