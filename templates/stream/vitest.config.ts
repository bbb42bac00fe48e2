import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the SDK's and its testing package's sources, so they need no prior build.
    alias: [
      { find: /^@octi\/connector-sdk-testing$/, replacement: here("../../connector-sdk-testing/src/index.ts") },
      { find: /^@octi\/connector-sdk$/, replacement: here("../../connector-sdk/src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
