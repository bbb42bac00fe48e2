import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import yaml from "js-yaml";
import { envName, yamlPath } from "./env-names.js";
import { type ConfigProblem, ConfigValidationError } from "./errors.js";
import { collectSecrets } from "./redact.js";
import type { ConfigPropertySchema, ConfigSchema, ConfigSource } from "./types.js";

export interface LoadConfigOptions<C> {
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directories searched, in order, for `config.yml` and for `.env` (default: the current directory). */
  readonly searchDirs?: readonly string[];
  /** An explicit config.yml (also `CONNECTOR_CONFIG_FILE` in the env). */
  readonly configFile?: string;
  /** Cross-field rules, run once every value is valid on its own. */
  readonly crossFieldRules?: (config: C) => readonly string[];
}

export interface LoadedConfig<C> {
  readonly config: C;
  /** Where each value came from, by env var name. */
  readonly sources: Readonly<Record<string, ConfigSource>>;
  readonly secrets: readonly string[];
  readonly schema: ConfigSchema;
  readonly warnings: readonly string[];
  /** The config.yml and .env files that were read. */
  readonly files: { readonly yaml?: string; readonly dotenv?: string };
}

// pycti's exact strings, then the connectors-sdk's (pydantic) lax ones, compared case-insensitively.
const TRUE_STRINGS = new Set(["yes", "true", "on", "1", "t", "y"]);
const FALSE_STRINGS = new Set(["no", "false", "off", "0", "f", "n"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads a connector's configuration: env vars > config.yml > .env > defaults (pycti's names and
 * precedence), coerces env strings by the schema's types, validates, and throws one
 * `ConfigValidationError` listing every problem.
 */
export function loadConfig<C>(schema: ConfigSchema, options: LoadConfigOptions<C> = {}): LoadedConfig<C> {
  const env = options.env ?? process.env;
  const dirs = options.searchDirs ?? [process.cwd()];
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const explicit = options.configFile ?? nonEmpty(env.CONNECTOR_CONFIG_FILE);
  const yamlFile = explicit ?? dirs.map((d) => join(d, "config.yml")).find((f) => existsSync(f));
  const dotenvFile = dirs.map((d) => join(d, ".env")).find((f) => existsSync(f));
  let yamlDoc: Record<string, unknown> = {};
  if (yamlFile) {
    try {
      const parsed = yaml.load(readFileSync(yamlFile, "utf8"), { schema: yaml.JSON_SCHEMA });
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the document is not a mapping");
        yamlDoc = parsed as Record<string, unknown>;
      }
    } catch (error) {
      problems.push({ envVar: "config.yml", yamlPath: "", message: `${yamlFile} cannot be read: ${(error as Error).message.split("\n")[0]}` });
    }
  }
  const dotenv = dotenvFile ? parseDotenv(readFileSync(dotenvFile, "utf8")) : {};

  const config: Record<string, Record<string, unknown>> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const [ns, nsSchema] of Object.entries(schema.properties)) {
    const nsYaml = yamlSection(yamlDoc, ns, problems);
    const values: Record<string, unknown> = {};
    const known = new Set<string>();
    for (const [key, prop] of Object.entries(nsSchema.properties)) {
      known.add(key);
      for (const alias of prop["x-yaml-aliases"] ?? []) known.add(alias);
      const name = envName(ns, key);
      const where = { envVar: name, yamlPath: yamlPath(ns, key) };
      const raw = lookup(ns, key, prop, env, nsYaml, dotenv);
      if (raw.source === "default") {
        if (prop.default !== undefined) {
          values[key] = prop.default;
          sources[name] = "default";
        }
        continue;
      }
      const coerced = coerce(raw.value, prop);
      if (coerced.error) {
        problems.push({ ...where, message: coerced.error });
        continue;
      }
      if (coerced.value === undefined) {
        if (prop.default !== undefined) values[key] = prop.default;
        sources[name] = "default";
        continue;
      }
      values[key] = coerced.value;
      sources[name] = raw.source;
    }
    for (const key of Object.keys(nsYaml)) {
      if (!known.has(key)) warnings.push(`Unknown config.yml key ${ns}.${key} is ignored`);
    }
    for (const key of nsSchema.required ?? []) {
      if (values[key] === undefined && !problems.some((p) => p.envVar === envName(ns, key))) {
        problems.push({ envVar: envName(ns, key), yamlPath: yamlPath(ns, key), message: "is required" });
      }
    }
    config[ns] = values;
  }

  problems.push(...sampleValueProblems(schema, config, problems), ...schemaProblems(schema, config, problems));
  if (problems.length === 0 && options.crossFieldRules) {
    for (const message of options.crossFieldRules(config as C)) problems.push({ envVar: "", yamlPath: "", message });
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return {
    config: config as C,
    sources,
    secrets: collectSecrets(config, schema),
    schema,
    warnings,
    files: { ...(yamlFile ? { yaml: yamlFile } : {}), ...(dotenvFile ? { dotenv: dotenvFile } : {}) },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** A namespace's section of config.yml; `sentinelone-intel` is accepted for `sentinelone_intel`. */
function yamlSection(doc: Record<string, unknown>, ns: string, problems: ConfigProblem[]): Record<string, unknown> {
  const section = doc[ns] ?? doc[ns.replace(/_/g, "-")];
  if (section === undefined || section === null) return {};
  if (typeof section !== "object" || Array.isArray(section)) {
    problems.push({ envVar: ns.toUpperCase(), yamlPath: ns, message: "must be a mapping of keys to values in config.yml" });
    return {};
  }
  return section as Record<string, unknown>;
}

function lookup(
  ns: string,
  key: string,
  prop: ConfigPropertySchema,
  env: Readonly<Record<string, string | undefined>>,
  nsYaml: Record<string, unknown>,
  dotenv: Record<string, string>,
): { source: ConfigSource; value?: unknown } {
  const names = [envName(ns, key), ...(prop["x-env-aliases"] ?? [])];
  for (const name of names) {
    const value = env[name];
    // pycti: a variable set to "" means "use the default", without looking at config.yml.
    if (value !== undefined) return value === "" ? { source: "default" } : { source: "env", value };
  }
  for (const k of [key, ...(prop["x-yaml-aliases"] ?? [])]) {
    const value = nsYaml[k];
    if (value !== undefined && value !== null && value !== "") return { source: "config.yml", value };
  }
  for (const name of names) {
    const value = dotenv[name];
    if (value !== undefined && value !== "") return { source: ".env", value };
  }
  return { source: "default" };
}

function coerce(value: unknown, prop: ConfigPropertySchema): { value?: unknown; error?: string } {
  switch (prop.type) {
    case "boolean": {
      if (typeof value === "boolean") return { value };
      const text = String(value).trim().toLowerCase();
      if (TRUE_STRINGS.has(text)) return { value: true };
      if (FALSE_STRINGS.has(text)) return { value: false };
      if (prop["x-or-path"] && typeof value === "string") {
        return existsSync(value) ? { value } : { error: `must be true, false, or the path of an existing CA bundle (${value} not found)` };
      }
      return { error: `must be a boolean (true or false), got ${JSON.stringify(String(value).slice(0, 40))}` };
    }
    case "integer":
    case "number": {
      if (typeof value === "number") {
        return prop.type === "integer" && !Number.isInteger(value) ? { error: "must be an integer" } : { value };
      }
      const text = String(value).trim();
      const ok = prop.type === "integer" ? /^[+-]?\d+$/.test(text) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text);
      return ok ? { value: Number(text) } : { error: `must be ${prop.type === "integer" ? "an integer" : "a number"}, got ${JSON.stringify(text.slice(0, 40))}` };
    }
    case "array": {
      const items = Array.isArray(value) ? value.map((v) => String(v).trim()) : String(value).split(",").map((s) => s.trim());
      const list = items.filter((s) => s !== "");
      if (prop.items?.type === "integer") {
        if (list.some((s) => !/^[+-]?\d+$/.test(s))) return { error: "must be a comma-separated list of integers" };
        return { value: list.map(Number) };
      }
      return { value: list };
    }
    default: {
      if (typeof value === "string") return { value };
      if (typeof value === "number" || typeof value === "boolean") return { value: String(value) };
      return { error: "must be a string" };
    }
  }
}

/** Leftover sample values (`ChangeMe`) get a message that says so. */
function sampleValueProblems(
  schema: ConfigSchema,
  config: Record<string, Record<string, unknown>>,
  existing: readonly ConfigProblem[],
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const [ns, nsSchema] of Object.entries(schema.properties)) {
    for (const [key, prop] of Object.entries(nsSchema.properties)) {
      const value = config[ns]?.[key];
      if (typeof value !== "string" || value.trim().toLowerCase() !== "changeme") continue;
      const name = envName(ns, key);
      if (existing.some((p) => p.envVar === name)) continue;
      const hint =
        ns === "connector" && key === "id" ? ": set it to a UUIDv4 (e.g. from `uuidgen`)" : prop.writeOnly ? ": set the real secret" : "";
      out.push({ envVar: name, yamlPath: yamlPath(ns, key), message: `is still the sample value 'ChangeMe'${hint}` });
      delete config[ns]?.[key];
    }
  }
  return out;
}

/** Formats, enums, ranges through ajv; messages are rewritten to name the variable and never echo secrets. */
function schemaProblems(
  schema: ConfigSchema,
  config: Record<string, Record<string, unknown>>,
  existing: readonly ConfigProblem[],
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const [ns, nsSchema] of Object.entries(schema.properties)) {
    for (const [key, prop] of Object.entries(nsSchema.properties)) {
      const value = config[ns]?.[key];
      const name = envName(ns, key);
      if (value === undefined || existing.some((p) => p.envVar === name)) continue;
      const message = checkValue(value, prop, ns, key);
      if (message) out.push({ envVar: name, yamlPath: yamlPath(ns, key), message });
      else if (typeof value === "string" && prop.enum) {
        // Enums are matched case-insensitively; keep the schema's spelling.
        const match = prop.enum.find((e) => typeof e === "string" && e.toLowerCase() === value.toLowerCase());
        if (match !== undefined) (config[ns] as Record<string, unknown>)[key] = match;
      }
    }
  }
  return out;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
const validators = new WeakMap<ConfigPropertySchema, ReturnType<typeof ajv.compile>>();

function checkValue(value: unknown, prop: ConfigPropertySchema, ns: string, key: string): string | undefined {
  if (prop.format === "uri" && typeof value === "string") {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol)) return `must be an http(s) URL, got ${JSON.stringify(value.slice(0, 80))}`;
  }
  if (prop.format === "uuid" && typeof value === "string" && !UUID.test(value)) {
    return ns === "connector" && key === "id"
      ? `must be a UUID (e.g. from \`uuidgen\`), got ${JSON.stringify(value.slice(0, 40))}`
      : "must be a UUID";
  }
  if (typeof value === "string" && prop.enum) {
    const ok = prop.enum.some((e) => typeof e === "string" && e.toLowerCase() === value.toLowerCase());
    return ok ? undefined : `must be one of ${prop.enum.map((e) => String(e)).join(", ")}, got ${JSON.stringify(value.slice(0, 40))}`;
  }
  const { format: _format, writeOnly: _w, description: _d, default: _def, ...rest } = prop;
  const cleaned = Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith("x-") && k !== "deprecated"));
  const effective = prop["x-or-path"] && typeof value === "string" ? { type: "string" } : cleaned;
  let validate = validators.get(prop);
  if (!validate || effective !== cleaned) {
    validate = ajv.compile(effective);
    if (effective === cleaned) validators.set(prop, validate);
  }
  if (validate(value)) return undefined;
  const error = validate.errors?.[0];
  if (!error) return "is invalid";
  const secret = prop.writeOnly ? "" : ` (got ${JSON.stringify(String(value).slice(0, 40))})`;
  return `${error.message ?? "is invalid"}${secret}`;
}

/** KEY=VALUE lines; `#` comments; optional single or double quotes; `export ` prefix allowed. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) continue;
    let value = match[2] ?? "";
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? "";
    else value = value.replace(/\s+#.*$/, "");
    out[match[1]!] = value;
  }
  return out;
}
