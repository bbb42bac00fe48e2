import { createScrubber } from "../logging/scrub.js";
import { type Coerced, coerceValue } from "./coerce.js";
import { envName, yamlPath } from "./env-names.js";
import { type ConfigProblem, ConfigValidationError, type ValueOrigin } from "./errors.js";
import { collectSecrets, headerValues } from "./redact.js";
import { SDK_CONFIG_SCHEMA } from "./sdk-schema.js";
import { locateConfigFiles, readDotenvFile, readYamlFile, yamlSection } from "./sources.js";
import type { ConfigPropertySchema, ConfigSchema, ConfigSource } from "./types.js";
import { unknownEnvWarnings, yamlKeySuggestion } from "./unknown-names.js";
import { sampleValueProblem, schemaProblems } from "./validate.js";

export {
  CONFIG_FILE_ENV,
  CONFIG_FILE_NAME,
  configSearchDirs,
  DOTENV_FILE_NAME,
  type LocatedFiles,
  locateConfigFiles,
  parseDotenv,
} from "./sources.js";

export interface LoadConfigOptions<C> {
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Directories searched, in order, for `config.yml` and, separately, for `.env`; the first directory holding the
   * file wins. Default: the current directory.
   */
  readonly searchDirs?: readonly string[];
  /**
   * An explicit config.yml, used instead of searching for one (`.env` is still searched). Without it, the env var
   * `CONNECTOR_CONFIG_FILE` plays the same role. A named file that does not exist is a problem.
   */
  readonly configFile?: string;
  /** Cross-field rules, run once every setting is valid on its own; each returned string is one problem. */
  readonly crossFieldRules?: (config: C) => readonly string[];
}

export interface LoadedConfig<C> {
  readonly config: C;
  /** Where each resolved value came from, by env var name (settings with no value at all are absent). */
  readonly sources: Readonly<Record<string, ConfigSource>>;
  /** Every secret value of the config (`writeOnly` settings, header values of `x-header-list` ones), for scrubbing. */
  readonly secrets: readonly string[];
  readonly schema: ConfigSchema;
  /** Not errors: unknown config.yml keys in known sections, deprecated names in use. */
  readonly warnings: readonly string[];
  /** The config.yml and .env files that were read. */
  readonly files: { readonly yaml?: string; readonly dotenv?: string };
}

type Env = Readonly<Record<string, string | undefined>>;

interface RawValue {
  readonly source: Exclude<ConfigSource, "default">;
  readonly value: unknown;
  /** The env name or config.yml key actually read (differs from the main one for an alias). */
  readonly via: string;
}

/** `""` (env, .env, config.yml) and YAML `null` mean "not set": the lookup goes on to the next source. */
function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

function lookup(
  ns: string,
  key: string,
  prop: ConfigPropertySchema,
  env: Env,
  nsYaml: Readonly<Record<string, unknown>>,
  dotenv: Readonly<Record<string, string>>,
): RawValue | undefined {
  const names = [envName(ns, key), ...(prop["x-env-aliases"] ?? [])];
  for (const name of names) {
    const value = env[name];
    if (!isUnset(value)) return { source: "env", value, via: name };
  }
  for (const k of [key, ...(prop["x-yaml-aliases"] ?? [])]) {
    const value = nsYaml[k];
    if (!isUnset(value)) return { source: "config.yml", value, via: k };
  }
  for (const name of names) {
    const value = dotenv[name];
    if (!isUnset(value)) return { source: ".env", value, via: name };
  }
  return undefined;
}

/** Strings are matched case-insensitively against a string enum and take the schema's spelling (`INFO` → `info`). */
function canonicalEnum(value: unknown, prop: ConfigPropertySchema): unknown {
  if (typeof value !== "string" || !prop.enum) return value;
  const lower = value.trim().toLowerCase();
  return prop.enum.find((e) => typeof e === "string" && e.toLowerCase() === lower) ?? value;
}

/** Raw values of secret settings, from every source and name, so no problem message can echo one. */
function rawSecrets(
  schema: ConfigSchema,
  env: Env,
  doc: Readonly<Record<string, unknown>>,
  dotenv: Readonly<Record<string, string>>,
): string[] {
  const out: string[] = [];
  for (const [ns, nsSchema] of Object.entries(schema.properties)) {
    const section = doc[ns] ?? doc[ns.replace(/_/g, "-")];
    const nsYaml = typeof section === "object" && section !== null ? (section as Record<string, unknown>) : {};
    for (const [key, prop] of Object.entries(nsSchema.properties)) {
      if (!prop.writeOnly && !prop["x-header-list"]) continue;
      const names = [envName(ns, key), ...(prop["x-env-aliases"] ?? [])];
      const values: unknown[] = [
        ...names.map((n) => env[n]),
        ...names.map((n) => dotenv[n]),
        ...[key, ...(prop["x-yaml-aliases"] ?? [])].map((k) => nsYaml[k]),
      ];
      for (const value of values) {
        // The sample value is no secret: it must stay readable in "is still the sample value 'ChangeMe'".
        if (typeof value !== "string" || value.trim() === "" || value.trim().toLowerCase() === "changeme") continue;
        if (prop["x-header-list"]) out.push(...headerValues(value));
        else out.push(value);
      }
    }
  }
  return out;
}

/**
 * Loads a connector's configuration.
 *
 * Sources, highest precedence first: process env vars (`NS_KEY`, then the `x-env-aliases`), config.yml
 * (`ns: { key }`, then the `x-yaml-aliases`), `.env` (same names as the env), the schema defaults. Unlike the
 * connectors-sdk, which reads config.yml *or* .env, both files are read when both exist (config.yml wins).
 * A value that is `""` (or YAML `null`) anywhere counts as not set, so the lookup continues to the next source
 * and ends at the default (pycti also maps `""` to the default, but without looking at config.yml first).
 * Values are converted by the schema type (see `coerceValue`), enums matched case-insensitively, then the
 * whole config is validated with ajv (JSON Schema 2020-12, all errors) and the cross-field rules.
 *
 * Throws one `ConfigValidationError` listing every problem, each by env var and config.yml path, with no
 * secret value in it, each naming where its value came from (env var, config.yml key and file, .env, default).
 * Warnings (returned, and listed in the error too): unknown config.yml keys and sections, env vars under the
 * connector's prefixes that are no setting (with the closest known name; see `unknownEnvWarnings`), old names.
 * A setting set to an invalid value still counts as set for the cross-field rules, so it gives one problem.
 */
export function loadConfig<C>(schema: ConfigSchema, options: LoadConfigOptions<C> = {}): LoadedConfig<C> {
  const env: Env = options.env ?? process.env;
  const searchDirs = options.searchDirs ?? [process.cwd()];
  const fileProblems: ConfigProblem[] = [];
  const warnings: string[] = [];

  const files = locateConfigFiles(searchDirs, env, options.configFile, fileProblems);
  const doc = files.yaml ? readYamlFile(files.yaml, fileProblems) : {};
  const dotenv = files.dotenv ? readDotenvFile(files.dotenv, fileProblems) : {};

  const config: Record<string, Record<string, unknown>> = {};
  const sources: Record<string, ConfigSource> = {};
  const fieldProblems = new Map<string, ConfigProblem>();
  const order: string[] = [];
  // Where each value was read (also for values found invalid), so a problem names its real source.
  const origins = new Map<string, ValueOrigin>();
  // Settings set to an invalid value: cross-field rules still see them as set (one bad value, one problem).
  const invalidRaw: Record<string, Record<string, unknown>> = {};
  const markInvalid = (ns: string, key: string, value: unknown) => {
    invalidRaw[ns] = { ...invalidRaw[ns], [key]: value };
  };
  const settingOf = new Map<string, { readonly ns: string; readonly key: string }>();

  for (const [ns, nsSchema] of Object.entries(schema.properties)) {
    const nsYaml = yamlSection(doc, ns, files.yaml, fileProblems);
    const values: Record<string, unknown> = {};
    const known: string[] = [];
    for (const [key, prop] of Object.entries(nsSchema.properties)) {
      known.push(key, ...(prop["x-yaml-aliases"] ?? []));
      const name = envName(ns, key);
      order.push(name);
      settingOf.set(name, { ns, key });
      const raw = lookup(ns, key, prop, env, nsYaml, dotenv);
      let coerced: Coerced;
      if (raw) {
        origins.set(name, {
          source: raw.source,
          name: raw.source === "config.yml" ? yamlPath(ns, raw.via) : raw.via,
          ...(raw.source === "config.yml" && files.yaml ? { file: files.yaml } : {}),
          ...(raw.source === ".env" && files.dotenv ? { file: files.dotenv } : {}),
        });
        coerced = coerceValue(raw.value, prop);
        if (raw.source === "config.yml" && raw.via !== key) {
          warnings.push(`config.yml key ${ns}.${raw.via} is a deprecated name: use ${yamlPath(ns, key)}`);
        } else if (raw.source !== "config.yml" && raw.via !== name) {
          warnings.push(`${raw.via} is a deprecated name: use ${name}`);
        }
      } else if (prop.default !== undefined) {
        origins.set(name, { source: "default", name });
        coerced = coerceValue(prop.default, prop);
        if (!coerced.ok) coerced = { ok: false, message: `has an invalid default in the schema (${coerced.message})` };
      } else continue;
      if (!coerced.ok) {
        fieldProblems.set(name, { envVar: name, yamlPath: yamlPath(ns, key), message: coerced.message });
        markInvalid(ns, key, raw?.value);
        continue;
      }
      const value = canonicalEnum(coerced.value, prop);
      const sample = sampleValueProblem(ns, key, prop, value);
      if (sample) {
        fieldProblems.set(name, sample);
        markInvalid(ns, key, value);
        continue;
      }
      values[key] = value;
      sources[name] = raw ? raw.source : "default";
    }
    for (const key of Object.keys(nsYaml)) {
      if (!known.includes(key))
        warnings.push(`Unknown config.yml key ${ns}.${key} is ignored${yamlKeySuggestion(key, known, ns)}`);
    }
    config[ns] = values;
  }
  const namespaces = Object.keys(schema.properties);
  for (const section of Object.keys(doc)) {
    if (namespaces.includes(section) || namespaces.includes(section.replace(/-/g, "_"))) continue;
    // Other tools may keep sections in the same file: only one close to a namespace is taken for a typo.
    const closest = yamlKeySuggestion(section, namespaces, "").replace("mean .", "mean ");
    if (closest !== "") warnings.push(`Unknown config.yml section ${section} is ignored${closest}`);
  }
  const sdkNamespaces = Object.keys(SDK_CONFIG_SCHEMA.properties);
  warnings.push(...unknownEnvWarnings(schema, Object.keys(env), "Environment variable", sdkNamespaces));
  if (files.dotenv)
    warnings.push(...unknownEnvWarnings(schema, Object.keys(dotenv), `${files.dotenv}:`, sdkNamespaces));

  for (const [name, problem] of schemaProblems(schema, config, new Set(fieldProblems.keys()))) {
    fieldProblems.set(name, problem);
    const setting = settingOf.get(name);
    if (setting && problem.message !== "is required") {
      markInvalid(setting.ns, setting.key, config[setting.ns]?.[setting.key]);
    }
  }
  const problems: ConfigProblem[] = [
    ...fileProblems,
    ...order.flatMap((name) => {
      const problem = fieldProblems.get(name);
      if (!problem) return [];
      const origin = origins.get(name);
      return [origin && problem.message !== "is required" ? { ...problem, origin } : problem];
    }),
  ];
  // Cross-field rules run even when other settings are wrong, so one start-up lists every problem. A rule that
  // throws because a setting it reads is already reported adds nothing; on a valid config its throw is a problem.
  if (options.crossFieldRules) {
    const alreadyInvalid = problems.length > 0;
    try {
      const ruleConfig: Record<string, Record<string, unknown>> = {};
      for (const ns of namespaces) ruleConfig[ns] = { ...config[ns], ...invalidRaw[ns] };
      for (const message of options.crossFieldRules(ruleConfig as C))
        problems.push({ envVar: "", yamlPath: "", message });
    } catch (error) {
      if (!alreadyInvalid) {
        problems.push({
          envVar: "",
          yamlPath: "",
          message: `a cross-field rule failed: ${(error as Error)?.message ?? String(error)}`,
        });
      }
    }
  }
  if (problems.length > 0) {
    const scrub = createScrubber(rawSecrets(schema, env, doc, dotenv));
    throw new ConfigValidationError(
      problems.map((p) => ({ ...p, message: scrub.text(p.message) })),
      { warnings, files },
    );
  }
  return {
    config: config as C,
    sources,
    secrets: collectSecrets(config, schema),
    schema,
    warnings,
    files,
  };
}
