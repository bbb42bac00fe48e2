/**
 * Names nobody reads: misspelt env vars (`SENTINELONE_INTEL_ACOUNT_ID`) and unknown config.yml keys are warned about,
 * with the closest known name. Only names, never values, are printed.
 */
import { envName } from "./env-names.js";
import type { ConfigSchema } from "./types.js";

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/**
 * The known name closest to `name` when it is close enough to be a typo: one edit per four characters (at least one,
 * at most three), counted after `prefix`, which both share (`OPENCTI_TOKN` → `OPENCTI_TOKEN`, but `CONNECTOR_AUTO`,
 * a pycti setting, is not taken for `CONNECTOR_TYPE`).
 */
export function closestName(name: string, known: readonly string[], prefix = ""): string | undefined {
  const rest = name.slice(prefix.length).toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(rest.length / 4)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    if (!candidate.toLowerCase().startsWith(prefix.toLowerCase())) continue;
    const d = editDistance(rest, candidate.slice(prefix.length).toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Env names that are read but are not settings of the schema. */
const OTHER_KNOWN = ["CONNECTOR_CONFIG_FILE"];

/**
 * Warnings for names in `names` (the process env or a .env file) that look like settings but are none. In the
 * connector's own namespace (`SENTINELONE_INTEL_*`) every unknown name is reported; under `OPENCTI_` and
 * `CONNECTOR_` only names close to a known one, since those prefixes are shared with the platform's own variables
 * and pycti settings a stream connector does not use.
 */
export function unknownEnvWarnings(
  schema: ConfigSchema,
  names: Iterable<string>,
  where: string,
  sdkNamespaces: readonly string[],
): string[] {
  const known: string[] = [...OTHER_KNOWN];
  for (const [ns, nsSchema] of Object.entries(schema.properties)) {
    for (const [key, prop] of Object.entries(nsSchema.properties)) {
      known.push(envName(ns, key), ...(prop["x-env-aliases"] ?? []));
    }
  }
  const prefixes = Object.keys(schema.properties).map((ns) => ({
    prefix: `${envName(ns, "")}`,
    strict: !sdkNamespaces.includes(ns),
  }));
  const out: string[] = [];
  for (const name of names) {
    if (known.includes(name)) continue;
    const upper = name.toUpperCase();
    const prefix = prefixes.find((p) => upper.startsWith(p.prefix));
    if (!prefix) continue;
    const closest = closestName(name, known, prefix.prefix);
    if (closest) out.push(`${where} ${name} is not a setting and is ignored (did you mean ${closest}?)`);
    else if (prefix.strict) out.push(`${where} ${name} is not a setting of this connector and is ignored`);
  }
  return out;
}

/** ` (did you mean connector.log_level?)` for a config.yml key close to a known one, else nothing. */
export function yamlKeySuggestion(key: string, known: readonly string[], ns: string): string {
  const best = closestName(key, known);
  return best ? ` (did you mean ${ns}.${best}?)` : "";
}
