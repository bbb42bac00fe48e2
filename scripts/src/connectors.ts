/** Finding the repository's connectors: every `connectors/<dir>/` with `__metadata__/connector_manifest.json`. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const METADATA_DIR = "__metadata__";
export const MANIFEST_FILE = "connector_manifest.json";
export const CONFIG_SCHEMA_FILE = "connector_config_schema.json";
export const CONFIG_DOC_FILE = "CONNECTOR_CONFIG_DOC.md";

export interface ConnectorDir {
  /** The directory name (what the manifest's `slug` must equal). */
  readonly dirName: string;
  /** Absolute path of `connectors/<dirName>`. */
  readonly dir: string;
  /** `connectors/<dirName>`, for messages. */
  readonly relDir: string;
  readonly manifestPath: string;
}

export function metadataPath(connector: ConnectorDir, file: string): string {
  return join(connector.dir, METADATA_DIR, file);
}

/** Connectors under `<root>/connectors`, sorted by directory name. */
export function findConnectors(root: string): ConnectorDir[] {
  const base = join(root, "connectors");
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
    .map((entry) => entry.name)
    .sort()
    .map((dirName) => ({
      dirName,
      dir: join(base, dirName),
      relDir: `connectors/${dirName}`,
      manifestPath: join(base, dirName, METADATA_DIR, MANIFEST_FILE),
    }))
    .filter((connector) => existsSync(connector.manifestPath));
}
