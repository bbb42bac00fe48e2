import type { ConfigPropertySchema, ConfigSchema } from "./types.js";

export const REDACTED = "[REDACTED]";

/** The values of a pycti header list `h1:v1;h2:v2` (`["v1", "v2"]`), trimmed, empty ones dropped. */
export function headerValues(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(";")) {
    const colon = part.indexOf(":");
    const value = (colon >= 0 ? part.slice(colon + 1) : part).trim();
    if (value !== "") out.push(value);
  }
  return out;
}

function redactHeaderList(text: string): string {
  return text
    .split(";")
    .map((part) => {
      const colon = part.indexOf(":");
      if (colon < 0) return part.trim() === "" ? part : REDACTED;
      return `${part.slice(0, colon + 1)}${part.slice(colon + 1).trim() === "" ? "" : REDACTED}`;
    })
    .join(";");
}

function redactValue(value: unknown, prop: ConfigPropertySchema | undefined): unknown {
  if (!prop || value === undefined || value === null || value === "") return value;
  if (prop.writeOnly) return Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
  if (prop["x-header-list"] && typeof value === "string") return redactHeaderList(value);
  return value;
}

/**
 * A copy of the config fit for logs and dumps: every secret (`writeOnly`) value replaced by `[REDACTED]`, the
 * header values of `x-header-list` settings too (`X-Auth:[REDACTED]`). Namespaces or keys the schema does not
 * know are copied as they are.
 */
export function redactConfig<C extends object>(config: C, schema: ConfigSchema): C {
  const out: Record<string, unknown> = {};
  for (const [ns, values] of Object.entries(config as Record<string, unknown>)) {
    const props = schema.properties[ns]?.properties;
    if (!props || typeof values !== "object" || values === null || Array.isArray(values)) {
      out[ns] = values;
      continue;
    }
    out[ns] = Object.fromEntries(
      Object.entries(values as Record<string, unknown>).map(([k, v]) => [k, redactValue(v, props[k])]),
    );
  }
  return out as C;
}

/**
 * Every secret value of the config, to scrub from logs: `writeOnly` strings (and string list items), and the
 * header values of `x-header-list` settings. Deduplicated, in schema order.
 */
export function collectSecrets(config: object, schema: ConfigSchema): string[] {
  const secrets = new Set<string>();
  for (const [ns, nsSchema] of Object.entries(schema.properties)) {
    const values = (config as Record<string, Record<string, unknown> | undefined>)[ns];
    for (const [key, prop] of Object.entries(nsSchema.properties)) {
      const value = values?.[key];
      if (prop.writeOnly) {
        for (const v of Array.isArray(value) ? value : [value]) {
          if (typeof v === "string" && v.trim() !== "") secrets.add(v);
        }
      } else if (prop["x-header-list"] && typeof value === "string") {
        for (const v of headerValues(value)) secrets.add(v);
      }
    }
  }
  return [...secrets];
}
