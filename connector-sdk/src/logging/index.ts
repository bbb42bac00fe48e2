export * from "./logger.js";
export * from "./scrub.js";
export * from "./types.js";
