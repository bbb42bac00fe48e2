/** Small helpers shared by the repository scripts' command lines. */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";

/** The repository root, from a script in `scripts/src` (tests) or `scripts/dist` (built). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

/** The `scripts/` folder (schemas live in `scripts/src/schemas`, assets in `scripts/assets`). */
export const SCRIPTS_DIR = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");

/** True when the module at `moduleUrl` is the process entry point (not imported by a test). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(entry);
  } catch {
    return false;
  }
}

/** Where a command line writes; tests pass collectors. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

/** Thrown for a bad invocation or a refused operation: the message is printed as is, exit code 1 or 2. */
export class ScriptError extends Error {
  override readonly name = "ScriptError";
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Runs a command-line main and turns its result or error into an exit code. */
export async function runCli(main: (argv: string[], output: Output) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2), processOutput);
  } catch (error) {
    if (error instanceof ScriptError) {
      processOutput.err(error.message);
      process.exitCode = error.exitCode;
    } else {
      processOutput.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    }
  }
}

/**
 * A script's options, strictly (`-h` / `--help` added): `undefined` once the usage was printed for `--help`; an
 * unknown option or a missing value is a `ScriptError` with the usage (exit code 2).
 */
export function parseScriptArgs<V extends object>(
  argv: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
  usage: string,
  output: Output,
): V | undefined {
  let values: V & { help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }) as unknown as { values: V & { help?: boolean } });
  } catch (error) {
    throw new ScriptError(`${(error as Error).message}\n${usage}`, 2);
  }
  if (values.help) {
    output.out(usage);
    return undefined;
  }
  return values;
}
