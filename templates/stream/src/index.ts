/**
 * The __TITLE__ connector, as a plugin of the SDK. The SDK owns the lifecycle (config, registration in OpenCTI,
 * state, live stream, logging, metrics, shutdown); the plugin says what the config is, which services exist, and
 * which handler receives the events (src/handler.ts: the state each object should reach; src/queue.ts sends it).
 */
import "reflect-metadata";
import { createRequire } from "node:module";
import type { ConnectorPlugin } from "@octi/connector-sdk";
import { __ENV_PREFIX___CLIENT, Http__PASCAL_NAME__Client } from "./client.js";
import { type __PASCAL_NAME__Config, configSchema, NAMESPACE } from "./config-schema.js";
import { __PASCAL_NAME__Handler } from "./handler.js";
import { registerQueue } from "./queue.js";

export {
  __ENV_PREFIX___CLIENT,
  type __PASCAL_NAME__Client,
  type __PASCAL_NAME__Item,
  type __PASCAL_NAME__Page,
  type __PASCAL_NAME__Record,
} from "./client.js";
export { type __PASCAL_NAME__Config, type __PASCAL_NAME__Settings, configSchema, NAMESPACE } from "./config-schema.js";
export { __PASCAL_NAME__Handler, SUPPORTED_TYPES, toItem } from "./handler.js";
export { __ENV_PREFIX___QUEUE } from "./queue.js";
export { __PASCAL_NAME__Target, desired, fingerprint } from "./target.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

export const plugin: ConnectorPlugin<__PASCAL_NAME__Config> = {
  slug: "__SLUG__",
  namespace: NAMESPACE,
  configSchema,
  // Defaults for the SDK's own settings (CONNECTOR_NAME, CONNECTOR_SCOPE); users can still override them.
  configDefaults: { connector: { name: "__TITLE__", scope: ["indicator"] } },
  version,
  // Services live in the run's child container; nothing here may touch the network.
  register: (container, config) => {
    container.registerSingleton(__ENV_PREFIX___CLIENT, Http__PASCAL_NAME__Client);
    registerQueue(container, config);
  },
  // Resolved from the same container, with its constructor's @inject(...) tokens.
  handler: __PASCAL_NAME__Handler,
};
