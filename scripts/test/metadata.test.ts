import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderConfigDoc } from "../src/config-doc.js";
import type { ConnectorDir } from "../src/connectors.js";
import { toEnvSchema } from "../src/env-schema.js";
import { toJsonFile } from "../src/files.js";
import { loadBuiltSchema, main, runMetadata, type SchemaLoader } from "../src/metadata.js";
import { captureOutput, fakeConfigSchema, TempDirs, validManifest, writeFile, writeManifest } from "./helpers.js";

const loader: SchemaLoader = async (connector) => fakeConfigSchema(connector.dirName.replace(/-/g, "_"));

describe("runMetadata", () => {
  const temp = new TempDirs();
  let root: string;
  const meta = (dir: string, file: string) => join(root, "connectors", dir, "__metadata__", file);

  beforeEach(() => {
    root = temp.make();
    writeManifest(root, "acme-intel", validManifest("acme-intel"));
    writeManifest(root, "beta", validManifest("beta"));
    // A folder without a manifest is not a catalog connector.
    writeFile(join(root, "connectors", "scratch", "README.md"), "# scratch\n");
  });
  afterEach(() => temp.cleanup());

  it("writes the schema and the doc of every connector with a manifest", async () => {
    const report = await runMetadata({ root, loader });
    expect(report.connectors).toEqual(["acme-intel", "beta"]);
    expect(report.changed).toEqual([
      { path: "connectors/acme-intel/__metadata__/connector_config_schema.json", status: "missing" },
      { path: "connectors/acme-intel/__metadata__/CONNECTOR_CONFIG_DOC.md", status: "missing" },
      { path: "connectors/beta/__metadata__/connector_config_schema.json", status: "missing" },
      { path: "connectors/beta/__metadata__/CONNECTOR_CONFIG_DOC.md", status: "missing" },
    ]);
    const envSchema = toEnvSchema(fakeConfigSchema("acme_intel"), "acme-intel");
    expect(readFileSync(meta("acme-intel", "connector_config_schema.json"), "utf8")).toBe(toJsonFile(envSchema));
    expect(readFileSync(meta("acme-intel", "CONNECTOR_CONFIG_DOC.md"), "utf8")).toBe(renderConfigDoc(envSchema));
    expect(JSON.parse(readFileSync(meta("beta", "connector_config_schema.json"), "utf8")).$id).toBe(
      "https://www.filigran.io/connectors/beta_config.schema.json",
    );
    expect(existsSync(join(root, "connectors", "scratch", "__metadata__"))).toBe(false);
  });

  it("writes byte-identical files on a second run (deterministic), reporting nothing changed", async () => {
    await runMetadata({ root, loader });
    const first = readFileSync(meta("acme-intel", "connector_config_schema.json"));
    const second = await runMetadata({ root, loader });
    expect(second.changed).toEqual([]);
    expect(second.upToDate).toHaveLength(4);
    expect(readFileSync(meta("acme-intel", "connector_config_schema.json")).equals(first)).toBe(true);
    expect(first.toString("utf8").endsWith("}\n")).toBe(true);
  });

  it("in check mode, lists stale and missing files with the first differing line, and writes nothing", async () => {
    await runMetadata({ root, loader });
    const doc = meta("acme-intel", "CONNECTOR_CONFIG_DOC.md");
    const lines = readFileSync(doc, "utf8").split("\n");
    lines[9] = "| EDITED | by | hand | | | |";
    writeFileSync(doc, lines.join("\n"));
    rmSync(meta("beta", "connector_config_schema.json"));

    const report = await runMetadata({ root, loader, check: true });
    expect(report.changed).toEqual([
      { path: "connectors/acme-intel/__metadata__/CONNECTOR_CONFIG_DOC.md", status: "stale", line: 10 },
      { path: "connectors/beta/__metadata__/connector_config_schema.json", status: "missing" },
    ]);
    expect(readFileSync(doc, "utf8")).toContain("| EDITED |");
    expect(existsSync(meta("beta", "connector_config_schema.json"))).toBe(false);
  });

  it("reports a connector whose schema cannot be built and still handles the others", async () => {
    const failing: SchemaLoader = async (connector) => {
      if (connector.dirName === "acme-intel") throw new Error("dist/index.js not found");
      return loader(connector);
    };
    const report = await runMetadata({ root, loader: failing });
    expect(report.errors).toEqual(["connectors/acme-intel: dist/index.js not found"]);
    expect(existsSync(meta("beta", "CONNECTOR_CONFIG_DOC.md"))).toBe(true);
  });

  it("can be limited to named connectors, and refuses unknown names", async () => {
    const report = await runMetadata({ root, loader, only: ["beta"] });
    expect(report.connectors).toEqual(["beta"]);
    await expect(runMetadata({ root, loader, only: ["gamma"] })).rejects.toThrow(/gamma/);
  });
});

describe("loadBuiltSchema", () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  function connector(root: string): ConnectorDir {
    const dir = join(root, "connectors", "acme");
    return {
      dirName: "acme",
      dir,
      relDir: "connectors/acme",
      manifestPath: join(dir, "__metadata__", "connector_manifest.json"),
    };
  }

  it("asks for a build when dist/index.js is missing", async () => {
    await expect(loadBuiltSchema(connector(temp.make()))).rejects.toThrow(/dist\/index.js not found; build it first/);
  });

  it("refuses a build without a plugin export", async () => {
    const root = temp.make();
    writeFile(join(root, "connectors", "acme", "dist", "index.js"), "export const notAPlugin = 1;\n");
    await expect(loadBuiltSchema(connector(root))).rejects.toThrow(/has no `plugin` export/);
  });
});

describe("metadata command line", () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it("refuses unknown options", async () => {
    await expect(main(["--chek"], captureOutput())).rejects.toThrow(/Unknown option '--chek'/);
  });

  it("in --check mode fails and names what is stale when a connector is not built", async () => {
    const root = temp.make();
    writeManifest(root, "acme", validManifest("acme"));
    const output = captureOutput();
    expect(await main(["--check", "--root", root], output)).toBe(1);
    expect(output.stderr).toContain("error: connectors/acme: dist/index.js not found");
  });
});
