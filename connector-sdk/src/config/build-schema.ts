import type { ConnectorPlugin } from "../runtime/plugin.js";
import { SDK_CONFIG_SCHEMA } from "./sdk-schema.js";
import type { ConfigPropertySchema, ConfigSchema, NamespaceSchema } from "./types.js";

/** The whole schema of a connector: SDK namespaces + the connector's own, with its default overrides. */
export function buildConfigSchema(
  plugin: Pick<ConnectorPlugin, "namespace" | "configSchema" | "configDefaults">,
): ConfigSchema {
  const connector = SDK_CONFIG_SCHEMA.properties.connector as NamespaceSchema;
  const overrides = plugin.configDefaults?.connector ?? {};
  const connectorProps: Record<string, ConfigPropertySchema> = { ...connector.properties };
  for (const [key, value] of Object.entries(overrides)) {
    const prop = connectorProps[key];
    if (prop) connectorProps[key] = { ...prop, default: value };
  }
  // A default name makes `name` optional.
  const required = (connector.required ?? []).filter((k) => connectorProps[k]?.default === undefined);
  return {
    type: "object",
    required: [...(SDK_CONFIG_SCHEMA.required ?? []), plugin.namespace],
    properties: {
      opencti: SDK_CONFIG_SCHEMA.properties.opencti as NamespaceSchema,
      connector: { ...connector, properties: connectorProps, required },
      [plugin.namespace]: plugin.configSchema,
    },
  };
}
