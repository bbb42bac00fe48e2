export {
  CONSOLE_USER,
  type ConsoleAddOptions,
  type ConsoleEdit,
  ConsoleError,
  type ConsoleMatch,
  SimulatorConsole,
} from "./console-control.js";
export * from "./errors.js";
export { parseJsonPreservingBigInts } from "./json.js";
export { DEFAULT_RATE_LIMIT } from "./rate-limit.js";
export { EXPIRY_DAYS, effectiveValidUntil } from "./records.js";
export {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_API_TOKEN,
  DEFAULT_GROUP_ID,
  DEFAULT_SITE_ID,
  DEFAULT_TOKENS,
  DEFAULT_USER,
} from "./scope.js";
export { API_PREFIX, IOCS_PATH, IOCS_STIX_PATH, parseAuthorization, SentinelOneSimulator } from "./server.js";
export { parseStixPattern } from "./stix.js";
export { formatMicros, parseDateTime } from "./time.js";
export * from "./types.js";
export { checkValue, EMPTY_FILE_HASHES } from "./values.js";
