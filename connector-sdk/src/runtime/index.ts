export { type DeadLetterEvent, JsonLinesFile } from "./dead-letter.js";
export * from "./main.js";
export * from "./plugin.js";
export * from "./progress.js";
export * from "./runner.js";
export { DEFAULT_STATE_CADENCE, type StateCadence } from "./state-pusher.js";
export * from "./tokens.js";
