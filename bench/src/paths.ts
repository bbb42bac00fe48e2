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
  return scriptNodeFlags("start", "main.js");
}

/** The node flags the root `npm run reconcile` script gives `connectors/sentinelone-intel/dist/reconcile/cli.js`. */
export function reconcileScriptNodeFlags(): string[] {
  return scriptNodeFlags("reconcile", "reconcile/cli.js");
}

function scriptNodeFlags(script: string, file: string): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const text = pkg.scripts?.[script] ?? "";
  const path = `connectors/sentinelone-intel/dist/${file}`;
  const match = new RegExp(`\\bnode((?:\\s+--[\\w-]+(?:=\\S+)?)*)\\s+${path.replace(/[./]/g, "\\$&")}`).exec(text);
  if (!match) throw new Error(`cannot find "node … ${path}" in the root ${script} script: ${text}`);
  return match[1]!.trim() === "" ? [] : match[1]!.trim().split(/\s+/);
}
