export * from "./metrics.js";
export * from "./server.js";
export * from "./stream-tally.js";
export * from "./types.js";
