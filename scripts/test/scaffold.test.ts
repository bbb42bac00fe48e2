/**
 * A fresh scaffold builds and passes its own tests: a connector is created into a temporary copy of the repository
 * (symlinks to the real SDK, node_modules, base tsconfig, biome config and templates, plus an empty connectors/), then its
 * TypeScript build, its type-check and its vitest suite run as child processes, and the metadata generated from its
 * build passes every lint rule. This is how CI proves the template works. It needs the SDK built (`npm test` builds
 * it first through turbo).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/cli.js";
import { createConnector, formatConnector } from "../src/create-connector.js";
import { lintConnectors } from "../src/lint-connectors.js";
import { runMetadata } from "../src/metadata.js";
import { TempDirs } from "./helpers.js";

const run = promisify(execFile);
const SLUG = "scaffold-check";
const STEP_TIMEOUT = 240_000;

/** The environment of a child process: ours without the variables vitest sets for its own workers. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" };
  for (const key of Object.keys(env)) if (key.startsWith("VITEST") || key.startsWith("__VITEST")) delete env[key];
  delete env.NODE_ENV;
  return env;
}

async function npx(cwd: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run("npx", ["--no-install", ...args], {
      cwd,
      env: childEnv(),
      timeout: STEP_TIMEOUT,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof failed.code === "number" ? failed.code : 1,
      output: `${failed.message}\n${failed.stdout ?? ""}${failed.stderr ?? ""}`,
    };
  }
}

describe("a freshly scaffolded stream connector", () => {
  const temp = new TempDirs();
  let root: string;
  let dir: string;

  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, "connector-sdk", "dist", "index.d.ts"))) {
      throw new Error("connector-sdk/dist is missing: build the SDK first (npm run build, or npm test which builds)");
    }
    root = temp.make("octi-scaffold-");
    for (const entry of [
      "connector-sdk",
      "connector-sdk-testing",
      "node_modules",
      "tsconfig.base.json",
      "templates",
      "biome.json",
    ]) {
      symlinkSync(join(REPO_ROOT, entry), join(root, entry));
    }
    mkdirSync(join(root, "connectors"));
    dir = createConnector({ name: SLUG, root }).dir;
    // As `npm run create-connector` does.
    const problem = formatConnector(root, dir);
    if (problem) throw new Error(problem);
  });
  afterAll(() => temp.cleanup());

  it("passes the repository's biome check", { timeout: STEP_TIMEOUT }, async () => {
    const result = await npx(root, ["biome", "check", `connectors/${SLUG}`]);
    expect(result.code, result.output).toBe(0);
  });

  it("builds with tsc -p tsconfig.build.json", { timeout: STEP_TIMEOUT }, async () => {
    const result = await npx(dir, ["tsc", "-p", "tsconfig.build.json"]);
    expect(result.code, result.output).toBe(0);
    expect(existsSync(join(dir, "dist", "index.js"))).toBe(true);
    expect(existsSync(join(dir, "dist", "main.js"))).toBe(true);
  });

  it("type-checks its sources and tests (its lint script)", { timeout: STEP_TIMEOUT }, async () => {
    const result = await npx(dir, ["tsc", "-p", "tsconfig.json", "--noEmit"]);
    expect(result.code, result.output).toBe(0);
  });

  it("passes its own tests (config, client, end to end on the OpenCTI simulator)", {
    timeout: STEP_TIMEOUT,
  }, async () => {
    const result = await npx(dir, ["vitest", "run"]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Test Files\s+3 passed/);
  });

  it("gets its metadata generated from the build, and then passes every lint rule", {
    timeout: STEP_TIMEOUT,
  }, async () => {
    expect(existsSync(join(dir, "dist", "index.js")), "the build step must run first").toBe(true);
    const report = await runMetadata({ root, only: [SLUG] });
    expect(report.errors).toEqual([]);
    expect(report.changed.map((c) => c.status)).toEqual(["missing", "missing"]);
    const lint = await lintConnectors({ root });
    expect(lint.findings).toEqual([]);
  });
});
