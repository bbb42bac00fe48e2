/**
 * Readers for a connector's configuration samples. They understand exactly what the samples use: `config.yml.sample`
 * as two levels of block mappings (`namespace:` then indented `key: value`), `.env.sample` as `NAME=value` lines,
 * `docker-compose.yml` as `- NAME=value` environment entries. Commented lines are ignored (they document defaults).
 * Values are flattened to env names (`NAMESPACE_KEY`), the names the config schema uses.
 */

export interface SampleValue {
  readonly value: string;
  readonly line: number;
}

/** A scalar without its quotes and without a trailing `# comment`. */
function unquote(raw: string): string {
  const value = raw.trim();
  const quoted = /^(['"])(.*?)\1(?:\s+#.*)?$/.exec(value);
  if (quoted) return quoted[2] ?? "";
  return value.replace(/(^|\s+)#.*$/, "").trim();
}

/** `config.yml.sample` → env name → value. Lines it cannot read are returned in `problems`. */
export function readYamlSample(text: string): { values: Map<string, SampleValue>; problems: string[] } {
  const values = new Map<string, SampleValue>();
  const problems: string[] = [];
  let namespace: string | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "" || raw.trim().startsWith("#") || raw.trim() === "---") return;
    const top = /^([A-Za-z_][\w-]*):\s*(?:#.*)?$/.exec(raw);
    if (top) {
      namespace = top[1];
      return;
    }
    const nested = /^\s+([A-Za-z_][\w-]*):\s*(.*)$/.exec(raw);
    if (nested && namespace !== undefined) {
      values.set(`${namespace}_${nested[1]}`.toUpperCase(), { value: unquote(nested[2] ?? ""), line });
      return;
    }
    problems.push(`line ${line}: not a 'namespace:' or an indented 'key: value' line`);
  });
  return { values, problems };
}

/** `.env.sample` → env name → value. */
export function readEnvSample(text: string): Map<string, SampleValue> {
  const values = new Map<string, SampleValue>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (match?.[1]) values.set(match[1], { value: unquote(match[2] ?? ""), line: index + 1 });
  });
  return values;
}

/** `docker-compose.yml` → env name → value, from list-style `environment:` entries (`- NAME=value`). */
export function readComposeEnvironment(text: string): Map<string, SampleValue> {
  const values = new Map<string, SampleValue>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = /^\s*-\s*['"]?([A-Za-z_][A-Za-z0-9_]*)=(.*?)['"]?\s*$/.exec(raw);
    if (match?.[1]) values.set(match[1], { value: unquote(match[2] ?? ""), line: index + 1 });
  });
  return values;
}
