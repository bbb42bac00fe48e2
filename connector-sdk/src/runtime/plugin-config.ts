/**
 * A plugin's configuration, loaded the one way the runner and every tool load it: the merged schema validated, the
 * plugin's cross-field rules run on its namespace, then its `resolve` applied (decision 0014).
 */
import { buildConfigSchema } from "../config/build-schema.js";
import type { FromSchema } from "../config/from-schema.js";
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from "../config/load-config.js";
import type { BaseConfig, NamespaceSchema } from "../config/types.js";
import type { ConnectorPlugin, StreamEventHandler } from "./plugin.js";

export interface LoadedPluginConfig<S extends NamespaceSchema, R> extends LoadedConfig<BaseConfig> {
  /** The connector's namespace as validated (defaults applied). */
  readonly values: FromSchema<S>;
  /** The same, after the plugin's `resolve`. */
  readonly settings: R;
}

/** Throws `ConfigValidationError` listing every problem (settings and cross-field rules). */
export function loadPluginConfig<S extends NamespaceSchema, R, H extends StreamEventHandler>(
  plugin: ConnectorPlugin<S, R, H>,
  options: Omit<LoadConfigOptions<BaseConfig>, "crossFieldRules"> = {},
): LoadedPluginConfig<S, R> {
  const { namespace } = plugin.manifest;
  // The loader checked the namespace against the schema `FromSchema<S>` is derived from.
  const valuesOf = (config: Readonly<Record<string, unknown>>) => config[namespace] as FromSchema<S>;
  const loaded = loadConfig<BaseConfig & Readonly<Record<string, unknown>>>(buildConfigSchema(plugin), {
    ...options,
    ...(plugin.crossFieldRules
      ? { crossFieldRules: (config) => plugin.crossFieldRules?.(valuesOf(config)) ?? [] }
      : {}),
  });
  const values = valuesOf(loaded.config);
  return { ...loaded, values, settings: plugin.resolve(values) };
}
