import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { got } from "./coerce.js";
import { envName, yamlPath } from "./env-names.js";
import type { ConfigProblem } from "./errors.js";
import type { ConfigPropertySchema, ConfigSchema } from "./types.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)$/;

/** `format: uri` means an absolute http(s) URL with a host: OpenCTI and every target API are reached over HTTP. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

// `strict: false` lets our `x-*` keywords through; formats we do not define are ignored silently.
const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false });
ajv.addFormat("uri", isHttpUrl);
ajv.addFormat("uuid", UUID);
ajv.addFormat("date-time", (text: string) => DATE_TIME.test(text) && !Number.isNaN(Date.parse(text)));

/** A property as plain JSON Schema: our extensions dropped, `x-or-path` booleans also accept a path string. */
function toJsonSchema(prop: ConfigPropertySchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(prop)) {
    if (key.startsWith("x-") || key === "description" || key === "errorMessage" || value === undefined) continue;
    out[key] = value;
  }
  if (prop["x-or-path"]) out.type = ["boolean", "string"];
  return out;
}

const compiled = new WeakMap<ConfigSchema, ValidateFunction>();

function validatorFor(schema: ConfigSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    const properties: Record<string, unknown> = {};
    for (const [ns, nsSchema] of Object.entries(schema.properties)) {
      properties[ns] = {
        type: "object",
        properties: Object.fromEntries(Object.entries(nsSchema.properties).map(([k, p]) => [k, toJsonSchema(p)])),
        required: [...(nsSchema.required ?? [])],
      };
    }
    validate = ajv.compile({ type: "object", properties });
    compiled.set(schema, validate);
  }
  return validate;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  array: "a list",
  object: "a mapping",
};

function formatMessage(format: string, ns: string, key: string): string {
  switch (format) {
    case "uri":
      return "must be an http(s) URL";
    case "uuid":
      return ns === "connector" && key === "id" ? "must be a UUID (e.g. from `uuidgen`)" : "must be a UUID";
    case "date-time":
      return "must be an ISO 8601 date-time such as 2024-01-01T00:00:00Z";
    default:
      return `must be a valid ${format}`;
  }
}

/** Digit-only patterns read as a number rule; other patterns are quoted. */
function patternRule(pattern: string): string {
  if (/^\^(?:\[0-9\]|\\d)[*+]\$$/.test(pattern)) return "must be a number (digits only)";
  const sized = /^\^(?:\[0-9\]|\\d)\{(\d+)(?:,(\d*))?\}\$$/.exec(pattern);
  if (sized) {
    const [, min, max] = sized;
    if (max === undefined) return `must be a number of ${min} digits`;
    return max === "" ? `must be a number of at least ${min} digits` : `must be a number of ${min} to ${max} digits`;
  }
  return `must match the pattern ${pattern}`;
}

/** One ajv error as a sentence after the env name; values are echoed only for non-secrets. */
function describe(error: ErrorObject, prop: ConfigPropertySchema, value: unknown, ns: string, key: string): string {
  const p = error.params as Record<string, unknown>;
  const shown = got(value, prop);
  switch (error.keyword) {
    case "required":
      return "is required";
    case "type": {
      const types = (Array.isArray(p.type) ? p.type : [p.type]).map((t) => TYPE_WORDS[String(t)] ?? String(t));
      return `must be ${types.join(" or ")}${shown}`;
    }
    case "enum":
      return `must be one of ${((p.allowedValues as unknown[]) ?? []).map(String).join(", ")}${shown}`;
    case "format":
      return `${formatMessage(String(p.format), ns, key)}${shown}`;
    case "minLength":
      return p.limit === 1 ? "must not be empty" : `must be at least ${String(p.limit)} characters long`;
    case "maxLength":
      return `must be at most ${String(p.limit)} characters long`;
    case "pattern":
      return `${prop.errorMessage ?? patternRule(String(p.pattern))}${shown}`;
    case "minItems":
      return `must list at least ${String(p.limit)} value${p.limit === 1 ? "" : "s"}`;
    case "maxItems":
      return `must list at most ${String(p.limit)} value${p.limit === 1 ? "" : "s"}`;
    default:
      return `${error.message ?? "is invalid"}${shown}`;
  }
}

/**
 * Runs ajv (all errors) over the coerced config and turns each error into a problem named by env var and
 * config.yml path, one per setting (the first), skipping settings in `skip` (already reported).
 */
export function schemaProblems(
  schema: ConfigSchema,
  config: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  skip: ReadonlySet<string>,
): Map<string, ConfigProblem> {
  const out = new Map<string, ConfigProblem>();
  const validate = validatorFor(schema);
  if (validate(config)) return out;
  for (const error of validate.errors ?? []) {
    const segments = error.instancePath.split("/").slice(1);
    const ns = segments[0];
    const key =
      error.keyword === "required"
        ? String((error.params as { missingProperty?: unknown }).missingProperty)
        : segments[1];
    if (ns === undefined || key === undefined) continue;
    const prop = schema.properties[ns]?.properties[key];
    if (!prop) continue;
    const name = envName(ns, key);
    if (skip.has(name) || out.has(name)) continue;
    const index = segments[2];
    const whole = config[ns]?.[key];
    const value = index === undefined ? whole : (whole as unknown[] | undefined)?.[Number(index)];
    const sentence = describe(error, prop, value, ns, key);
    out.set(name, {
      envVar: name,
      yamlPath: yamlPath(ns, key),
      message: index === undefined ? sentence : `item ${Number(index) + 1} ${sentence}`,
    });
  }
  return out;
}

const SAMPLE_VALUE = "changeme";

function sampleHint(ns: string, key: string, prop: ConfigPropertySchema): string {
  if (ns === "connector" && key === "id") return "set it to a UUIDv4 (e.g. from `uuidgen`)";
  if (ns === "connector" && key === "live_stream_id") {
    return "set it to the ID of the live stream to listen to (OpenCTI: Data sharing > Live streams)";
  }
  if (ns === "opencti" && key === "token") return "set it to the API token of the OpenCTI user the connector runs as";
  if (prop.writeOnly) return "set the real secret";
  return "set a real value";
}

/** Leftover sample values (`ChangeMe`, any case, also as a list item) are named as such. */
export function sampleValueProblem(
  ns: string,
  key: string,
  prop: ConfigPropertySchema,
  value: unknown,
): ConfigProblem | undefined {
  const values = Array.isArray(value) ? value : [value];
  if (!values.some((v) => typeof v === "string" && v.trim().toLowerCase() === SAMPLE_VALUE)) return undefined;
  return {
    envVar: envName(ns, key),
    yamlPath: yamlPath(ns, key),
    message: `is still the sample value 'ChangeMe': ${sampleHint(ns, key, prop)}`,
  };
}
