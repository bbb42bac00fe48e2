import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toJsonFile } from "../src/files.js";
import { buildCatalog, CATALOG_ID, DEFAULT_LOGO_PATH, main } from "../src/manifest.js";
import { captureOutput, TempDirs, validManifest, writeFile, writeManifest } from "./helpers.js";

const SCHEMA = { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: {} };

describe("catalog (root manifest.json)", () => {
  const temp = new TempDirs();
  let root: string;

  function addConnector(
    dir: string,
    manifest: Record<string, unknown> = validManifest(dir),
    schema: unknown = { ...SCHEMA, $id: dir },
  ) {
    // `null`: no generated schema.
    writeManifest(root, dir, manifest);
    if (schema !== null) {
      writeFile(join(root, "connectors", dir, "__metadata__", "connector_config_schema.json"), toJsonFile(schema));
    }
  }

  beforeEach(() => {
    root = temp.make();
    writeFile(join(root, "package.json"), toJsonFile({ name: "repo", version: "1.2.3" }));
  });
  afterEach(() => temp.cleanup());

  it("has OpenCTI's shape: id, name, description, version, contracts sorted by slug", () => {
    addConnector("zeta");
    addConnector("alpha");
    const { catalog, errors } = buildCatalog({ root });
    expect(errors).toEqual([]);
    expect(Object.keys(catalog)).toEqual(["id", "name", "description", "version", "contracts"]);
    expect(catalog.id).toBe(CATALOG_ID);
    expect(catalog.version).toBe("1.2.3");
    expect(catalog.contracts.map((c) => c.slug)).toEqual(["alpha", "zeta"]);
  });

  it("makes each contract the manifest, with the logo as a data URL and the generated config schema", () => {
    addConnector("alpha");
    const contract = buildCatalog({ root }).catalog.contracts[0]!;
    const manifest = validManifest("alpha");
    expect(Object.keys(contract)).toEqual([...Object.keys(manifest), "config_schema"]);
    expect(contract.config_schema).toEqual({ ...SCHEMA, $id: "alpha" });
    expect(contract.logo).toBe(`data:image/png;base64,${readFileSync(DEFAULT_LOGO_PATH).toString("base64")}`);
    expect(contract.title).toBe(manifest.title);
  });

  it("uses __metadata__/logo.png, or the manifest's logo path, over the default", () => {
    addConnector("alpha");
    addConnector("beta", validManifest("beta", { logo: "assets/beta.svg" }));
    writeFile(join(root, "connectors", "alpha", "__metadata__", "logo.png"), Buffer.from("alpha-logo"));
    writeFile(join(root, "assets", "beta.svg"), "<svg/>");
    const [alpha, beta] = buildCatalog({ root }).catalog.contracts;
    expect(alpha?.logo).toBe(`data:image/png;base64,${Buffer.from("alpha-logo").toString("base64")}`);
    expect(beta?.logo).toBe(`data:image/svg+xml;base64,${Buffer.from("<svg/>").toString("base64")}`);
  });

  it("leaves out, with a reason, a connector with an invalid manifest, a missing schema or a missing logo", () => {
    addConnector("good");
    addConnector("bad-enum", validManifest("bad-enum", { license_type: "GPL" }));
    addConnector("no-schema", validManifest("no-schema"), null);
    addConnector("no-logo", validManifest("no-logo", { logo: "connectors/no-logo/__metadata__/logo.png" }));
    const { catalog, errors } = buildCatalog({ root });
    expect(catalog.contracts.map((c) => c.slug)).toEqual(["good"]);
    expect(errors).toHaveLength(3);
    expect(errors.find((e) => e.startsWith("connectors/bad-enum:"))).toContain(
      'license_type: must be one of "Free", "Commercial"',
    );
    expect(errors.find((e) => e.startsWith("connectors/no-schema:"))).toContain(
      "connector_config_schema.json missing (run npm run metadata)",
    );
    expect(errors.find((e) => e.startsWith("connectors/no-logo:"))).toContain(
      "logo 'connectors/no-logo/__metadata__/logo.png' not found",
    );
  });

  it("writes manifest.json, then --check passes; --check fails when it is missing or stale", async () => {
    addConnector("alpha");
    const output = captureOutput();
    expect(await main(["--root", root, "--check"], output)).toBe(1);
    expect(output.stderr).toContain("manifest.json is missing");

    expect(await main(["--root", root], output)).toBe(0);
    const written = readFileSync(join(root, "manifest.json"), "utf8");
    expect(JSON.parse(written).contracts).toHaveLength(1);
    expect(written.endsWith("}\n")).toBe(true);
    expect(await main(["--root", root, "--check"], output)).toBe(0);

    addConnector("beta");
    expect(await main(["--root", root, "--check"], output)).toBe(1);
    expect(output.stderr).toContain("manifest.json is not up to date");
  });

  it("writes elsewhere with --out, and fails without writing when a connector is invalid", async () => {
    addConnector("alpha");
    const out = join(root, "out", "catalog.json");
    writeFile(out, "");
    expect(await main(["--root", root, "--out", out], captureOutput())).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).contracts[0].slug).toBe("alpha");

    addConnector("broken", validManifest("broken", { container_type: "SOMETHING" }));
    writeFileSync(out, "untouched");
    const output = captureOutput();
    expect(await main(["--root", root, "--out", out], output)).toBe(1);
    expect(output.stderr).toContain("error: connectors/broken: invalid connector_manifest.json");
    expect(readFileSync(out, "utf8")).toBe("untouched");
    expect(existsSync(join(root, "manifest.json"))).toBe(false);
  });
});
