import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/cli.js";
import { createConnector } from "../src/create-connector.js";
import { toJsonFile } from "../src/files.js";
import { type Finding, formatReport, lintConnectors, main } from "../src/lint-connectors.js";
import { RULES } from "../src/lint-rules.js";
import { runMetadata, type SchemaLoader } from "../src/metadata.js";
import { captureOutput, fakeConfigSchema, TempDirs } from "./helpers.js";

const loader: SchemaLoader = async (connector) => fakeConfigSchema(connector.dirName.replace(/-/g, "_"));

describe("connector lint rules", () => {
  const temp = new TempDirs();
  let root: string;
  const file = (dir: string, path: string) => join(root, "connectors", dir, path);
  const edit = (dir: string, path: string, change: (text: string) => string) =>
    writeFileSync(file(dir, path), change(readFileSync(file(dir, path), "utf8")));
  const editManifest = (dir: string, change: (manifest: Record<string, unknown>) => void) =>
    edit(dir, "__metadata__/connector_manifest.json", (text) => {
      const manifest = JSON.parse(text) as Record<string, unknown>;
      change(manifest);
      return toJsonFile(manifest);
    });

  /** A fresh scaffold with its metadata generated: the baseline every rule accepts. */
  async function scaffold(name: string): Promise<void> {
    createConnector({ name, root, templatesDir: join(REPO_ROOT, "templates") });
    await runMetadata({ root, loader, only: [name] });
  }

  async function lint(select?: string[]): Promise<Finding[]> {
    return [...(await lintConnectors({ root, loader, select })).findings];
  }

  const codes = (findings: Finding[]) => [...new Set(findings.map((f) => f.code))];

  beforeEach(async () => {
    root = temp.make();
    await scaffold("acme-intel");
  });
  afterEach(() => temp.cleanup());

  it("has unique codes, names and descriptions", () => {
    expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length);
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
    expect(RULES.every((r) => /^OC\d{3}$/.test(r.code) && r.description.length > 0)).toBe(true);
  });

  it("finds nothing in a fresh scaffold with generated metadata", async () => {
    expect(await lint()).toEqual([]);
  });

  it("OC111 catches tsyringe or reflect-metadata imported or depended on by a connector", async () => {
    edit("acme-intel", "src/main.ts", (text) => `import "reflect-metadata";\n${text}`);
    edit("acme-intel", "src/handler.ts", (text) => text.replace("\n", '\nimport { inject } from "tsyringe";\n'));
    edit("acme-intel", "package.json", (text) =>
      text.replace('"@octi/connector-sdk": ', '"tsyringe": "4.10.0",\n    "@octi/connector-sdk": '),
    );
    const findings = await lint(["OC111"]);
    expect(findings.map((f) => [f.file, f.line, f.message])).toEqual([
      ["connectors/acme-intel/src/handler.ts", 2, "imports tsyringe"],
      ["connectors/acme-intel/src/main.ts", 1, "imports reflect-metadata"],
      ["connectors/acme-intel/package.json", undefined, "depends on tsyringe"],
    ]);
  });

  it("OC101 catches a manifest that breaks the schema, or is not JSON", async () => {
    editManifest("acme-intel", (m) => {
      m.solution_categories = ["EDR"];
      delete m.contact;
    });
    let findings = await lint();
    expect(codes(findings)).toEqual(["OC101"]);
    expect(findings.map((f) => f.message)).toEqual([
      "manifest: missing field 'contact'",
      expect.stringMatching(/^solution_categories\.0: must be one of/),
    ]);
    expect(findings[0]?.file).toBe("connectors/acme-intel/__metadata__/connector_manifest.json");

    writeFileSync(file("acme-intel", "__metadata__/connector_manifest.json"), "{ not json");
    findings = await lint(["OC101"]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(/invalid JSON/);
  });

  it("OC102 catches a container image not named after the directory, and a pinned version", async () => {
    editManifest("acme-intel", (m) => {
      m.container_image = "octi-ts/connector-acme";
      m.container_version = "1.0.0";
    });
    const findings = await lint();
    expect(codes(findings)).toEqual(["OC102"]);
    expect(findings.map((f) => f.message)).toEqual([
      "container_image must be 'octi-ts/connector-acme-intel', not \"octi-ts/connector-acme\"",
      "container_version must be 'rolling', not \"1.0.0\"",
    ]);
  });

  it("OC108 catches a Dockerfile without HEALTHCHECK, and a compose file without healthcheck or metrics", async () => {
    edit("acme-intel", "Dockerfile", (t) => t.replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, ""));
    edit("acme-intel", "docker-compose.yml", (t) =>
      t
        .replace(/^\s+healthcheck:\n(?:\s{6}.*\n)*/m, "")
        .replace("CONNECTOR_EXPOSE_METRICS=true", "CONNECTOR_EXPOSE_METRICS=no"),
    );
    const findings = await lint();
    expect(codes(findings)).toEqual(["OC108"]);
    expect(findings.map((f) => f.message)).toEqual([
      "no HEALTHCHECK (ask /health of the metrics server)",
      "no healthcheck: section (enable the image's HEALTHCHECK)",
      "CONNECTOR_EXPOSE_METRICS=true is needed: the health check asks the metrics server's /health",
    ]);
  });

  it("OC109 catches a compose file that sets a default (it would override a mounted config.yml)", async () => {
    edit("acme-intel", "docker-compose.yml", (t) =>
      t.replace(
        "      - CONNECTOR_ID=ChangeMe\n",
        "      - CONNECTOR_ID=ChangeMe\n      - CONNECTOR_LOG_LEVEL=error\n      - CONNECTOR_NAME=\n",
      ),
    );
    const findings = await lint();
    expect(codes(findings)).toEqual(["OC109"]);
    expect(findings.map((f) => f.message)).toEqual([
      "CONNECTOR_LOG_LEVEL=error is the default: comment it out, or it overrides a mounted config.yml",
      "CONNECTOR_NAME= is empty: comment it out, or it overrides a mounted config.yml",
    ]);
  });

  it("OC110 asks a README that replaces a Python connector for a migration section covering the essentials", async () => {
    edit("acme-intel", "README.md", (t) => `${t}\nThis connector replaces the Python connector of the same name.\n`);
    expect((await lint()).map((f) => f.message)).toEqual(["missing section 'Migrating from the Python connector'"]);
    edit(
      "acme-intel",
      "README.md",
      (t) => `${t}\n## Migrating from the Python connector\n\nKeep CONNECTOR_ID. Build with docker build.\n`,
    );
    expect((await lint()).map((f) => f.message)).toEqual([
      "the migration section does not mention externalId",
      "the migration section does not mention CONNECTOR_LOG_LEVEL",
      "the migration section does not mention config:check",
    ]);
  });

  it("OC103 catches a short description over 250 characters (and only OC103 reports it)", async () => {
    editManifest("acme-intel", (m) => {
      m.short_description = "é".repeat(251);
    });
    const findings = await lint();
    expect(codes(findings)).toEqual(["OC103"]);
    expect(findings[0]?.message).toBe("short_description has 251 characters (at most 250)");
  });

  it("OC104 catches a required secret or id that is not ChangeMe in each sample, with its line", async () => {
    edit("acme-intel", "config.yml.sample", (t) => t.replace("api_key: 'ChangeMe'", "api_key: 'sk-live-123'"));
    edit("acme-intel", ".env.sample", (t) => t.replace("OPENCTI_TOKEN=ChangeMe", "OPENCTI_TOKEN=abc"));
    edit("acme-intel", "docker-compose.yml", (t) => t.replace("      - CONNECTOR_ID=ChangeMe\n", ""));
    const keyLine =
      readFileSync(file("acme-intel", "config.yml.sample"), "utf8").split("\n").indexOf("  api_key: 'sk-live-123'") + 1;
    expect(keyLine).toBeGreaterThan(0);
    const findings = await lint();
    expect(codes(findings)).toEqual(["OC104"]);
    expect(findings.map((f) => `${f.file}:${f.line ?? "-"} ${f.message}`)).toEqual([
      `connectors/acme-intel/config.yml.sample:${keyLine} acme_intel.api_key must be 'ChangeMe', not 'sk-live-123'`,
      "connectors/acme-intel/.env.sample:3 OPENCTI_TOKEN must be 'ChangeMe', not 'abc'",
      "connectors/acme-intel/docker-compose.yml:- CONNECTOR_ID is missing; set it to 'ChangeMe'",
    ]);
  });

  it("OC104 catches a missing config.yml.sample", async () => {
    rmSync(file("acme-intel", "config.yml.sample"));
    const findings = await lint();
    expect(codes(findings)).toEqual(["OC104"]);
    expect(findings[0]?.message).toBe("config.yml.sample missing");
  });

  it("OC105 catches a slug that is not the directory name, and a slug or image used twice", async () => {
    await scaffold("beta");
    editManifest("beta", (m) => {
      m.slug = "acme-intel";
    });
    const findings = await lint(["OC105"]);
    expect(findings.map((f) => `${f.connector}: ${f.message}`)).toEqual([
      "connectors/acme-intel: slug 'acme-intel' is also used by connectors/beta",
      "connectors/beta: slug \"acme-intel\" must equal the directory name 'beta'",
      "connectors/beta: slug 'acme-intel' is also used by connectors/acme-intel",
    ]);

    editManifest("beta", (m) => {
      m.slug = "beta";
      m.container_image = "octi-ts/connector-acme-intel";
    });
    expect((await lint(["OC105"])).map((f) => `${f.connector}: ${f.message}`)).toEqual([
      "connectors/acme-intel: container_image 'octi-ts/connector-acme-intel' is also used by connectors/beta",
      "connectors/beta: container_image 'octi-ts/connector-acme-intel' is also used by connectors/acme-intel",
    ]);
  });

  it("OC106 catches generated metadata that is stale, missing, or cannot be generated", async () => {
    edit("acme-intel", "__metadata__/CONNECTOR_CONFIG_DOC.md", (t) => t.replace("Acme API key.", "An API key."));
    rmSync(file("acme-intel", "__metadata__/connector_config_schema.json"));
    let findings = await lint();
    expect(codes(findings)).toEqual(["OC106"]);
    expect(findings.map((f) => `${f.file}: ${f.message}`)).toEqual([
      "connectors/acme-intel/__metadata__/connector_config_schema.json: missing; run npm run metadata",
      "connectors/acme-intel/__metadata__/CONNECTOR_CONFIG_DOC.md: out of date; run npm run metadata",
    ]);

    const broken: SchemaLoader = async () => {
      throw new Error("dist/index.js not found; build it first (npm run build)");
    };
    findings = [...(await lintConnectors({ root, loader: broken, select: ["OC106"] })).findings];
    expect(findings.map((f) => f.message)).toEqual([
      "cannot generate the metadata: dist/index.js not found; build it first (npm run build)",
    ]);
  });

  it("OC107 catches a README without a standard section", async () => {
    edit("acme-intel", "README.md", (t) =>
      t
        .replace("## Debugging", "## Troubleshooting")
        .replace("### Manual Deployment", "### From source")
        .replace("## Behavior", "## Behaviour"),
    );
    const findings = await lint();
    expect(codes(findings)).toEqual(["OC107"]);
    expect(findings.map((f) => f.message)).toEqual(["missing section 'Manual'", "missing section 'Debugging'"]);
  });

  it("runs only the selected rules", async () => {
    editManifest("acme-intel", (m) => {
      m.container_image = "x/y";
      m.short_description = "x".repeat(300);
    });
    expect(codes(await lint(["OC103"]))).toEqual(["OC103"]);
    expect(codes(await lint(["oc10"]))).toEqual(["OC102", "OC103"]);
  });

  describe("output formats", () => {
    beforeEach(() => {
      editManifest("acme-intel", (m) => {
        m.container_version = "1.0.0";
      });
      edit("acme-intel", ".env.sample", (t) => t.replace("OPENCTI_TOKEN=ChangeMe", "OPENCTI_TOKEN=a,b:c"));
    });

    it("text: one line per finding, then a summary; exit code 1", async () => {
      const output = captureOutput();
      expect(await main(["--root", root], output, loader)).toBe(1);
      expect(output.stdout.split("\n")).toEqual([
        "connectors/acme-intel/__metadata__/connector_manifest.json: OC102 [manifest-container-image] container_version must be 'rolling', not \"1.0.0\"",
        "connectors/acme-intel/.env.sample:3: OC104 [samples-change-me] OPENCTI_TOKEN must be 'ChangeMe', not 'a,b:c'",
        "1 connectors checked: 2 errors, 0 warnings.",
        "",
      ]);
    });

    it("json: the findings as data", async () => {
      const output = captureOutput();
      await main(["--root", root, "--format", "json"], output, loader);
      const parsed = JSON.parse(output.stdout) as { findings: Finding[]; connectors: string[] };
      expect(parsed.connectors).toEqual(["connectors/acme-intel"]);
      expect(parsed.findings.map((f) => [f.code, f.name, f.severity, f.line])).toEqual([
        ["OC102", "manifest-container-image", "error", undefined],
        ["OC104", "samples-change-me", "error", 3],
      ]);
    });

    it("github: workflow commands with escaped properties", async () => {
      const output = captureOutput();
      await main(["--root", root, "--format", "github"], output, loader);
      expect(output.stdout.trim().split("\n")[1]).toBe(
        "::error file=connectors/acme-intel/.env.sample,line=3,title=OC104 samples-change-me::OPENCTI_TOKEN must be 'ChangeMe', not 'a,b:c'",
      );
    });

    it("exit code 0 and a clean summary without findings", async () => {
      const report = await lintConnectors({ root, loader, select: ["OC107"] });
      expect(formatReport(report, "text")).toBe("1 connectors checked, 1 rules: no problems.\n");
      expect(formatReport(report, "github")).toBe("");
    });

    it("refuses an unknown format or an empty selection", async () => {
      await expect(main(["--root", root, "--format", "xml"], captureOutput(), loader)).rejects.toThrow(
        /--format must be one of/,
      );
      await expect(main(["--root", root, "--select", "VC101"], captureOutput(), loader)).rejects.toThrow(
        /matches no rule/,
      );
    });
  });
});

describe("the repository's own connectors", () => {
  it("pass the manifest and identity rules", async () => {
    const report = await lintConnectors({ root: REPO_ROOT, select: ["OC101", "OC102", "OC103", "OC105"] });
    expect(report.connectors).toContain("connectors/sentinelone-intel");
    expect(report.findings).toEqual([]);
  });
});
