/**
 * `npm run manifest` writes the catalog, root `manifest.json`, in the shape of OpenCTI's global manifest:
 * `{ id, name, description, version, contracts }`, one contract per connector = its `connector_manifest.json`
 * (validated against the manifest schema) with `logo` replaced by a data URL and `config_schema` added (the
 * generated `connector_config_schema.json`). `--check` writes nothing and fails when the file is stale or missing;
 * `--out <file>` writes elsewhere (e.g. to only prove the catalog builds).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { isMain, type Output, parseScriptArgs, REPO_ROOT, runCli, SCRIPTS_DIR } from "./cli.js";
import { CONFIG_SCHEMA_FILE, type ConnectorDir, findConnectors, METADATA_DIR, metadataPath } from "./connectors.js";
import { isRecord, readJsonFile, toJsonFile } from "./files.js";
import { validateManifest } from "./manifest-schema.js";

export const CATALOG_FILE = "manifest.json";
export const CATALOG_ID = "octi-ts-connectors-catalog";
export const CATALOG_NAME = "OpenCTI TypeScript connectors contracts";
export const DEFAULT_LOGO_PATH = join(SCRIPTS_DIR, "assets", "default-logo.png");

const LOGO_TYPES: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
};

export interface Catalog {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly contracts: readonly Readonly<Record<string, unknown>>[];
}

export function dataUrl(path: string): string {
  const type = LOGO_TYPES[extname(path).toLowerCase()];
  if (!type) throw new Error(`${path}: unsupported logo type (use ${Object.keys(LOGO_TYPES).join(", ")})`);
  return `data:${type};base64,${readFileSync(path).toString("base64")}`;
}

/**
 * The logo file of a connector: the manifest's `logo` path (relative to the repository root) when set, else
 * `__metadata__/logo.{png,svg,jpg,jpeg}`, else the default logo.
 */
export function logoPath(root: string, connector: ConnectorDir, manifestLogo: unknown, defaultLogo: string): string {
  if (typeof manifestLogo === "string" && manifestLogo !== "") {
    const path = join(root, manifestLogo);
    if (!existsSync(path))
      throw new Error(`logo '${manifestLogo}' not found (paths are relative to the repository root)`);
    return path;
  }
  for (const ext of Object.keys(LOGO_TYPES)) {
    const path = join(connector.dir, METADATA_DIR, `logo${ext}`);
    if (existsSync(path)) return path;
  }
  return defaultLogo;
}

export interface CatalogOptions {
  readonly root: string;
  readonly defaultLogo?: string;
  /** Catalog version (default: the root package.json's version, else "rolling"). */
  readonly version?: string;
}

export interface CatalogResult {
  readonly catalog: Catalog;
  /** Connectors left out of the catalog, with why. */
  readonly errors: readonly string[];
}

function rootVersion(root: string): string {
  const path = join(root, "package.json");
  if (!existsSync(path)) return "rolling";
  const pkg = readJsonFile(path);
  return isRecord(pkg) && typeof pkg.version === "string" ? pkg.version : "rolling";
}

export function buildCatalog(options: CatalogOptions): CatalogResult {
  const defaultLogo = options.defaultLogo ?? DEFAULT_LOGO_PATH;
  const contracts: Record<string, unknown>[] = [];
  const errors: string[] = [];
  for (const connector of findConnectors(options.root)) {
    try {
      const manifest = readJsonFile(connector.manifestPath);
      const problems = validateManifest(manifest);
      if (problems.length > 0 || !isRecord(manifest)) {
        throw new Error(`invalid connector_manifest.json:\n    ${problems.join("\n    ")}`);
      }
      const schemaPath = metadataPath(connector, CONFIG_SCHEMA_FILE);
      if (!existsSync(schemaPath))
        throw new Error(`${METADATA_DIR}/${CONFIG_SCHEMA_FILE} missing (run npm run metadata)`);
      const contract: Record<string, unknown> = { ...manifest };
      contract.logo = dataUrl(logoPath(options.root, connector, manifest.logo, defaultLogo));
      contract.config_schema = readJsonFile(schemaPath);
      contracts.push(contract);
    } catch (error) {
      errors.push(`${connector.relDir}: ${(error as Error).message}`);
    }
  }
  contracts.sort((a, b) => String(a.slug).localeCompare(String(b.slug)));
  return {
    catalog: {
      id: CATALOG_ID,
      name: CATALOG_NAME,
      description: "",
      version: options.version ?? rootVersion(options.root),
      contracts,
    },
    errors,
  };
}

const USAGE = "Usage: npm run manifest -- [--check] [--out <file>] [--root <repoRoot>]";

export async function main(argv: string[], output: Output): Promise<number> {
  const values = parseScriptArgs<{ check?: boolean; out?: string; root?: string }>(
    argv,
    {
      check: { type: "boolean" },
      out: { type: "string" },
      root: { type: "string" },
    },
    USAGE,
    output,
  );
  if (!values) return 0;
  const root = values.root ?? REPO_ROOT;
  const { catalog, errors } = buildCatalog({ root });
  for (const error of errors) output.err(`error: ${error}`);
  if (errors.length > 0) return 1;
  const target = values.out ?? join(root, CATALOG_FILE);
  const content = toJsonFile(catalog);
  const rel = relative(root, target);
  const shown = rel === "" || rel.startsWith("..") ? target : rel;
  if (values.check) {
    if (!existsSync(target)) {
      output.err(`${shown} is missing (run \`npm run manifest\`).`);
      return 1;
    }
    if (readFileSync(target, "utf8") !== content) {
      output.err(`${shown} is not up to date (run \`npm run manifest\` and commit the result).`);
      return 1;
    }
    output.out(`${shown} up to date (${catalog.contracts.length} contracts).`);
    return 0;
  }
  writeFileSync(target, content);
  output.out(`Wrote ${shown} (${catalog.contracts.length} contracts).`);
  return 0;
}

if (isMain(import.meta.url)) await runCli(main);
