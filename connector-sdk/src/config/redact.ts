import type { ConfigSchema } from "./types.js";

export const REDACTED = "[REDACTED]";

/** A copy of the config with every `writeOnly` (secret) value replaced. */
export function redactConfig<C extends object>(config: C, schema: ConfigSchema): C {
  const out: Record<string, unknown> = {};
  for (const [ns, values] of Object.entries(config as Record<string, unknown>)) {
    const props = schema.properties[ns]?.properties ?? {};
    if (typeof values !== "object" || values === null) {
      out[ns] = values;
      continue;
    }
    out[ns] = Object.fromEntries(
      Object.entries(values as Record<string, unknown>).map(([k, v]) => [k, props[k]?.writeOnly && v !== undefined ? REDACTED : v]),
    );
  }
  return out as C;
}

/** Every secret value of the config (to scrub from logs). */
export function collectSecrets(config: object, schema: ConfigSchema): string[] {
  const secrets: string[] = [];
  for (const [ns, nsSchema] of Object.entries(schema.properties)) {
    const values = (config as Record<string, Record<string, unknown> | undefined>)[ns];
    for (const [key, prop] of Object.entries(nsSchema.properties)) {
      const value = values?.[key];
      if (prop.writeOnly && typeof value === "string" && value !== "") secrets.push(value);
    }
  }
  return secrets;
}
