export * from "./ack-tracker.js";
export * from "./stream-ids.js";
export * from "./stream-state.js";
