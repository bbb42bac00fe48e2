/**
 * `npm run loc`: the sizes issue 10 limits, reported without failing. The SentinelOne plugin's production code
 * (`connectors/sentinelone-intel/src` without `src/tools/`, as issue 10 defines it: "no simulator, no tools"; the
 * operator's config:check lives there, the simulator and the demo/replay tools in `dev/`, outside the production
 * build), per file and in total, against 1,200 lines; and the template handler a new author edits,
 * against 60 lines.
 *
 * Lines are counted as `wc -l` counts them (comments and blank lines included; a last line without a newline
 * counts too). "code" is the lines that are neither blank nor only comment, for reference.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMain, type Output, parseScriptArgs, REPO_ROOT, runCli, ScriptError } from "./cli.js";
import { listFiles } from "./files.js";

export const PLUGIN_SRC = "connectors/sentinelone-intel/src";
export const PLUGIN_LIMIT = 1200;
export const TEMPLATE_HANDLER = "templates/stream/src/handler.ts";
export const TEMPLATE_HANDLER_LIMIT = 60;

export interface FileSize {
  readonly path: string;
  readonly lines: number;
  readonly code: number;
}

/** Lines as `wc -l` counts them, plus a last line that has no newline. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let lines = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
  return text.endsWith("\n") ? lines : lines + 1;
}

/**
 * Lines that are neither blank nor only comment. Line-based: a block comment is seen where a line starts with
 * `/*`; one opened after code on the same line is not (a glob in a string looks the same).
 */
export function codeLines(text: string): number {
  let code = 0;
  let inBlock = false;
  for (const raw of text.split("\n")) {
    let line = raw.trim();
    if (inBlock) {
      const end = line.indexOf("*/");
      if (end < 0) continue;
      inBlock = false;
      line = line.slice(end + 2).trim();
    }
    while (line.startsWith("/*")) {
      const end = line.indexOf("*/", 2);
      if (end < 0) {
        inBlock = true;
        line = "";
        break;
      }
      line = line.slice(end + 2).trim();
    }
    if (line !== "" && !line.startsWith("//")) code++;
  }
  return code;
}

function sizeOf(root: string, path: string): FileSize {
  const text = readFileSync(join(root, path), "utf8");
  return { path, lines: countLines(text), code: codeLines(text) };
}

/** Operator tooling shipped beside the plugin (config:check), not the plugin itself: not counted. */
export const PLUGIN_TOOLS = "tools/";

/** The plugin's production `.ts` files, relative to the repository root, sorted. */
export function pluginFiles(root: string): string[] {
  const dir = join(root, PLUGIN_SRC);
  if (!existsSync(dir)) throw new ScriptError(`${PLUGIN_SRC}: not found under ${root} (is --root the repository?)`);
  return listFiles(dir)
    .filter((file) => file.endsWith(".ts") && !file.startsWith(PLUGIN_TOOLS))
    .map((file) => `${PLUGIN_SRC}/${file}`);
}

export interface LocReport {
  readonly plugin: { readonly files: readonly FileSize[]; readonly lines: number; readonly code: number };
  readonly templateHandler: FileSize;
}

export function measure(root: string, templateHandler = TEMPLATE_HANDLER): LocReport {
  const files = pluginFiles(root).map((path) => sizeOf(root, path));
  if (!existsSync(join(root, templateHandler))) {
    throw new ScriptError(
      `${templateHandler}: not found under ${root}; name the template file an author edits with --template-handler <path>`,
    );
  }
  return {
    plugin: {
      files: [...files].sort((a, b) => b.lines - a.lines || a.path.localeCompare(b.path)),
      lines: files.reduce((sum, file) => sum + file.lines, 0),
      code: files.reduce((sum, file) => sum + file.code, 0),
    },
    templateHandler: sizeOf(root, templateHandler),
  };
}

const number = (n: number) => n.toLocaleString("en-US");
const row = (lines: number, code: number, what: string) =>
  `${number(lines).padStart(7)} ${number(code).padStart(7)}  ${what}`;
const against = (lines: number, limit: number) =>
  lines <= limit
    ? `within the limit of ${number(limit)} lines (${number(limit - lines)} to spare)`
    : `OVER the limit of ${number(limit)} lines by ${number(lines - limit)}`;

export function formatReport(report: LocReport): string {
  const { plugin, templateHandler } = report;
  const prefix = `${PLUGIN_SRC}/`;
  const count = `${plugin.files.length} file${plugin.files.length === 1 ? "" : "s"}`;
  return [
    `SentinelOne plugin, production code (${prefix}):`,
    `${"lines".padStart(7)} ${"code".padStart(7)}  file`,
    ...plugin.files.map((file) => row(file.lines, file.code, file.path.slice(prefix.length))),
    row(plugin.lines, plugin.code, `total, ${count}: ${against(plugin.lines, PLUGIN_LIMIT)}`),
    "",
    "Template handler (the file a new connector's author edits):",
    row(
      templateHandler.lines,
      templateHandler.code,
      `${templateHandler.path}: ${against(templateHandler.lines, TEMPLATE_HANDLER_LIMIT)}`,
    ),
    "",
    "lines: as `wc -l` counts them, comments and blank lines included (what the limits count); code: neither blank nor only comment.",
  ].join("\n");
}

const USAGE = `Usage: npm run loc -- [--root <repoRoot>] [--template-handler <path>]
  Reports the SentinelOne plugin's production code lines and the template handler's, against 1,200 and 60 lines.
  Never fails on a limit.`;

export async function main(argv: string[], output: Output): Promise<number> {
  const values = parseScriptArgs<{ root?: string; "template-handler"?: string }>(
    argv,
    { root: { type: "string" }, "template-handler": { type: "string" } },
    USAGE,
    output,
  );
  if (!values) return 0;
  output.out(formatReport(measure(values.root ?? REPO_ROOT, values["template-handler"])));
  return 0;
}

if (isMain(import.meta.url)) await runCli(main);
