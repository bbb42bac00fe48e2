import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, so they need no prior build: the SDK's, the testing package's, and this
    // package's own where dev/ imports it as `#src/*` (the built dev tools take dist/).
    alias: [
      { find: /^@octi\/connector-sdk-testing$/, replacement: here("../../connector-sdk-testing/src/index.ts") },
      { find: /^@octi\/connector-sdk$/, replacement: here("../../connector-sdk/src/index.ts") },
      { find: /^#src\/(.*)$/, replacement: `${here("src")}/$1` },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
