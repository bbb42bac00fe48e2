import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const sdk = (p: string) => fileURLToPath(new URL(`../connector-sdk/src/${p}`, import.meta.url));
const s1 = (p: string) => fileURLToPath(new URL(`../connectors/sentinelone-intel/${p}`, import.meta.url));
const testing = fileURLToPath(new URL("../connector-sdk-testing/src/index.ts", import.meta.url));

export default defineConfig({
  resolve: {
    // The orchestration runs from sources; the processes it starts run the BUILT JS (the test builds it first).
    alias: [
      { find: /^@octi\/connector-sdk-testing$/, replacement: testing },
      { find: /^@octi\/connector-sdk$/, replacement: sdk("index.ts") },
      { find: /^@octi\/connector-sentinelone-intel\/simulator$/, replacement: s1("dev/simulator/index.ts") },
      { find: /^@octi\/connector-sentinelone-intel$/, replacement: s1("src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
