export * from "./keyed-diff.js";
export * from "./metrics.js";
export * from "./reconcile-queue.js";
export * from "./summary.js";
