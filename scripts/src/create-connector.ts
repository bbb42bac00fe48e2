/**
 * `npm run create-connector -- --name <slug> [--type stream] [--title "My Title"] [--root <repoRoot>]`
 *
 * Copies `templates/<type>/` to `connectors/<slug>/`, filling the explicit placeholder tokens (see naming.ts) in file
 * contents and file names. It validates everything first and writes nothing unless the whole result is clean: an
 * invalid slug, an unsupported type, an existing directory or a placeholder left unfilled aborts the run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { isMain, type Output, parseScriptArgs, REPO_ROOT, runCli, ScriptError } from "./cli.js";
import { listFiles } from "./files.js";
import {
  type ConnectorNames,
  deriveNames,
  fillPlaceholders,
  leftoverPlaceholders,
  placeholderValues,
  slugProblems,
  titleProblems,
} from "./naming.js";

/** Connector types a template exists for. OpenCTI has five; this repository builds stream connectors only. */
export const SUPPORTED_TYPES: readonly string[] = ["stream"];

export interface CreateConnectorOptions {
  /** The slug (`my-connector`): directory name, catalog slug. */
  readonly name: string;
  readonly type?: string;
  /** Repository root; the connector goes to `<root>/connectors/<slug>`. */
  readonly root: string;
  /** Where the templates are (default `<root>/templates`). */
  readonly templatesDir?: string;
  /** Display title (default: the slug's words capitalised, `My Connector`). */
  readonly title?: string;
}

export interface CreatedConnector {
  readonly dir: string;
  readonly names: ConnectorNames;
  /** Written files, relative to `dir`, sorted. */
  readonly files: readonly string[];
}

interface RenderedFile {
  readonly path: string;
  readonly content: Buffer;
  readonly mode: number;
}

function isText(content: Buffer): boolean {
  return !content.includes(0);
}

/** Validates, renders the template in memory, checks no placeholder is left, then writes. */
export function createConnector(options: CreateConnectorOptions): CreatedConnector {
  const type = options.type ?? "stream";
  if (!SUPPORTED_TYPES.includes(type)) {
    throw new ScriptError(`Unsupported connector type '${type}'. Supported types: ${SUPPORTED_TYPES.join(", ")}.`, 2);
  }
  const problems = [
    ...slugProblems(options.name),
    ...(options.title === undefined ? [] : titleProblems(options.title)),
  ];
  if (problems.length > 0) throw new ScriptError(`Invalid connector name:\n  - ${problems.join("\n  - ")}`, 2);

  const names = deriveNames(options.name, options.title);
  const target = join(options.root, "connectors", names.slug);
  if (existsSync(target)) {
    throw new ScriptError(`${relative(options.root, target) || target} already exists; refusing to overwrite it.`);
  }
  const templateDir = join(options.templatesDir ?? join(options.root, "templates"), type);
  if (!existsSync(templateDir)) throw new ScriptError(`Template folder not found: ${templateDir}`);

  const values = placeholderValues(names);
  const rendered: RenderedFile[] = [];
  const leftovers: string[] = [];
  for (const file of listFiles(templateDir)) {
    const source = join(templateDir, file);
    const path = fillPlaceholders(file, values);
    for (const token of leftoverPlaceholders(path)) leftovers.push(`${file} (file name): ${token}`);
    let content = readFileSync(source);
    if (isText(content)) {
      const text = fillPlaceholders(content.toString("utf8"), values);
      text.split("\n").forEach((line, index) => {
        for (const token of leftoverPlaceholders(line)) leftovers.push(`${path}:${index + 1}: ${token}`);
      });
      content = Buffer.from(text, "utf8");
    }
    rendered.push({ path, content, mode: statSync(source).mode & 0o777 });
  }
  if (leftovers.length > 0) {
    throw new ScriptError(
      `The template left placeholders unfilled (nothing was written):\n  ${leftovers.join("\n  ")}\n` +
        `Known placeholders: ${Object.keys(values).join(", ")}.`,
    );
  }

  // The target itself is created without `recursive`, so a directory that appeared meanwhile still aborts.
  mkdirSync(dirname(target), { recursive: true });
  mkdirSync(target);
  for (const file of rendered) {
    const path = join(target, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content, { mode: file.mode });
  }
  return { dir: target, names, files: rendered.map((f) => f.path).sort() };
}

/**
 * Runs the repository's formatter (biome, safe fixes only) over the new connector: the placeholders' values change
 * line lengths and the sort order of imported names, so the filled files are formatted once. Returns a problem
 * message, or undefined when it ran cleanly.
 */
export function formatConnector(root: string, dir: string): string | undefined {
  const biome = join(root, "node_modules", ".bin", "biome");
  if (!existsSync(biome)) return "biome not found (run npm install); format the new files with npm run format";
  const result = spawnSync(biome, ["check", "--write", relative(root, dir)], { cwd: root, encoding: "utf8" });
  if (result.status === 0) return undefined;
  return `biome reported problems it could not fix:\n${result.stdout}${result.stderr}`.trim();
}

/** What to do after scaffolding, printed by the command line. */
export function nextSteps(created: CreatedConnector, root: string): string {
  const dir = relative(root, created.dir) || created.dir;
  const pkg = `@octi/connector-${created.names.slug}`;
  return [
    `Created ${dir} (${created.files.length} files) for '${created.names.title}'.`,
    "",
    "Next steps:",
    "  1. npm install                                   # links the new workspace",
    `  2. npm run build -- --filter=${pkg}`,
    `  3. npm test -- --filter=${pkg}`,
    "  4. npm run metadata                              # generates __metadata__/connector_config_schema.json and CONNECTOR_CONFIG_DOC.md",
    "  5. npm run manifest                              # adds it to the catalog (manifest.json): npm run check fails until 4 and 5",
    "  6. npm run check                                 # generated metadata, catalog rules, catalog up to date",
    `  7. Write the target API client (${dir}/src/client.ts), its failure policy (${dir}/src/target.ts) and the event handling (${dir}/src/handler.ts),`,
    `     the config (${dir}/src/config-schema.ts) and the catalog entry (${dir}/__metadata__/connector_manifest.json),`,
    "     then npm run metadata and npm run manifest again.",
    "",
    "Start it:",
    `  cp ${dir}/config.yml.sample ${dir}/config.yml   # then replace every ChangeMe`,
    `  node ${dir}/dist/main.js                         # after step 2; or: cd ${dir} && docker compose up -d`,
    "",
    `Remove it: rm -rf ${dir} && npm install && npm run manifest`,
    "",
  ].join("\n");
}

const USAGE =
  "Usage: npm run create-connector -- --name <slug> [--type stream] [--title <title>] [--root <repoRoot>] [--skip-format]";

export async function main(argv: string[], output: Output): Promise<number> {
  const values = parseScriptArgs<{
    name?: string;
    type?: string;
    root?: string;
    title?: string;
    "skip-format"?: boolean;
  }>(
    argv,
    {
      name: { type: "string", short: "n" },
      type: { type: "string", short: "t", default: "stream" },
      root: { type: "string" },
      title: { type: "string" },
      "skip-format": { type: "boolean" },
    },
    USAGE,
    output,
  );
  if (!values) return 0;
  if (values.name === undefined) throw new ScriptError(`--name is required.\n${USAGE}`, 2);
  const root = values.root ?? REPO_ROOT;
  const created = createConnector({ name: values.name, type: values.type, root, title: values.title });
  const formatProblem = values["skip-format"] ? undefined : formatConnector(root, created.dir);
  if (formatProblem) output.err(`warning: ${formatProblem}`);
  output.out(nextSteps(created, root));
  return 0;
}

if (isMain(import.meta.url)) await runCli(main);
