#!/usr/bin/env node
/**
 * `npm run bench [-- options]` (the root script builds with turbo, then runs `node bench/dist/cli.js`).
 * Prints the figures and the targets, writes `bench/results/latest.json` and `latest.md`. Exit code 1 when a
 * section failed to run (a missed target is reported, not an error).
 */
import { writeFileSync } from "node:fs";
import { commandLine, parseBenchArgs, USAGE, UsageError } from "./options.js";
import { killAllNow, stopAll } from "./processes.js";
import { renderMarkdown, renderTable } from "./report.js";
import { runBench } from "./run.js";

async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseBenchArgs>;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  process.on("exit", killAllNow);
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the benchmark's processes\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const results = await runBench(options, commandLine(argv));
  writeFileSync(results.resultsFile.replace(/\.json$/, ".md"), renderMarkdown(results));
  process.stdout.write(`\n${renderTable(results)}\n`);
  return results.errors.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
