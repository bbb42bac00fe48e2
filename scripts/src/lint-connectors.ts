/**
 * `npm run lint:connectors -- [--format text|json|github] [--select OC101,OC2] [--connector <dir>] [--root <dir>]`
 *
 * Runs the rule table (lint-rules.ts) over every connector with a `__metadata__/connector_manifest.json` and
 * exits 1 when any error is found. `--format github` prints workflow commands, so CI annotates the files.
 */
import type { ConfigSchema } from "@octi/connector-sdk";
import { isMain, type Output, parseScriptArgs, REPO_ROOT, runCli, ScriptError } from "./cli.js";
import { type ConnectorDir, findConnectors } from "./connectors.js";
import { readJsonFile } from "./files.js";
import { RULES, type Rule, type RuleFinding, type Severity } from "./lint-rules.js";
import { loadBuiltSchema, type SchemaLoader } from "./metadata.js";

export interface Finding {
  readonly code: string;
  readonly name: string;
  readonly severity: Severity;
  /** `connectors/<dir>`. */
  readonly connector: string;
  /** Relative to the repository root. */
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}

export interface LintOptions {
  readonly root: string;
  /** Codes or code prefixes (`OC1`) to run; all when absent. */
  readonly select?: readonly string[];
  readonly only?: readonly string[];
  readonly loader?: SchemaLoader;
  readonly rules?: readonly Rule[];
}

export interface LintReport {
  readonly findings: readonly Finding[];
  readonly connectors: readonly string[];
  readonly rules: readonly string[];
}

export async function lintConnectors(options: LintOptions): Promise<LintReport> {
  const loader = options.loader ?? loadBuiltSchema;
  const all = findConnectors(options.root);
  const rules = (options.rules ?? RULES).filter(
    (rule) => !options.select || options.select.some((s) => rule.code.startsWith(s.trim().toUpperCase())),
  );
  if (options.select && rules.length === 0)
    throw new ScriptError(`--select matches no rule: ${options.select.join(",")}`, 2);
  const targets = options.only ? all.filter((c) => options.only?.includes(c.dirName)) : all;
  if (options.only && targets.length !== options.only.length) {
    throw new ScriptError(`No connector with a manifest among: ${options.only.join(", ")}`, 2);
  }

  const manifests = new Map<string, unknown>();
  const manifestOf = (connector: ConnectorDir): unknown => {
    if (!manifests.has(connector.dir)) {
      let parsed: unknown;
      try {
        parsed = readJsonFile(connector.manifestPath);
      } catch {
        parsed = undefined;
      }
      manifests.set(connector.dir, parsed);
    }
    return manifests.get(connector.dir);
  };

  const findings: Finding[] = [];
  for (const connector of targets) {
    let schema: Promise<ConfigSchema | Error> | undefined;
    const ctx = {
      root: options.root,
      connector,
      all,
      manifestOf,
      loader,
      configSchema: () => {
        schema ??= loader(connector).catch((error: unknown) =>
          error instanceof Error ? error : new Error(String(error)),
        );
        return schema;
      },
    };
    for (const rule of rules) {
      let results: RuleFinding[];
      try {
        results = await rule.check(ctx);
      } catch (error) {
        results = [{ message: `rule failed: ${(error as Error).message}` }];
      }
      for (const result of results) {
        findings.push({
          code: rule.code,
          name: rule.name,
          severity: rule.severity,
          connector: connector.relDir,
          file: result.file ? `${connector.relDir}/${result.file}` : connector.relDir,
          ...(result.line === undefined ? {} : { line: result.line }),
          message: result.message,
        });
      }
    }
  }
  return { findings, connectors: targets.map((c) => c.relDir), rules: rules.map((r) => r.code) };
}

export type Format = "text" | "json" | "github";
export const FORMATS: readonly Format[] = ["text", "json", "github"];

function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatReport(report: LintReport, format: Format): string {
  const { findings } = report;
  if (format === "json") {
    return `${JSON.stringify({ findings, connectors: report.connectors, rules: report.rules }, null, 2)}\n`;
  }
  if (format === "github") {
    return findings
      .map((f) => {
        const props = [`file=${escapeProperty(f.file)}`];
        if (f.line !== undefined) props.push(`line=${f.line}`);
        props.push(`title=${escapeProperty(`${f.code} ${f.name}`)}`);
        return `::${f.severity === "error" ? "error" : "warning"} ${props.join(",")}::${escapeData(f.message)}\n`;
      })
      .join("");
  }
  const lines = findings.map(
    (f) => `${f.file}${f.line === undefined ? "" : `:${f.line}`}: ${f.code} [${f.name}] ${f.message}`,
  );
  const errors = findings.filter((f) => f.severity === "error").length;
  lines.push(
    findings.length === 0
      ? `${report.connectors.length} connectors checked, ${report.rules.length} rules: no problems.`
      : `${report.connectors.length} connectors checked: ${errors} errors, ${findings.length - errors} warnings.`,
  );
  return `${lines.join("\n")}\n`;
}

const USAGE =
  "Usage: npm run lint:connectors -- [--format text|json|github] [--select OC101,OC104] [--connector <dir>]... [--root <repoRoot>] [--list]";

export async function main(argv: string[], output: Output, loader?: SchemaLoader): Promise<number> {
  const values = parseScriptArgs<{
    format?: string;
    select?: string;
    connector?: string[];
    root?: string;
    list?: boolean;
  }>(
    argv,
    {
      format: { type: "string", default: "text" },
      select: { type: "string" },
      connector: { type: "string", multiple: true },
      root: { type: "string" },
      list: { type: "boolean" },
    },
    USAGE,
    output,
  );
  if (!values) return 0;
  if (values.list) {
    output.out(RULES.map((r) => `${r.code} ${r.name} (${r.severity}): ${r.description}`).join("\n"));
    return 0;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new ScriptError(`--format must be one of ${FORMATS.join(", ")}`, 2);
  const report = await lintConnectors({
    root: values.root ?? REPO_ROOT,
    select: values.select?.split(",").filter((s) => s.trim() !== ""),
    only: values.connector,
    loader,
  });
  const text = formatReport(report, format);
  if (text !== "") output.out(text);
  return report.findings.some((f) => f.severity === "error") ? 1 : 0;
}

if (isMain(import.meta.url)) await runCli(main);
