/**
 * Packages by audience (decision 0015): the production build and the image hold `src/` and production dependencies
 * only; the simulator and the demo/replay tools (`dev/`) and the SDK's testing package stay out.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string) => readFileSync(join(PACKAGE_DIR, path), "utf8");

function tsFiles(dir: string): string[] {
  return readdirSync(join(PACKAGE_DIR, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(dir, file));
}

/** Module specifiers of `import … from "x"`, `export … from "x"`, `import("x")` and `import "x"`. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)"([^"]+)"/gm)].map((match) => match[1]!);
}

describe("the production build", () => {
  it("src/ imports nothing from dev/, the testing package or graphql", () => {
    const offending = tsFiles("src").flatMap((file) =>
      specifiers(read(file))
        .filter((spec) => /(^|\/)dev\/|^#src\/|^@octi\/connector-sdk-testing|^graphql$/.test(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it("the specifier scan sees each import form (so the test above can fail)", () => {
    const source = [
      'import { a } from "../dev/simulator/index.js";',
      'export { b } from "@octi/connector-sdk-testing";',
      'const c = await import("graphql");',
      'import "#src/index.js";',
    ].join("\n");
    expect(specifiers(source)).toEqual([
      "../dev/simulator/index.js",
      "@octi/connector-sdk-testing",
      "graphql",
      "#src/index.js",
    ]);
  });

  it("dev/ reaches production code only through #src/* (the built dist/, not a second copy of src/)", () => {
    const pkg = JSON.parse(read("package.json")) as {
      imports: Record<string, string>;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.imports["#src/*"]).toBe("./dist/*");
    expect(pkg.scripts["build:prod"]).toBe("tsc -p tsconfig.build.json");
    expect(pkg.dependencies["@octi/connector-sdk-testing"]).toBeUndefined();
    expect(pkg.devDependencies["@octi/connector-sdk-testing"]).toBeDefined();
    const offending = tsFiles("dev").flatMap((file) =>
      specifiers(read(file))
        .filter((spec) => /^(\.\.\/)+src\//.test(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it("the Dockerfile builds src/ only and installs no devDependencies (no testing package, no graphql)", () => {
    const dockerfile = read("Dockerfile");
    expect(dockerfile).toMatch(/npm run build:prod --workspace=@octi\/connector-sentinelone-intel/);
    expect(dockerfile).not.toMatch(/npm run build --workspace=@octi\/connector-sentinelone-intel/);
    const deps = dockerfile.slice(dockerfile.indexOf(" AS deps"), dockerfile.lastIndexOf("\nFROM "));
    const drop = deps.indexOf("npm pkg delete devDependencies --workspaces --include-workspace-root");
    expect(drop).toBeGreaterThan(0);
    expect(deps.indexOf("npm ci --no-audit --no-fund --omit=dev")).toBeGreaterThan(drop);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(runtime).not.toMatch(/dist-dev|\/dev\b|connector-sdk-testing|schema/);
    const ignore = readFileSync(join(PACKAGE_DIR, "../../.dockerignore"), "utf8").split("\n");
    expect(ignore).toContain("**/dist-dev");
  });
});
