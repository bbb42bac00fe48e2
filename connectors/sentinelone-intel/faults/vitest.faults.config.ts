/**
 * `npm run test:faults`: the fault-injection suite (test/faults) at full sizes, one file at a time (the scenarios
 * measure memory and a parser ratio, and spawn connector processes: they should not compete with each other), with
 * the summary table printed at the end by table-reporter.ts. The short sizes run in the normal suite.
 *
 *   cd connectors/sentinelone-intel && npx vitest run --config faults/vitest.faults.config.ts
 *   FAULTS_SEED=<seed from a row's notes> …   replays a run's random choices
 */
import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vitest/config";
import base from "../vitest.config.js";

const merged = mergeConfig(
  base,
  defineConfig({
    root: fileURLToPath(new URL("..", import.meta.url)),
    test: {
      include: ["test/faults/**/*.test.ts"],
      fileParallelism: false,
      testTimeout: 900_000,
      hookTimeout: 120_000,
      reporters: ["default", fileURLToPath(new URL("./table-reporter.ts", import.meta.url))],
      env: { FAULTS_FULL: process.env.FAULTS_FULL ?? "1", FAULTS_REPORTER: "1" },
    },
  }),
);
// mergeConfig concatenates arrays: without this the base's `test/**` would run the whole suite again.
merged.test = { ...merged.test, include: ["test/faults/**/*.test.ts"] };

export default merged;
