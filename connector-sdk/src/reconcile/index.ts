export * from "./keyed-diff.js";
export * from "./summary.js";
