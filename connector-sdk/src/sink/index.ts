export * from "./indicator-handler.js";
export * from "./metrics.js";
export * from "./pacer.js";
export * from "./plan.js";
export * from "./refusals.js";
export * from "./sink-queue.js";
export * from "./types.js";
