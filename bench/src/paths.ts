/** Where things are, from `bench/src` (vitest) or `bench/dist` (`npm run bench`): both sit two levels below the root. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/+$/, "");

export const BUILT = {
  connectorMain: join(REPO_ROOT, "connectors/sentinelone-intel/dist/main.js"),
  sentinelOneSimulatorCli: join(REPO_ROOT, "connectors/sentinelone-intel/dist/simulator/cli.js"),
  openCtiSimulatorCli: join(REPO_ROOT, "connector-sdk/dist/testing/opencti-simulator-cli.js"),
} as const;

/** The packages whose built JS the benchmark runs, in build order. */
export const BUILD_ORDER = ["connector-sdk", "connectors/sentinelone-intel"] as const;

export const DEFAULT_RESULTS_DIR = join(REPO_ROOT, "bench/results");

/** Built files that are missing (empty when the benchmark can run). */
export function missingBuiltFiles(): string[] {
  return Object.values(BUILT).filter((file) => !existsSync(file));
}
