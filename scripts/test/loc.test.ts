/** `npm run loc`: line counts of the plugin's production code and of the template handler, against their limits. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/cli.js";
import { codeLines, countLines, main, measure, PLUGIN_SRC, pluginFiles, TEMPLATE_HANDLER } from "../src/loc.js";
import { captureOutput, TempDirs, writeFile } from "./helpers.js";

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const lines = (n: number, text = "x;") => `${Array.from({ length: n }, () => text).join("\n")}\n`;

/** A repository with a plugin of `sizes` lines per file, tooling in `dev/` and `src/tools/`, and a template handler. */
function fixtureRepo(sizes: Record<string, number>, handlerLines: number): string {
  const root = temp.make("octi-loc-");
  for (const [file, n] of Object.entries(sizes)) writeFile(join(root, PLUGIN_SRC, file), lines(n));
  writeFile(join(root, PLUGIN_SRC, "../dev/simulator/server.ts"), lines(5000));
  writeFile(join(root, PLUGIN_SRC, "../dev/tools/replay.ts"), lines(3000));
  writeFile(join(root, PLUGIN_SRC, "tools/config-check.ts"), lines(300));
  writeFile(join(root, PLUGIN_SRC, "README.md"), lines(50));
  writeFile(join(root, TEMPLATE_HANDLER), lines(handlerLines));
  return root;
}

describe("countLines", () => {
  it.each([
    ["", 0],
    ["a", 1],
    ["a\n", 1],
    ["a\nb", 2],
    ["a\n\n", 2],
    ["\n\n\n", 3],
  ])("%j has %i lines", (text, expected) => {
    expect(countLines(text)).toBe(expected);
  });
});

describe("codeLines", () => {
  it.each([
    ["blank lines", "\n  \n\t\n", 0],
    ["line comments", "// a\n  // b\nx; // c\n", 1],
    ["a doc comment", "/**\n * what\n */\nexport const a = 1;\n", 1],
    ["a one-line block comment", "/* a */\n/* b */ x;\n", 1],
    ["a string holding /* (not a comment)", 'const glob = "src/**/*.ts";\nx;\n', 2],
    ["code after a block comment ends", "/* a\n b */ x;\n", 1],
  ])("%s", (_name, text, expected) => {
    expect(codeLines(text)).toBe(expected);
  });
});

describe("measure", () => {
  it("counts the .ts files of the plugin's src/ (not dev/, not src/tools/), and the template handler", () => {
    const root = fixtureRepo({ "handler.ts": 30, "mapping/table.ts": 20, "sentinelone/client.ts": 10 }, 12);
    const report = measure(root);
    expect(report.plugin.files.map((f) => [f.path.slice(PLUGIN_SRC.length + 1), f.lines])).toEqual([
      ["handler.ts", 30],
      ["mapping/table.ts", 20],
      ["sentinelone/client.ts", 10],
    ]);
    expect(report.plugin.lines).toBe(60);
    expect(report.plugin.code).toBe(60);
    expect(report.templateHandler).toEqual({ path: TEMPLATE_HANDLER, lines: 12, code: 12 });
  });

  it("takes another template file when told which one an author edits", () => {
    const root = fixtureRepo({ "a.ts": 1 }, 1);
    writeFile(join(root, "templates/stream/src/plugin.ts"), lines(7));
    expect(measure(root, "templates/stream/src/plugin.ts").templateHandler.lines).toBe(7);
  });

  it("names what is missing", () => {
    const root = temp.make("octi-loc-");
    expect(() => measure(root)).toThrow(`${PLUGIN_SRC}: not found under ${root}`);
    const noTemplate = fixtureRepo({ "a.ts": 1 }, 1);
    expect(() => measure(noTemplate, "templates/stream/src/gone.ts")).toThrow(
      /gone\.ts: not found.*--template-handler/,
    );
  });
});

describe("npm run loc", () => {
  it("reports sizes over the limits without failing", async () => {
    const root = fixtureRepo({ "handler.ts": 700, "client.ts": 600 }, 61);
    const output = captureOutput();
    expect(await main(["--root", root], output)).toBe(0);
    expect(output.stdout).toMatch(/^\s+700\s+700 {2}handler\.ts$/m);
    expect(output.stdout).toMatch(/^\s+1,300\s+1,300 {2}total, 2 files: OVER the limit of 1,200 lines by 100$/m);
    expect(output.stdout).toMatch(/61\s+61 {2}templates\/stream\/src\/handler\.ts: OVER the limit of 60 lines by 1$/m);
    expect(output.stdout).not.toContain("server.ts");
    expect(output.stdout).not.toContain("replay.ts");
  });

  it("reports sizes within the limits", async () => {
    const root = fixtureRepo({ "handler.ts": 1200 }, 60);
    const output = captureOutput();
    expect(await main(["--root", root], output)).toBe(0);
    expect(output.stdout).toContain("total, 1 file: within the limit of 1,200 lines (0 to spare)");
    expect(output.stdout).toContain("handler.ts: within the limit of 60 lines (0 to spare)");
  });

  it("refuses unknown options with the usage", async () => {
    await expect(main(["--nope"], captureOutput())).rejects.toThrow(/Usage: npm run loc/);
  });

  it("counts this repository's plugin as wc -l does", () => {
    const files = pluginFiles(REPO_ROOT);
    expect(files.some((f) => f.endsWith("/handler.ts"))).toBe(true);
    expect(files.some((f) => f.includes("/simulator/") || f.endsWith("/demo.ts"))).toBe(false);
    const wc = execFileSync("wc", ["-l", ...files], { cwd: REPO_ROOT, encoding: "utf8" });
    const total = Number(/^\s*(\d+) total$/m.exec(wc)?.[1] ?? /^\s*(\d+) /.exec(wc)?.[1]);
    expect(measure(REPO_ROOT).plugin.lines).toBe(total);
  });
});
