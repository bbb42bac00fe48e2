/**
 * Test helpers: the OpenCTI simulator (a real HTTP server on loopback), STIX/envelope factories, an SSE test
 * client, and `runCli` (the entry of `opencti-simulator-cli.ts`, which also runs as a program).
 */
export {
  CONTROL_PREFIX,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_SIMULATOR_TOKEN,
  DEFAULT_STREAM_ID,
  GRAPHQL_MESSAGES,
  OPENCTI_ADMIN_USER_ID,
  OPENCTI_SIMULATOR_VERSION,
  SSE_STATUS,
  STIX_EXT_OCTI,
} from "./constants.js";
export { formatStreamId, parseStreamIdParts, type StreamIdParts } from "./event-log.js";
export type { SimulatedConnector, SimulatedUser } from "./graphql-api.js";
export { applyPatch, comparePatch, type JsonPatchOperation } from "./json-patch.js";
export {
  type GraphqlRequestRecord,
  OpenCtiSimulator,
  type OpenCtiSimulatorOptions,
  type SimulatedStreamOptions,
  type SimulatedStreamView,
  type SimulatedUserOptions,
  type StreamRequestRecord,
  type SyntheticFeed,
  type SyntheticFeedInfo,
} from "./opencti-simulator.js";
export { CLI_USAGE, type CliHandle, type CliIo, runCli } from "./opencti-simulator-cli.js";
export { openCtiSchema, resolveSchemaPath } from "./schema.js";
export { liveEnvelope, serializeLiveEnvelope } from "./sse-channel.js";
export {
  connectSse,
  parseSseText,
  type SseConnectOptions,
  type SseMessage,
  SseParser,
  type SseTestConnection,
} from "./sse-client.js";
export {
  createEvent,
  createMessage,
  deleteEvent,
  deleteMessage,
  entityLabel,
  type IndicatorExtension,
  type IndicatorOptions,
  indicatorStandardId,
  makeIdentity,
  makeIndicator,
  makeTlpMarking,
  mergeEvent,
  type OctiExtension,
  type PublishedEvent,
  type StixIndicator,
  type SyntheticIndicatorFeedOptions,
  seededUuid,
  syntheticIndicatorFeed,
  type TlpLevel,
  updateEvent,
  updateMessage,
  uuidV5,
} from "./stix-factory.js";
