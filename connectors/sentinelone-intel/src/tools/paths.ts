/** Locations shared by the tools. */
import { fileURLToPath } from "node:url";
import { configSearchDirs } from "@octi/connector-sdk";

/** The connector package directory (this file is `src/tools/paths.ts` or `dist/tools/paths.js`). */
export const PACKAGE_DIR: string = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/+$/, "");

/**
 * Where a run looks for `config.yml` and `.env`, in order: exactly what `runMain` (src/main.ts) searches, i.e. the
 * current directory, then the package directory, then its `src/`.
 */
export function runSearchDirs(cwd: string = process.cwd()): string[] {
  return configSearchDirs(PACKAGE_DIR, cwd);
}
