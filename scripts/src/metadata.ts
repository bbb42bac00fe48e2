/**
 * `npm run metadata` writes, for every connector with a `__metadata__/connector_manifest.json`, the generated
 * `__metadata__/connector_config_schema.json` and `__metadata__/CONNECTOR_CONFIG_DOC.md` from its config schema:
 * the built plugin (`connectors/<dir>/dist/index.js`, export `plugin`) through the SDK's `buildConfigSchema`.
 * `npm run metadata -- --check` writes nothing and fails listing every stale or missing file (CI).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { ConfigSchema, ConfigSpec } from "@octi/connector-sdk";
import { isMain, type Output, parseScriptArgs, REPO_ROOT, runCli, ScriptError } from "./cli.js";
import { renderConfigDoc } from "./config-doc.js";
import { CONFIG_DOC_FILE, CONFIG_SCHEMA_FILE, type ConnectorDir, findConnectors, metadataPath } from "./connectors.js";
import { toEnvSchema } from "./env-schema.js";
import { toJsonFile } from "./files.js";

/** Gives the merged config schema of a connector. The default imports its build; tests pass a fake. */
export type SchemaLoader = (connector: ConnectorDir) => Promise<ConfigSchema>;

/** Imports `connectors/<dir>/dist/index.js` and runs the SDK's `buildConfigSchema` on its `plugin` export. */
export const loadBuiltSchema: SchemaLoader = async (connector) => {
  const entry = join(connector.dir, "dist", "index.js");
  if (!existsSync(entry)) {
    throw new Error("dist/index.js not found; build it first (npm run build)");
  }
  const module = (await import(pathToFileURL(entry).href)) as { plugin?: ConfigSpec };
  if (!module.plugin || typeof module.plugin !== "object") {
    throw new Error("dist/index.js has no `plugin` export");
  }
  const sdk = await import("@octi/connector-sdk");
  return sdk.buildConfigSchema(module.plugin);
};

export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** The generated files of one connector, as they must be on disk. */
export async function generateMetadata(connector: ConnectorDir, loader: SchemaLoader): Promise<GeneratedFile[]> {
  const envSchema = toEnvSchema(await loader(connector), connector.dirName);
  return [
    { path: metadataPath(connector, CONFIG_SCHEMA_FILE), content: toJsonFile(envSchema) },
    { path: metadataPath(connector, CONFIG_DOC_FILE), content: renderConfigDoc(envSchema) },
  ];
}

export type FileStatus = "up-to-date" | "stale" | "missing";

export function fileStatus(file: GeneratedFile): FileStatus {
  if (!existsSync(file.path)) return "missing";
  return readFileSync(file.path, "utf8") === file.content ? "up-to-date" : "stale";
}

/** 1-based number of the first line where the file on disk differs from what it should be. */
function firstDifferentLine(file: GeneratedFile): number {
  const actual = readFileSync(file.path, "utf8").split("\n");
  const expected = file.content.split("\n");
  const length = Math.max(actual.length, expected.length);
  for (let i = 0; i < length; i++) if (actual[i] !== expected[i]) return i + 1;
  return 1;
}

export interface MetadataOptions {
  readonly root: string;
  readonly check?: boolean;
  readonly loader?: SchemaLoader;
  /** Only these connector directory names. */
  readonly only?: readonly string[];
}

export interface MetadataReport {
  /** Written (write mode) or needing a write (check mode), relative to the root. */
  readonly changed: readonly {
    readonly path: string;
    readonly status: Exclude<FileStatus, "up-to-date">;
    readonly line?: number;
  }[];
  readonly upToDate: readonly string[];
  /** Connectors whose schema could not be produced. */
  readonly errors: readonly string[];
  readonly connectors: readonly string[];
}

export async function runMetadata(options: MetadataOptions): Promise<MetadataReport> {
  const loader = options.loader ?? loadBuiltSchema;
  let connectors = findConnectors(options.root);
  if (options.only) {
    const unknown = options.only.filter((name) => !connectors.some((c) => c.dirName === name));
    if (unknown.length > 0) throw new ScriptError(`No connector with a manifest named: ${unknown.join(", ")}`, 2);
    connectors = connectors.filter((c) => options.only?.includes(c.dirName));
  }
  const changed: { path: string; status: Exclude<FileStatus, "up-to-date">; line?: number }[] = [];
  const upToDate: string[] = [];
  const errors: string[] = [];
  for (const connector of connectors) {
    let files: GeneratedFile[];
    try {
      files = await generateMetadata(connector, loader);
    } catch (error) {
      errors.push(`${connector.relDir}: ${(error as Error).message}`);
      continue;
    }
    for (const file of files) {
      const status = fileStatus(file);
      const path = relative(options.root, file.path);
      if (status === "up-to-date") {
        upToDate.push(path);
        continue;
      }
      changed.push(
        status === "stale" && options.check ? { path, status, line: firstDifferentLine(file) } : { path, status },
      );
      if (!options.check) writeFileSync(file.path, file.content);
    }
  }
  return { changed, upToDate, errors, connectors: connectors.map((c) => c.dirName) };
}

const USAGE = "Usage: npm run metadata -- [--check] [--connector <dir>]... [--root <repoRoot>]";

export async function main(argv: string[], output: Output): Promise<number> {
  const values = parseScriptArgs<{ check?: boolean; root?: string; connector?: string[] }>(
    argv,
    {
      check: { type: "boolean" },
      root: { type: "string" },
      connector: { type: "string", multiple: true },
    },
    USAGE,
    output,
  );
  if (!values) return 0;
  const check = values.check === true;
  const report = await runMetadata({ root: values.root ?? REPO_ROOT, check, only: values.connector });
  for (const error of report.errors) output.err(`error: ${error}`);
  if (check) {
    if (report.changed.length > 0) {
      output.err("Generated metadata is not up to date (run `npm run metadata` and commit the result):");
      for (const file of report.changed) {
        output.err(
          `  ${file.path}: ${file.status === "missing" ? "missing" : `stale (first difference at line ${file.line})`}`,
        );
      }
    } else if (report.errors.length === 0) {
      output.out(`Generated metadata up to date (${report.connectors.length} connectors).`);
    }
    return report.changed.length > 0 || report.errors.length > 0 ? 1 : 0;
  }
  for (const file of report.changed) output.out(`${file.status === "missing" ? "created" : "updated"} ${file.path}`);
  output.out(
    `Metadata generated for ${report.connectors.length - report.errors.length} of ${report.connectors.length} connectors.`,
  );
  return report.errors.length > 0 ? 1 : 0;
}

if (isMain(import.meta.url)) await runCli(main);
