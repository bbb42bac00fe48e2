import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // The testing package depends on the SDK, so the SDK cannot depend on it (a build cycle): its tests take the
    // testing package's sources, and both see this package's sources as `@octi/connector-sdk`.
    alias: [
      { find: /^@octi\/connector-sdk-testing$/, replacement: here("../connector-sdk-testing/src/index.ts") },
      { find: /^@octi\/connector-sdk$/, replacement: here("src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    setupFiles: ["reflect-metadata"],
  },
});
