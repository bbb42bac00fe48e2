import { SDK_CONFIG_SCHEMA } from "./sdk-schema.js";
import type { ConfigPropertySchema, ConfigSchema, ConfigSpec, NamespaceSchema } from "./types.js";

/**
 * The whole schema of a connector: the SDK's `opencti` and `connector` namespaces, then the connector's own
 * namespace, with the connector's default overrides applied to `connector.*` (a key given a default is no
 * longer required, e.g. `name`). Throws (a programming error, not a config error) when the namespace collides
 * with the SDK's or an override names a key the SDK does not have.
 */
export function buildConfigSchema(plugin: ConfigSpec): ConfigSchema {
  const { namespace, connectorDefaults } = plugin.manifest;
  const sdkNamespaces = Object.keys(SDK_CONFIG_SCHEMA.properties);
  if (sdkNamespaces.includes(namespace)) {
    throw new Error(`The connector namespace "${namespace}" is reserved by the SDK (${sdkNamespaces.join(", ")})`);
  }
  const connector = SDK_CONFIG_SCHEMA.properties.connector as NamespaceSchema;
  const overrides = connectorDefaults ?? {};
  const connectorProps: Record<string, ConfigPropertySchema> = { ...connector.properties };
  for (const [key, value] of Object.entries(overrides)) {
    const prop = connectorProps[key];
    if (!prop) {
      throw new Error(`manifest.connectorDefaults.${key}: the SDK has no setting connector.${key}`);
    }
    if (value !== undefined) connectorProps[key] = { ...prop, default: value };
  }
  const required = (connector.required ?? []).filter((k) => connectorProps[k]?.default === undefined);
  return {
    type: "object",
    required: [...(SDK_CONFIG_SCHEMA.required ?? []), namespace],
    properties: {
      opencti: SDK_CONFIG_SCHEMA.properties.opencti as NamespaceSchema,
      connector: { ...connector, properties: connectorProps, required },
      [namespace]: plugin.configSchema,
    },
  };
}
