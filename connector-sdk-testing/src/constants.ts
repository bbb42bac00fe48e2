/** Fixed values of the OpenCTI simulator (protocol facts from opencti-platform.md, plus the simulator's defaults). */

/** `about { version }` answers this unless `version` is given. */
export const OPENCTI_SIMULATOR_VERSION = "6.9.17";

/** Token accepted when `token` is not given. It has the BYPASS ("admin") capability. */
export const DEFAULT_SIMULATOR_TOKEN = "opencti-test-token";

/** The one started live-stream collection created when `streams` is not given (a UUID, as in OpenCTI). */
export const DEFAULT_STREAM_ID = "5f3e2a1b-7c4d-4e8f-9a0b-1c2d3e4f5a6b";

/** OpenCTI's heartbeat period (`app:live_stream:heartbeat_period`). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;

/** The OpenCTI property extension carrying score, detection, main_observable_type, created_at/updated_at… */
export const STIX_EXT_OCTI = "extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba";

/** OpenCTI's built-in admin user (`OPENCTI_ADMIN_UUID`): connector_user_id / creator_ids of the default token. */
export const OPENCTI_ADMIN_USER_ID = "88ec0c6a-13ce-5e39-b486-354fe4a7084f";

/** Prefix of the simulator's control routes (enabled with `controlApi: handleControlRequest`, always on in the CLI). */
export const CONTROL_PREFIX = "/__sim";

/** Status lines of the live-stream route (opencti-platform.md §1), bodies are empty. */
export const SSE_STATUS = {
  notAuthenticated: "You are not authenticated, please check your credentials",
  notAuthorized: "You are not authorized, please check your credentials",
  stopped: "This live stream is stopped",
  genericBypassOnly: "Consume generic stream is only authorized for bypass user",
} as const;

/** GraphQL error messages (opencti-platform.md §3). */
export const GRAPHQL_MESSAGES = {
  authRequired: "You must be logged in to do this.",
  forbidden: "You are not allowed to do this.",
  connectorNotFound: "No connector found with the specified ID",
} as const;
