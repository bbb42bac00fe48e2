import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import yaml from "js-yaml";
import type { ConfigProblem } from "./errors.js";

/** The config file looked up in each search directory. */
export const CONFIG_FILE_NAME = "config.yml";
/** The dotenv file looked up in each search directory. */
export const DOTENV_FILE_NAME = ".env";
/** Env var naming an explicit config.yml (it replaces the search of `config.yml`; `.env` is still searched). */
export const CONFIG_FILE_ENV = "CONNECTOR_CONFIG_FILE";

/**
 * YAML with only strings, lists, mappings, null (`~`, `null`, empty) and booleans (`true`/`True`/`TRUE`,
 * `false`/…). Numbers stay text, so a 19-digit id (`account_id: 1000000000000000001`) keeps every digit and
 * `live_stream_recover_iso_date: 2024-01-01T00:00:00Z` stays a string (PyYAML would make it a datetime);
 * integer settings are converted by the loader as env strings are.
 */
const NULL_TYPE = new yaml.Type("tag:yaml.org,2002:null", {
  kind: "scalar",
  resolve: (data: string) => data === "" || data === "~" || data === "null" || data === "Null" || data === "NULL",
  construct: () => null,
});
const BOOL_TYPE = new yaml.Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (data: string) => /^(?:true|True|TRUE|false|False|FALSE)$/.test(data),
  construct: (data: string) => data.toLowerCase() === "true",
});
const CONFIG_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({ implicit: [NULL_TYPE, BOOL_TYPE] });

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface LocatedFiles {
  readonly yaml?: string;
  readonly dotenv?: string;
}

/**
 * `config.yml`: the explicit file if one is given (option, else `CONNECTOR_CONFIG_FILE`), otherwise the first
 * search directory holding one. `.env`: the first search directory holding one. Both are used when both exist.
 */
export function locateFiles(
  searchDirs: readonly string[],
  explicit: { readonly path: string; readonly from: string } | undefined,
  problems: ConfigProblem[],
): LocatedFiles {
  let yamlFile: string | undefined;
  if (explicit) {
    const path = resolve(explicit.path);
    if (isFile(path)) yamlFile = path;
    else {
      const message =
        explicit.from === CONFIG_FILE_ENV
          ? `names ${path}, which is not a readable file`
          : `${path} is not a readable file`;
      problems.push({ envVar: explicit.from, yamlPath: "", message });
    }
  } else {
    yamlFile = searchDirs.map((d) => resolve(join(d, CONFIG_FILE_NAME))).find(isFile);
  }
  const dotenv = searchDirs.map((d) => resolve(join(d, DOTENV_FILE_NAME))).find(isFile);
  return { ...(yamlFile ? { yaml: yamlFile } : {}), ...(dotenv ? { dotenv } : {}) };
}

/**
 * The files a run reads: the explicit config.yml (`configFile`, else `CONNECTOR_CONFIG_FILE` in `env`) or the first
 * `config.yml` of `searchDirs`, and the first `.env` of `searchDirs`. Config-check tools call this to show the
 * same files a run would read.
 */
export function locateConfigFiles(
  searchDirs: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  configFile: string | undefined,
  problems: ConfigProblem[],
): LocatedFiles {
  const fromEnv = env[CONFIG_FILE_ENV];
  const explicit =
    configFile !== undefined && configFile !== ""
      ? { path: configFile, from: CONFIG_FILE_NAME }
      : fromEnv !== undefined && fromEnv !== ""
        ? { path: fromEnv, from: CONFIG_FILE_ENV }
        : undefined;
  return locateFiles(searchDirs, explicit, problems);
}

/**
 * Where `runMain` looks for `config.yml` and `.env`, in order: the current directory, then the connector package
 * directory and its `src/` (so `npm start` from the repository root finds the connector's files).
 */
export function configSearchDirs(packageDir?: string, cwd: string = process.cwd()): string[] {
  if (!packageDir) return [cwd];
  const dir = packageDir.replace(/\/+$/, "");
  return [cwd, dir, `${dir}/src`];
}

/** The parsed config.yml document (a mapping), or `{}` with a problem when it cannot be used. */
export function readYamlFile(path: string, problems: ConfigProblem[]): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = yaml.load(readFileSync(path, "utf8"), { schema: CONFIG_YAML_SCHEMA, filename: path });
  } catch (error) {
    // js-yaml's first line is the reason and position; the following lines quote the file (maybe a secret).
    const reason = ((error as { reason?: string }).reason ?? (error as Error).message).split("\n")[0];
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const at = mark ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : "";
    problems.push({ envVar: CONFIG_FILE_NAME, yamlPath: "", message: `${path} is not valid YAML: ${reason}${at}` });
    return {};
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    problems.push({
      envVar: CONFIG_FILE_NAME,
      yamlPath: "",
      message: `${path} must be a mapping of sections (opencti:, connector:, …)`,
    });
    return {};
  }
  return parsed as Record<string, unknown>;
}

/**
 * A namespace's section of config.yml (`sentinelone-intel:` is accepted for `sentinelone_intel:`).
 * An empty section (`connector:` with nothing under it) is an empty mapping.
 */
export function yamlSection(
  doc: Readonly<Record<string, unknown>>,
  ns: string,
  file: string | undefined,
  problems: ConfigProblem[],
): Record<string, unknown> {
  const dashed = ns.replace(/_/g, "-");
  const section = doc[ns] ?? (dashed !== ns ? doc[dashed] : undefined);
  if (section === undefined || section === null) return {};
  if (typeof section !== "object" || Array.isArray(section)) {
    problems.push({
      envVar: CONFIG_FILE_NAME,
      yamlPath: ns,
      message: `${file ?? "config.yml"}: section ${ns} must be a mapping of keys to values`,
    });
    return {};
  }
  return section as Record<string, unknown>;
}

/**
 * `KEY=VALUE` lines. Blank lines and `#` comments are skipped; `export ` is allowed; a value may be
 * single-quoted (literal), double-quoted (`\n`, `\t`, `\"`, `\\` escapes) or bare (a ` #` starts a comment).
 * Later lines win. Values are NOT exported to the process environment.
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) continue;
    const name = match[1] as string;
    const rest = match[2] ?? "";
    let value: string;
    const double = /^"((?:[^"\\]|\\.)*)"(?:\s+#.*)?$/.exec(rest);
    const single = /^'([^']*)'(?:\s+#.*)?$/.exec(rest);
    if (double) {
      value = (double[1] ?? "").replace(/\\(.)/g, (_m, c: string) =>
        c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : c,
      );
    } else if (single) {
      value = single[1] ?? "";
    } else {
      value = rest.replace(/\s+#.*$/, "").trim();
    }
    out[name] = value;
  }
  return out;
}

export function readDotenvFile(path: string, problems: ConfigProblem[]): Record<string, string> {
  try {
    return parseDotenv(readFileSync(path, "utf8"));
  } catch (error) {
    problems.push({
      envVar: DOTENV_FILE_NAME,
      yamlPath: "",
      message: `${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
    });
    return {};
  }
}
