export * from "./metrics.js";
export * from "./server.js";
export * from "./types.js";
