export * from "./main.js";
export * from "./plugin.js";
export * from "./progress.js";
export * from "./runner.js";
export * from "./stream-flow.js";
export * from "./tokens.js";
