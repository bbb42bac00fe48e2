/**
 * The __TITLE__ connector, as a plugin of the SDK. The SDK owns the lifecycle (config, registration in OpenCTI,
 * state, live stream, logging, metrics, shutdown); the plugin says what the config is and builds the handler that
 * receives the events (src/handler.ts: the state each object should reach; src/queue.ts sends it).
 */
import { createRequire } from "node:module";
import { definePlugin, type PluginContext } from "@octi/connector-sdk";
import { type __PASCAL_NAME__Client, Http__PASCAL_NAME__Client } from "./client.js";
import { type __PASCAL_NAME__Settings, configSchema, NAMESPACE } from "./config-schema.js";
import { __PASCAL_NAME__Handler } from "./handler.js";
import { createQueue } from "./queue.js";

export {
  type __PASCAL_NAME__Client,
  type __PASCAL_NAME__Item,
  type __PASCAL_NAME__Page,
  type __PASCAL_NAME__Record,
  Http__PASCAL_NAME__Client,
} from "./client.js";
export { type __PASCAL_NAME__Config, type __PASCAL_NAME__Settings, configSchema, NAMESPACE } from "./config-schema.js";
export { __PASCAL_NAME__Handler, SUPPORTED_TYPES, toItem } from "./handler.js";
export { createQueue } from "./queue.js";
export { __PASCAL_NAME__Target, desired, fingerprint } from "./target.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** The run's handler and the services behind it; nothing here may touch the network (tests pass a fake client). */
export function createHandler(
  ctx: PluginContext<__PASCAL_NAME__Settings>,
  client: __PASCAL_NAME__Client = new Http__PASCAL_NAME__Client(ctx.settings, ctx.agents),
): __PASCAL_NAME__Handler {
  return new __PASCAL_NAME__Handler(createQueue(ctx, client), ctx.logger);
}

export const plugin = definePlugin({
  // Defaults for the SDK's own settings (CONNECTOR_NAME, CONNECTOR_SCOPE); users can still override them.
  manifest: {
    slug: "__SLUG__",
    namespace: NAMESPACE,
    version,
    connectorDefaults: { name: "__TITLE__", scope: ["indicator"] },
  },
  configSchema,
  createHandler: (ctx) => createHandler(ctx),
});
