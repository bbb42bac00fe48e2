/** The SDK is runtime code only (decision 0015): test helpers and their dependencies live in @octi/connector-sdk-testing. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

describe("@octi/connector-sdk", () => {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as {
    exports: Record<string, unknown>;
    files: string[];
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it("exports its runtime entry only, and depends on neither graphql nor the testing package", () => {
    expect(Object.keys(pkg.exports)).toEqual(["."]);
    expect(pkg.files).toEqual(["dist"]);
    expect(pkg.dependencies.graphql).toBeUndefined();
    expect(pkg.dependencies["@octi/connector-sdk-testing"]).toBeUndefined();
    // Its tests validate the GraphQL documents against OpenCTI's schema.
    expect(pkg.devDependencies.graphql).toBeDefined();
  });

  it("src/ imports neither graphql nor the testing package", () => {
    const offending = readdirSync(join(PACKAGE_DIR, "src"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .filter((file) =>
        /from\s+"(graphql|@octi\/connector-sdk-testing)"/.test(readFileSync(join(PACKAGE_DIR, "src", file), "utf8")),
      );
    expect(offending).toEqual([]);
  });
});
