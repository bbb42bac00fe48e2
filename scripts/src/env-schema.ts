/**
 * `toEnvSchema`: the SDK's merged config schema (namespaces `opencti`, `connector`, `<connector>`) flattened into
 * OpenCTI's `connector_config_schema.json` form, one property per env var (`NAMESPACE_KEY`, upper case).
 *
 * - secrets (`writeOnly`) get `format: password` + `writeOnly: true`; other keywords are kept (URLs keep `format: uri`);
 *   our `x-*` extensions are dropped.
 * - `CONNECTOR_ID` is left out, as OpenCTI's generator does (the platform fills it for managed connectors).
 * - Deprecated env names (`x-env-aliases`) become their own properties with `deprecated: true` and a description
 *   naming the replacement, right after the property they alias, as OpenCTI's generator does for deprecated
 *   variables. Deprecated config.yml keys (`x-yaml-aliases`) have no env name; they are named in the description.
 * - Deterministic: namespaces and keys keep the schema's order, each property's keywords are sorted.
 */
import type { ConfigPropertySchema, ConfigSchema } from "@octi/connector-sdk";

export const JSON_SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema";

/** Env names the catalog schema never lists. */
export const OMITTED_ENV_NAMES: ReadonlySet<string> = new Set(["CONNECTOR_ID"]);

export type EnvPropertySchema = Readonly<Record<string, unknown>>;

export interface EnvSchema {
  readonly $schema: string;
  readonly $id: string;
  readonly type: "object";
  readonly properties: Readonly<Record<string, EnvPropertySchema>>;
  readonly required: readonly string[];
  readonly additionalProperties: true;
}

export function envName(namespace: string, key: string): string {
  return `${namespace}_${key}`.toUpperCase().replace(/-/g, "_");
}

export function schemaId(slug: string): string {
  return `https://www.filigran.io/connectors/${slug}_config.schema.json`;
}

function sortKeys(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = value[key];
  return out;
}

/** Keywords copied to a deprecated alias from the property it aliases (what the value must look like). */
const ALIAS_KEYWORDS = ["type", "items", "enum", "format", "minimum", "maximum", "minLength", "pattern"] as const;

function convertProperty(property: ConfigPropertySchema, namespace: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(property)) {
    if (key.startsWith("x-") || value === undefined) continue;
    out[key] =
      key === "items" && typeof value === "object" && value !== null
        ? sortKeys(value as Record<string, unknown>)
        : value;
  }
  if (property.writeOnly) {
    out.format = "password";
    out.writeOnly = true;
  }
  const yamlAliases = property["x-yaml-aliases"] ?? [];
  if (yamlAliases.length > 0) {
    const keys = yamlAliases.map((alias) => `\`${namespace}.${alias}\``).join(", ");
    out.description = `${property.description} Deprecated config.yml key${yamlAliases.length > 1 ? "s" : ""}: ${keys}.`;
  }
  return sortKeys(out);
}

function aliasProperty(property: ConfigPropertySchema, replacement: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ALIAS_KEYWORDS) if (property[key] !== undefined) out[key] = property[key];
  if (property.writeOnly) {
    out.format = "password";
    out.writeOnly = true;
  }
  out.deprecated = true;
  out.description = `Deprecated: use \`${replacement}\` instead.`;
  return sortKeys(out);
}

/** Flattens `schema` (from the SDK's `buildConfigSchema(plugin)`) for the connector `slug`. */
export function toEnvSchema(schema: ConfigSchema, slug: string): EnvSchema {
  const properties: Record<string, EnvPropertySchema> = {};
  const required: string[] = [];
  const define = (name: string, value: EnvPropertySchema) => {
    if (Object.hasOwn(properties, name))
      throw new Error(`env var ${name} is defined twice in the config schema of ${slug}`);
    properties[name] = value;
  };
  for (const [namespace, nsSchema] of Object.entries(schema.properties)) {
    const requiredKeys = new Set(nsSchema.required ?? []);
    for (const [key, property] of Object.entries(nsSchema.properties)) {
      const name = envName(namespace, key);
      if (OMITTED_ENV_NAMES.has(name)) continue;
      define(name, convertProperty(property, namespace));
      if (requiredKeys.has(key)) required.push(name);
      for (const alias of property["x-env-aliases"] ?? []) define(alias, aliasProperty(property, name));
    }
  }
  return {
    $schema: JSON_SCHEMA_DRAFT,
    $id: schemaId(slug),
    type: "object",
    properties,
    required,
    additionalProperties: true,
  };
}
