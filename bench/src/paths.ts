/** Where things are, from `bench/src` (vitest) or `bench/dist` (`npm run bench`): both sit two levels below the root. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/+$/, "");

export const BUILT = {
  connectorMain: join(REPO_ROOT, "connectors/sentinelone-intel/dist/main.js"),
  reconcileCli: join(REPO_ROOT, "connectors/sentinelone-intel/dist/reconcile/cli.js"),
  sentinelOneSimulatorCli: join(REPO_ROOT, "connectors/sentinelone-intel/dist-dev/simulator/cli.js"),
  openCtiSimulatorCli: join(REPO_ROOT, "connector-sdk-testing/dist/opencti-simulator-cli.js"),
} as const;

/** The TypeScript projects whose built JS the benchmark runs, in build order. */
export const BUILD_ORDER = [
  "connector-sdk/tsconfig.build.json",
  "connector-sdk-testing/tsconfig.build.json",
  "connectors/sentinelone-intel/tsconfig.build.json",
  "connectors/sentinelone-intel/tsconfig.dev.json",
] as const;

export const DEFAULT_RESULTS_DIR = join(REPO_ROOT, "bench/results");

/** Built files that are missing (empty when the benchmark can run). */
export function missingBuiltFiles(): string[] {
  return Object.values(BUILT).filter((file) => !existsSync(file));
}

/**
 * The node flags the root `npm start` script gives the connector (`node <flags> connectors/sentinelone-intel/dist/main.js`),
 * so that `--deployed` measures what users run.
 */
export function startScriptNodeFlags(): string[] {
  return scriptLaunch("start", "main.js").flags;
}

/** The node flags the root `npm run reconcile` script gives `connectors/sentinelone-intel/dist/reconcile/cli.js`. */
export function reconcileScriptNodeFlags(): string[] {
  return scriptLaunch("reconcile", "reconcile/cli.js").flags;
}

/**
 * The variables the root `npm start` script sets before `node` (`MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} node …`),
 * resolved as `sh` would against `parentEnv`. `npm run reconcile` sets the same ones.
 */
export function startScriptEnv(parentEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return resolveAssignments(scriptLaunch("start", "main.js").assignments, parentEnv);
}

interface ScriptLaunch {
  /** `NAME=value` words before `node`, as written. */
  readonly assignments: readonly string[];
  readonly flags: string[];
}

function scriptLaunch(script: string, file: string): ScriptLaunch {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const text = pkg.scripts?.[script] ?? "";
  return parseLaunch(text, `connectors/sentinelone-intel/dist/${file}`, `the root ${script} script`);
}

/** Splits `[NAME=value …] node [--flag …] <path>` out of an npm script's text. */
export function parseLaunch(text: string, path: string, where = "the script"): ScriptLaunch {
  const match = new RegExp(
    `((?:(?<![\\w-])[A-Za-z_][A-Za-z0-9_]*=\\S+\\s+)*)\\bnode((?:\\s+--[\\w-]+(?:=\\S+)?)*)\\s+${path.replace(/[./]/g, "\\$&")}`,
  ).exec(text);
  if (!match) throw new Error(`cannot find "node … ${path}" in ${where}: ${text}`);
  const words = (group: string | undefined) => (group?.trim() ? group.trim().split(/\s+/) : []);
  return { assignments: words(match[1]), flags: words(match[2]) };
}

/** `NAME=value` words with `${NAME:-default}` / `$NAME` values, resolved against `env` as `sh` would. */
export function resolveAssignments(assignments: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of assignments) {
    const at = word.indexOf("=");
    const name = word.slice(0, at);
    out[name] = word
      .slice(at + 1)
      .replace(
        /\$\{(\w+):-([^}]*)\}|\$\{(\w+)\}|\$(\w+)/g,
        (
          _,
          withDefault: string | undefined,
          fallback: string,
          braced: string | undefined,
          bare: string | undefined,
        ) => {
          if (withDefault !== undefined) return env[withDefault] || fallback;
          return env[(braced ?? bare)!] ?? "";
        },
      );
  }
  return out;
}
