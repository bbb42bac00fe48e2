export * from "./target-index.js";
