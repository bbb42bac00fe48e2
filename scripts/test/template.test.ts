/** The stream template itself: only known placeholders, and dependency versions in step with the SDK's. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/cli.js";
import { listFiles } from "../src/files.js";
import { leftoverPlaceholders, PLACEHOLDERS } from "../src/naming.js";

const TEMPLATE = join(REPO_ROOT, "templates", "stream");

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

const readPackage = (path: string) => JSON.parse(readFileSync(path, "utf8")) as PackageJson;

describe("templates/stream", () => {
  it("uses only the known placeholders, in file names and contents", () => {
    const known = new Set<string>(PLACEHOLDERS);
    const unknown: string[] = [];
    for (const file of listFiles(TEMPLATE)) {
      for (const token of leftoverPlaceholders(file)) if (!known.has(token)) unknown.push(`${file}: ${token}`);
      for (const token of leftoverPlaceholders(readFileSync(join(TEMPLATE, file), "utf8"))) {
        if (!known.has(token)) unknown.push(`${file}: ${token}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it("has no placeholder rewritten as Markdown bold by a formatter (biome turns __TITLE__ into **TITLE**)", () => {
    const bold = new RegExp(`\\*\\*(${PLACEHOLDERS.map((p) => p.slice(2, -2)).join("|")})\\*\\*`, "g");
    const rewritten: string[] = [];
    for (const file of listFiles(TEMPLATE)) {
      for (const match of readFileSync(join(TEMPLATE, file), "utf8").matchAll(bold))
        rewritten.push(`${file}: ${match[0]}`);
    }
    expect(rewritten).toEqual([]);
    expect(readFileSync(join(TEMPLATE, "README.md"), "utf8").split("\n")[0]).toBe("# OpenCTI __TITLE__ connector");
  });

  it("depends on the SDK's current version and on the same versions of the libraries the SDK uses", () => {
    const template = readPackage(join(TEMPLATE, "package.json"));
    const sdk = readPackage(join(REPO_ROOT, "connector-sdk", "package.json"));
    expect(template.name).toBe("@octi/connector-__SLUG__");
    const deps = template.dependencies ?? {};
    expect(deps["@octi/connector-sdk"]).toBe(sdk.version);
    for (const [name, version] of Object.entries(deps)) {
      if (name === "@octi/connector-sdk") continue;
      expect(sdk.dependencies?.[name], `${name} must be a dependency of the SDK too`).toBe(version);
    }
  });

  it("ships the files a connector needs", () => {
    const files = listFiles(TEMPLATE);
    for (const required of [
      "package.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "vitest.config.ts",
      "src/index.ts",
      "src/config-schema.ts",
      "src/client.ts",
      "src/target.ts",
      "src/queue.ts",
      "src/handler.ts",
      "src/main.ts",
      "test/config.test.ts",
      "test/handler.test.ts",
      "test/client.test.ts",
      "README.md",
      "config.yml.sample",
      "docker-compose.yml",
      "Dockerfile",
      "__metadata__/connector_manifest.json",
    ]) {
      expect(files).toContain(required);
    }
  });

  it("has a multi-stage, non-root Dockerfile built from the repository root that ships only built JS", () => {
    const dockerfile = readFileSync(join(TEMPLATE, "Dockerfile"), "utf8");
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain("docker build -f connectors/__SLUG__/Dockerfile");
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(runtime).not.toMatch(/COPY .*\/src\b/);
    expect(runtime).toContain("connectors/__SLUG__/dist");
    expect(runtime).toMatch(/ENTRYPOINT \["node", "connectors\/__SLUG__\/dist\/main.js"\]/);
  });
});
