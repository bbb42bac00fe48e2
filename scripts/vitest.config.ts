import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const sdk = (p: string) => fileURLToPath(new URL(`../connector-sdk/src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the SDK's sources, so they need no prior build.
    alias: [
      {
        find: /^@octi\/connector-sdk-testing$/,
        replacement: fileURLToPath(new URL("../connector-sdk-testing/src/index.ts", import.meta.url)),
      },
      { find: /^@octi\/connector-sdk$/, replacement: sdk("index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
