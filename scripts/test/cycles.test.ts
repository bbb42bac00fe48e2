import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/cli.js";
import { checkedFiles, findCycles, importSpecifiers, main } from "../src/cycles.js";
import { captureOutput, TempDirs, writeFile } from "./helpers.js";

const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** A repository with the given files (paths relative to its root). */
function repo(files: Record<string, string>): string {
  const root = temp.make();
  for (const [path, text] of Object.entries(files)) writeFile(join(root, path), text);
  return root;
}

describe("cycles", () => {
  it("reads relative imports of every form, multi-line ones included, and ignores packages", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      "import {",
      "  c,",
      '} from "./c.js";',
      'export * from "./d.js";',
      'import "./e.js";',
      'const f = await import("./f.js");',
      'import { g } from "@octi/connector-sdk";',
    ].join("\n");
    expect(importSpecifiers(text).sort()).toEqual(["../b.js", "./a.js", "./c.js", "./d.js", "./e.js", "./f.js"]);
  });

  it("finds every cycle, a self-import too, and nothing in a tree", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
      ["e", ["e"]],
      ["f", ["d"]],
    ]);
    expect(findCycles(graph)).toEqual([["a", "b", "c"], ["e"]]);
    expect(
      findCycles(
        new Map([
          ["x", ["y"]],
          ["y", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("fails on a cycle through a barrel and on config importing runtime, naming the files", async () => {
    const root = repo({
      "connectors/acme/src/index.ts": 'export * from "./handler.js";\n',
      "connectors/acme/src/handler.ts": 'import type { X } from "./index.js";\n',
      "connector-sdk/src/config/build.ts": 'import type { P } from "../runtime/plugin.js";\n',
      "connector-sdk/src/runtime/plugin.ts": "export type P = 1;\n",
      "bench/src/run.ts": 'import { r } from "./report.js";\n',
      "bench/src/report.ts": "export const r = 1;\n",
    });
    expect(checkedFiles(root).sort()).toEqual([
      "bench/src/report.ts",
      "bench/src/run.ts",
      "connector-sdk/src/config/build.ts",
      "connector-sdk/src/runtime/plugin.ts",
      "connectors/acme/src/handler.ts",
      "connectors/acme/src/index.ts",
    ]);
    const output = captureOutput();
    expect(await main(["--root", root], output)).toBe(1);
    expect(output.stderr).toContain("import cycle: connectors/acme/src/handler.ts ↔ connectors/acme/src/index.ts");
    expect(output.stderr).toContain(
      "layer rule broken: connector-sdk/src/config/build.ts → connector-sdk/src/runtime/plugin.ts (config is a leaf)",
    );
  });

  it("passes on this repository", async () => {
    const output = captureOutput();
    expect(await main(["--root", REPO_ROOT], output)).toBe(0);
    expect(output.stderr).toBe("");
  });
});
