import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, ScriptError } from "../src/cli.js";
import { createConnector, main, SUPPORTED_TYPES } from "../src/create-connector.js";
import { listFiles } from "../src/files.js";
import { validateManifest } from "../src/manifest-schema.js";
import { leftoverPlaceholders } from "../src/naming.js";
import { captureOutput, TempDirs, writeFile } from "./helpers.js";

const TEMPLATES = join(REPO_ROOT, "templates");

describe("createConnector with the stream template", () => {
  const temp = new TempDirs();
  let root: string;

  beforeEach(() => {
    root = temp.make();
  });
  afterEach(() => temp.cleanup());

  it("copies every template file and fills every placeholder", () => {
    // Given the repository's stream template
    // When a connector is created from it
    const created = createConnector({ name: "acme-intel", root, templatesDir: TEMPLATES });

    // Then it has the template's files, none with a placeholder left
    const dir = join(root, "connectors", "acme-intel");
    expect(created.dir).toBe(dir);
    expect(listFiles(dir)).toEqual(listFiles(join(TEMPLATES, "stream")));
    expect(created.files).toEqual(listFiles(dir));
    for (const file of listFiles(dir)) {
      expect(leftoverPlaceholders(readFileSync(join(dir, file), "utf8")), file).toEqual([]);
    }
    // and each name in its place
    const read = (file: string) => readFileSync(join(dir, file), "utf8");
    expect(JSON.parse(read("package.json"))).toMatchObject({
      name: "@octi/connector-acme-intel",
      bin: { "acme-intel": "./dist/main.js" },
    });
    expect(read("src/config-schema.ts")).toContain('export const NAMESPACE = "acme_intel";');
    expect(read("src/config-schema.ts")).toContain("export interface AcmeIntelConfig extends BaseConfig");
    expect(read("src/client.ts")).toContain("export class HttpAcmeIntelClient implements AcmeIntelClient");
    expect(read("src/index.ts")).toContain('name: "Acme Intel"');
    expect(read(".env.sample")).toContain("ACME_INTEL_API_KEY=ChangeMe");
    expect(read("config.yml.sample")).toMatch(/^acme_intel:$/m);
    expect(read("Dockerfile")).toContain(
      "docker build -f connectors/acme-intel/Dockerfile -t octi-ts/connector-acme-intel .",
    );
    expect(read("docker-compose.yml")).toContain("connector-acme-intel:");
    expect(read("test/config.test.ts")).toContain('ACME_INTEL_API_URL: "https://api.example.com"');
  });

  it("writes a manifest that is valid and names the connector", () => {
    createConnector({ name: "acme-intel", root, templatesDir: TEMPLATES, title: "ACME Intel" });
    const manifest = JSON.parse(
      readFileSync(join(root, "connectors", "acme-intel", "__metadata__", "connector_manifest.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(validateManifest(manifest)).toEqual([]);
    expect(manifest).toMatchObject({
      title: "ACME Intel",
      slug: "acme-intel",
      container_image: "octi-ts/connector-acme-intel",
      container_type: "STREAM",
      container_version: "rolling",
    });
  });

  it("refuses to overwrite an existing directory and leaves it untouched", () => {
    writeFile(join(root, "connectors", "acme-intel", "keep.txt"), "mine");
    expect(() => createConnector({ name: "acme-intel", root, templatesDir: TEMPLATES })).toThrow(
      /connectors\/acme-intel already exists; refusing to overwrite it/,
    );
    expect(readdirSync(join(root, "connectors", "acme-intel"))).toEqual(["keep.txt"]);
  });

  it.each(["external-import", "internal-enrichment", "streams", ""])(
    "refuses the type '%s', naming the supported ones",
    (type) => {
      const attempt = () => createConnector({ name: "acme-intel", type, root, templatesDir: TEMPLATES });
      expect(attempt).toThrow(ScriptError);
      expect(attempt).toThrow(`Supported types: ${SUPPORTED_TYPES.join(", ")}.`);
      expect(existsSync(join(root, "connectors"))).toBe(false);
    },
  );

  it.each(["Acme", "acme_intel", "-acme", "acme-", "1acme", "acme--intel", ""])(
    "refuses the name '%s' and writes nothing",
    (name) => {
      expect(() => createConnector({ name, root, templatesDir: TEMPLATES })).toThrow(/Invalid connector name/);
      expect(existsSync(join(root, "connectors"))).toBe(false);
    },
  );

  it("refuses a title that cannot be written safely", () => {
    expect(() => createConnector({ name: "acme", root, templatesDir: TEMPLATES, title: 'say "hi"' })).toThrow(/title/);
  });
});

describe("createConnector with fixture templates", () => {
  const temp = new TempDirs();
  let root: string;
  let templates: string;

  beforeEach(() => {
    root = temp.make();
    templates = join(root, "templates");
  });
  afterEach(() => temp.cleanup());

  it("fills placeholders in file and directory names", () => {
    writeFile(join(templates, "stream", "src", "__SNAKE_NAME___client.ts"), "export class __PASCAL_NAME__Client {}\n");
    writeFile(join(templates, "stream", "__SLUG__-assets", "README.md"), "# __TITLE__\n");
    const created = createConnector({ name: "acme-intel", root });
    expect(created.files).toEqual(["acme-intel-assets/README.md", "src/acme_intel_client.ts"]);
    expect(readFileSync(join(created.dir, "src", "acme_intel_client.ts"), "utf8")).toBe(
      "export class AcmeIntelClient {}\n",
    );
    expect(readFileSync(join(created.dir, "acme-intel-assets", "README.md"), "utf8")).toBe("# Acme Intel\n");
  });

  it("refuses a template with an unknown placeholder, naming file, line and token, and writes nothing", () => {
    writeFile(join(templates, "stream", "a.txt"), "ok __SLUG__\nbad __VENDOR_NAME__\n");
    writeFile(join(templates, "stream", "__CAMEL_NAME__.ts"), "x\n");
    let error: unknown;
    try {
      createConnector({ name: "acme", root });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScriptError);
    expect((error as Error).message).toContain("a.txt:2: __VENDOR_NAME__");
    expect((error as Error).message).toContain("__CAMEL_NAME__.ts (file name): __CAMEL_NAME__");
    expect(existsSync(join(root, "connectors", "acme"))).toBe(false);
  });

  it("copies binary files byte for byte and keeps file modes", () => {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, ...Buffer.from("__SLUG__")]);
    writeFile(join(templates, "stream", "logo.png"), binary);
    writeFile(join(templates, "stream", "run.sh"), "#!/bin/sh\necho __SLUG__\n");
    chmodSync(join(templates, "stream", "run.sh"), 0o755);
    const created = createConnector({ name: "acme", root });
    expect(readFileSync(join(created.dir, "logo.png")).equals(binary)).toBe(true);
    expect(statSync(join(created.dir, "run.sh")).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(created.dir, "run.sh"), "utf8")).toBe("#!/bin/sh\necho acme\n");
  });
});

describe("create-connector command line", () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it("creates the connector under --root and prints the next steps", async () => {
    const root = temp.make();
    symlinkSync(TEMPLATES, join(root, "templates"));
    const output = captureOutput();
    const code = await main(["--name", "acme-intel", "--type", "stream", "--root", root], output);
    expect(code).toBe(0);
    expect(existsSync(join(root, "connectors", "acme-intel", "src", "index.ts"))).toBe(true);
    expect(output.stdout).toContain("Created connectors/acme-intel");
    expect(output.stderr).toContain("warning: biome not found");
    for (const step of [
      "npm install",
      "npm run build -- --filter=@octi/connector-acme-intel",
      "npm test -- --filter=@octi/connector-acme-intel",
      "npm run metadata",
      "npm run manifest",
      "npm run check",
      "cp connectors/acme-intel/config.yml.sample connectors/acme-intel/config.yml",
      "node connectors/acme-intel/dist/main.js",
      "Remove it: rm -rf connectors/acme-intel && npm install && npm run manifest",
    ]) {
      expect(output.stdout).toContain(step);
    }
    // The catalog step comes before the first `npm run check`, which fails without it.
    expect(output.stdout.indexOf("npm run metadata")).toBeLessThan(output.stdout.indexOf("npm run manifest"));
    expect(output.stdout.indexOf("npm run manifest")).toBeLessThan(output.stdout.indexOf("npm run check"));
  });

  it("formats the new connector with the repository's biome, so it passes biome check", async () => {
    const root = temp.make();
    for (const entry of ["templates", "node_modules", "biome.json"])
      symlinkSync(join(REPO_ROOT, entry), join(root, entry));
    const output = captureOutput();
    expect(await main(["--name", "zeta-intel", "--root", root], output)).toBe(0);
    expect(output.stderr).toBe("");
    const check = spawnSync(join(root, "node_modules", ".bin", "biome"), ["check", "connectors/zeta-intel"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    // The filled import list is re-sorted (ZetaIntelClient sorts after `plugin`, __PASCAL_NAME__Client before it).
    expect(readFileSync(join(root, "connectors", "zeta-intel", "test", "handler.test.ts"), "utf8")).toContain(
      [
        "import {",
        "  createHandler,",
        "  plugin,",
        "  type ZetaIntelClient,",
        "  type ZetaIntelItem,",
        "  type ZetaIntelPage,",
        "  type ZetaIntelRecord,",
        '} from "../src/index.js";',
      ].join("\n"),
    );
  });

  it.each([
    { argv: [], message: /--name is required/ },
    { argv: ["--name", "acme", "--colour", "red"], message: /Unknown option '--colour'/ },
    { argv: ["--name", "acme", "--type", "external-import"], message: /Supported types: stream/ },
  ])("fails with a usage error for $argv", async ({ argv, message }) => {
    const root = temp.make();
    await expect(main([...argv, "--root", root], captureOutput())).rejects.toThrow(message);
  });
});
