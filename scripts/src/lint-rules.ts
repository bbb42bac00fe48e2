/**
 * The connector lint rules, as a table: `{ code, name, description, severity, check(ctx) }`. Codes are stable
 * (OCxxx, like OpenCTI's VCxxx) so CI output and suppressions can name them. Each check returns findings for one
 * connector; the runner (lint-connectors.ts) adds the code, name and connector.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConfigSchema } from "@octi/connector-sdk";
import { CONFIG_SCHEMA_FILE, type ConnectorDir, MANIFEST_FILE, METADATA_DIR, metadataPath } from "./connectors.js";
import { type EnvSchema, toEnvSchema } from "./env-schema.js";
import { isRecord, listFiles, readJsonFile } from "./files.js";
import { validateManifest } from "./manifest-schema.js";
import { fileStatus, generateMetadata, type SchemaLoader } from "./metadata.js";
import { IMAGE_NAMESPACE } from "./naming.js";
import { readComposeEnvironment, readEnvSample, readYamlSample, type SampleValue } from "./samples.js";

export type Severity = "error" | "warning";

/** What a check reports; `file` is relative to the connector directory. */
export interface RuleFinding {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

export interface LintContext {
  readonly root: string;
  readonly connector: ConnectorDir;
  /** Every connector of the repository (for repo-wide rules). */
  readonly all: readonly ConnectorDir[];
  /** The parsed manifest of a connector, or undefined when missing or not JSON. */
  manifestOf(connector: ConnectorDir): unknown;
  /** The connector's merged config schema (from its build), or the error explaining why there is none. */
  configSchema(): Promise<ConfigSchema | Error>;
  readonly loader: SchemaLoader;
}

export interface Rule {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly severity: Severity;
  check(ctx: LintContext): RuleFinding[] | Promise<RuleFinding[]>;
}

const MANIFEST = `${METADATA_DIR}/${MANIFEST_FILE}`;
export const SHORT_DESCRIPTION_MAX = 250;
export const CHANGE_ME = "ChangeMe";

/**
 * README sections every connector has, as in OpenCTI's connector READMEs (headings of level 2 to 4, matched
 * case-insensitively on their start, so "Configuration variables" and "Docker Deployment" count); each entry lists
 * the accepted spellings.
 */
export const README_SECTIONS: readonly (readonly string[])[] = [
  ["Introduction"],
  ["Requirements"],
  ["Configuration"],
  ["Deployment"],
  ["Docker"],
  ["Manual"],
  ["Behavior", "Behaviour"],
  ["Debugging"],
];

function manifestRecord(ctx: LintContext): Record<string, unknown> | undefined {
  const manifest = ctx.manifestOf(ctx.connector);
  return isRecord(manifest) ? manifest : undefined;
}

function readText(ctx: LintContext, file: string): string | undefined {
  const path = join(ctx.connector.dir, file);
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** The env schema: generated from the build when possible, else the committed file. */
async function envSchemaOf(ctx: LintContext): Promise<EnvSchema | Error> {
  const schema = await ctx.configSchema();
  if (!(schema instanceof Error)) return toEnvSchema(schema, ctx.connector.dirName);
  const committed = metadataPath(ctx.connector, CONFIG_SCHEMA_FILE);
  if (existsSync(committed)) {
    const parsed = readJsonFile(committed);
    if (isRecord(parsed) && isRecord(parsed.properties)) return parsed as unknown as EnvSchema;
  }
  return schema;
}

const SECRET_OR_ID = /(_ID|_TOKEN|_KEY|_SECRET|_PASSWORD)$/;

/** The SDK's dependency-injection libraries: connectors get a typed context instead (decision 0014). */
export const SDK_ONLY_PACKAGES: readonly string[] = ["tsyringe", "reflect-metadata"];
const SDK_ONLY_IMPORT = new RegExp(`(?:from|import)\\s*["'](${SDK_ONLY_PACKAGES.join("|")})["']`);

/** Required settings a sample must not pre-fill: secrets and identifiers (CONNECTOR_ID is always one). */
export function requiredSecretsAndIds(schema: EnvSchema): string[] {
  const names = schema.required.filter((name) => {
    const property = schema.properties[name];
    return property?.writeOnly === true || SECRET_OR_ID.test(name);
  });
  return ["CONNECTOR_ID", ...names.filter((n) => n !== "CONNECTOR_ID")];
}

function checkChangeMe(
  file: string,
  values: ReadonlyMap<string, SampleValue>,
  names: readonly string[],
  display: (name: string) => string,
): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const name of names) {
    const entry = values.get(name);
    if (!entry) findings.push({ file, message: `${display(name)} is missing; set it to '${CHANGE_ME}'` });
    else if (entry.value !== CHANGE_ME) {
      findings.push({
        file,
        line: entry.line,
        message: `${display(name)} must be '${CHANGE_ME}', not '${entry.value}'`,
      });
    }
  }
  return findings;
}

/** `ns.key` for an env name, using the schema's namespaces (longest match), else the env name itself. */
function yamlPath(name: string, namespaces: readonly string[]): string {
  const ns = [...namespaces].sort((a, b) => b.length - a.length).find((n) => name.startsWith(`${n.toUpperCase()}_`));
  return ns ? `${ns}.${name.slice(ns.length + 1).toLowerCase()}` : name;
}

export const RULES: readonly Rule[] = [
  {
    code: "OC101",
    name: "manifest-schema",
    description: `${MANIFEST} exists, is JSON and is valid against scripts/src/schemas/connector-manifest.schema.json.`,
    severity: "error",
    check(ctx) {
      if (!existsSync(ctx.connector.manifestPath)) return [{ file: MANIFEST, message: "manifest missing" }];
      try {
        readJsonFile(ctx.connector.manifestPath);
      } catch (error) {
        return [{ file: MANIFEST, message: (error as Error).message }];
      }
      // The short description's length has its own rule (OC103).
      return validateManifest(ctx.manifestOf(ctx.connector))
        .filter((problem) => !problem.startsWith("short_description: must NOT have more than"))
        .map((message) => ({ file: MANIFEST, message }));
    },
  },
  {
    code: "OC102",
    name: "manifest-container-image",
    description: `container_image is "${IMAGE_NAMESPACE}/connector-<directory name>" (our namespace, not Filigran's opencti/) and container_version is "rolling".`,
    severity: "error",
    check(ctx) {
      const manifest = manifestRecord(ctx);
      if (!manifest) return [];
      const findings: RuleFinding[] = [];
      const expected = `${IMAGE_NAMESPACE}/connector-${ctx.connector.dirName}`;
      if (manifest.container_image !== expected) {
        findings.push({
          file: MANIFEST,
          message: `container_image must be '${expected}', not ${JSON.stringify(manifest.container_image)}`,
        });
      }
      if (manifest.container_version !== "rolling") {
        findings.push({
          file: MANIFEST,
          message: `container_version must be 'rolling', not ${JSON.stringify(manifest.container_version)}`,
        });
      }
      return findings;
    },
  },
  {
    code: "OC103",
    name: "manifest-short-description-length",
    description: `short_description is at most ${SHORT_DESCRIPTION_MAX} characters.`,
    severity: "error",
    check(ctx) {
      const text = manifestRecord(ctx)?.short_description;
      if (typeof text !== "string" || [...text].length <= SHORT_DESCRIPTION_MAX) return [];
      return [
        {
          file: MANIFEST,
          message: `short_description has ${[...text].length} characters (at most ${SHORT_DESCRIPTION_MAX})`,
        },
      ];
    },
  },
  {
    code: "OC104",
    name: "samples-change-me",
    description:
      "config.yml.sample exists; it, .env.sample and docker-compose.yml (when present) set every required secret or identifier to exactly 'ChangeMe'.",
    severity: "error",
    async check(ctx) {
      const yaml = readText(ctx, "config.yml.sample");
      if (yaml === undefined) return [{ file: "config.yml.sample", message: "config.yml.sample missing" }];
      const schema = await envSchemaOf(ctx);
      if (schema instanceof Error) {
        return [
          {
            message: `cannot tell the required settings (${schema.message}); build the connector or run npm run metadata`,
          },
        ];
      }
      const names = requiredSecretsAndIds(schema);
      const built = await ctx.configSchema();
      const namespaces = built instanceof Error ? ["opencti", "connector"] : Object.keys(built.properties);
      const parsed = readYamlSample(yaml);
      const findings: RuleFinding[] = parsed.problems.map((message) => ({ file: "config.yml.sample", message }));
      findings.push(...checkChangeMe("config.yml.sample", parsed.values, names, (n) => yamlPath(n, namespaces)));
      const env = readText(ctx, ".env.sample");
      if (env !== undefined) findings.push(...checkChangeMe(".env.sample", readEnvSample(env), names, (n) => n));
      const compose = readText(ctx, "docker-compose.yml");
      if (compose !== undefined) {
        findings.push(...checkChangeMe("docker-compose.yml", readComposeEnvironment(compose), names, (n) => n));
      }
      return findings;
    },
  },
  {
    code: "OC105",
    name: "identity-unique",
    description:
      "The manifest's slug equals the directory name; slug and container_image are unique across the repository.",
    severity: "error",
    check(ctx) {
      const manifest = manifestRecord(ctx);
      if (!manifest) return [];
      const findings: RuleFinding[] = [];
      if (manifest.slug !== ctx.connector.dirName) {
        findings.push({
          file: MANIFEST,
          message: `slug ${JSON.stringify(manifest.slug)} must equal the directory name '${ctx.connector.dirName}'`,
        });
      }
      for (const field of ["slug", "container_image"] as const) {
        const value = manifest[field];
        if (typeof value !== "string") continue;
        const others = ctx.all
          .filter((other) => other.dir !== ctx.connector.dir)
          .filter((other) => {
            const theirs = ctx.manifestOf(other);
            return isRecord(theirs) && theirs[field] === value;
          })
          .map((other) => other.relDir);
        if (others.length > 0)
          findings.push({ file: MANIFEST, message: `${field} '${value}' is also used by ${others.join(", ")}` });
      }
      return findings;
    },
  },
  {
    code: "OC106",
    name: "metadata-up-to-date",
    description: `${METADATA_DIR}/connector_config_schema.json and CONNECTOR_CONFIG_DOC.md match what npm run metadata generates.`,
    severity: "error",
    async check(ctx) {
      let files: Awaited<ReturnType<typeof generateMetadata>>;
      try {
        files = await generateMetadata(ctx.connector, ctx.loader);
      } catch (error) {
        return [{ message: `cannot generate the metadata: ${(error as Error).message}` }];
      }
      return files
        .map((file) => ({ file, status: fileStatus(file) }))
        .filter(({ status }) => status !== "up-to-date")
        .map(({ file, status }) => ({
          file: file.path.slice(ctx.connector.dir.length + 1),
          message: `${status === "missing" ? "missing" : "out of date"}; run npm run metadata`,
        }));
    },
  },
  {
    code: "OC107",
    name: "readme-sections",
    description: `README.md has the standard sections: ${README_SECTIONS.map((s) => s[0]).join(", ")} (##–#### headings).`,
    severity: "error",
    check(ctx) {
      const readme = readText(ctx, "README.md");
      if (readme === undefined) return [{ file: "README.md", message: "README.md missing" }];
      const headings = readme
        .split(/\r?\n/)
        .map((line) => /^#{2,4}\s+(.+?)\s*#*\s*$/.exec(line)?.[1]?.toLowerCase())
        .filter((h): h is string => h !== undefined);
      return README_SECTIONS.filter(
        (spellings) => !headings.some((h) => spellings.some((s) => h.startsWith(s.toLowerCase()))),
      ).map((spellings) => ({ file: "README.md", message: `missing section '${spellings[0]}'` }));
    },
  },
  {
    code: "OC108",
    name: "container-health",
    description:
      "A Dockerfile has a HEALTHCHECK; a docker-compose.yml has a healthcheck and turns on the metrics server it asks (CONNECTOR_EXPOSE_METRICS=true).",
    severity: "error",
    check(ctx) {
      const findings: RuleFinding[] = [];
      const dockerfile = readText(ctx, "Dockerfile");
      if (dockerfile !== undefined && !/^HEALTHCHECK\s+(?!NONE)/m.test(dockerfile)) {
        findings.push({ file: "Dockerfile", message: "no HEALTHCHECK (ask /health of the metrics server)" });
      }
      const compose = readText(ctx, "docker-compose.yml");
      if (compose !== undefined) {
        if (!/^\s+healthcheck:/m.test(compose)) {
          findings.push({
            file: "docker-compose.yml",
            message: "no healthcheck: section (enable the image's HEALTHCHECK)",
          });
        }
        const metrics = readComposeEnvironment(compose).get("CONNECTOR_EXPOSE_METRICS");
        if (metrics?.value !== "true") {
          findings.push({
            file: "docker-compose.yml",
            ...(metrics ? { line: metrics.line } : {}),
            message: "CONNECTOR_EXPOSE_METRICS=true is needed: the health check asks the metrics server's /health",
          });
        }
      }
      return findings;
    },
  },
  {
    code: "OC109",
    name: "compose-no-defaults",
    description:
      "docker-compose.yml sets no setting to its default value: environment variables win over config.yml, so a default written there silently overrides a mounted config.yml (show defaults commented out).",
    severity: "error",
    async check(ctx) {
      const compose = readText(ctx, "docker-compose.yml");
      if (compose === undefined) return [];
      const schema = await envSchemaOf(ctx);
      if (schema instanceof Error) return [];
      const findings: RuleFinding[] = [];
      for (const [name, entry] of readComposeEnvironment(compose)) {
        const fallback = schema.properties[name]?.default;
        if (fallback === undefined) continue;
        const shown = Array.isArray(fallback) ? fallback.join(",") : String(fallback);
        if (entry.value === shown || entry.value === "") {
          findings.push({
            file: "docker-compose.yml",
            line: entry.line,
            message: `${name}=${entry.value} ${entry.value === "" ? "is empty" : "is the default"}: comment it out, or it overrides a mounted config.yml`,
          });
        }
      }
      return findings;
    },
  },
  {
    code: "OC110",
    name: "readme-migration",
    description:
      "A README that presents the connector as a replacement of a Python connector has a 'Migrating from the Python connector' section covering CONNECTOR_ID, the IOCs it created, changed defaults and the image.",
    severity: "error",
    check(ctx) {
      const readme = readText(ctx, "README.md");
      if (readme === undefined || !/\bPython connector\b/.test(readme)) return [];
      const start = readme.search(/^#{2,4}\s+Migrating from the Python connector/m);
      if (start < 0) return [{ file: "README.md", message: "missing section 'Migrating from the Python connector'" }];
      const rest = readme.slice(start);
      const next = rest.slice(1).search(/^#{2}\s/m);
      const section = next < 0 ? rest : rest.slice(0, next + 1);
      return ["CONNECTOR_ID", "externalId", "CONNECTOR_LOG_LEVEL", "docker build", "config:check"]
        .filter((term) => !section.includes(term))
        .map((term) => ({ file: "README.md", message: `the migration section does not mention ${term}` }));
    },
  },
  {
    code: "OC111",
    name: "sdk-only-injection",
    description:
      "A connector neither imports nor depends on tsyringe or reflect-metadata: the SDK wires its own services and hands the connector a typed context (createHandler(ctx), decision 0014).",
    severity: "error",
    check(ctx) {
      const findings: RuleFinding[] = [];
      const src = join(ctx.connector.dir, "src");
      for (const file of existsSync(src) ? listFiles(src).filter((f) => f.endsWith(".ts")) : []) {
        readFileSync(join(src, file), "utf8")
          .split(/\r?\n/)
          .forEach((text, index) => {
            const found = SDK_ONLY_IMPORT.exec(text)?.[1];
            if (found) findings.push({ file: `src/${file}`, line: index + 1, message: `imports ${found}` });
          });
      }
      const text = readText(ctx, "package.json");
      let pkg: unknown;
      try {
        pkg = text === undefined ? undefined : JSON.parse(text);
      } catch {
        pkg = undefined; // not this rule's finding: the build fails on it
      }
      const dependencies = isRecord(pkg) && isRecord(pkg.dependencies) ? pkg.dependencies : {};
      for (const name of SDK_ONLY_PACKAGES.filter((n) => n in dependencies)) {
        findings.push({ file: "package.json", message: `depends on ${name}` });
      }
      return findings;
    },
  },
];
