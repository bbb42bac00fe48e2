export * from "./envelope.js";
export * from "./gate.js";
export * from "./live-stream.js";
export * from "./node-fetch.js";
export * from "./parse-envelope.js";
export * from "./snapshot.js";
