import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ConfigSchema } from "@octi/connector-sdk";
import type { Output } from "../src/cli.js";
import { toJsonFile } from "../src/files.js";

/** Temp directories, removed by `cleanup()` (call it in afterEach). */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix = "octi-scripts-"): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

export function writeFile(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** An `Output` that keeps what was written. */
export function captureOutput(): Output & { stdout: string; stderr: string } {
  const capture = {
    stdout: "",
    stderr: "",
    out(text: string) {
      capture.stdout += text.endsWith("\n") ? text : `${text}\n`;
    },
    err(text: string) {
      capture.stderr += text.endsWith("\n") ? text : `${text}\n`;
    },
  };
  return capture;
}

/** A merged config schema shaped like the SDK's `buildConfigSchema` output (opencti, connector, the connector's). */
export function fakeConfigSchema(namespace = "acme_intel"): ConfigSchema {
  const prefix = namespace.toUpperCase();
  return {
    type: "object",
    properties: {
      opencti: {
        type: "object",
        properties: {
          url: { type: "string", format: "uri", description: "The base URL of the OpenCTI instance." },
          token: { type: "string", writeOnly: true, description: "The API token to connect to OpenCTI." },
        },
        required: ["url", "token"],
      },
      connector: {
        type: "object",
        properties: {
          id: { type: "string", description: "A unique UUIDv4 identifier for this connector instance." },
          name: { type: "string", default: "Acme Intel", description: "The name of the connector." },
          scope: {
            type: "array",
            items: { type: "string" },
            default: ["indicator"],
            description: "The connector scope.",
          },
          log_level: {
            type: "string",
            enum: ["debug", "info", "warn", "warning", "error"],
            default: "error",
            description: "The minimum level of logs to display.",
          },
          live_stream_id: { type: "string", description: "The ID of the live stream to connect to." },
        },
        required: ["id", "live_stream_id"],
      },
      [namespace]: {
        type: "object",
        properties: {
          api_url: {
            type: "string",
            format: "uri",
            description: "Base URL of the Acme API.",
            "x-env-aliases": [`${prefix}_URL`],
            "x-yaml-aliases": ["url"],
          },
          api_key: { type: "string", writeOnly: true, minLength: 1, description: "Acme API key." },
          batch_size: {
            type: "integer",
            default: 500,
            minimum: 1,
            maximum: 5000,
            description: "Most items per request.",
          },
        },
        required: ["api_url", "api_key"],
      },
    },
    required: ["opencti", "connector", namespace],
  };
}

/** A valid hand-written manifest for `slug`. */
export function validManifest(slug: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: "Acme Intel",
    slug,
    description: "Sends indicators to Acme.",
    short_description: "Sends indicators to Acme.",
    logo: null,
    use_cases: ["Detection & Response Enablement"],
    solution_categories: ["Endpoint Detection & Response"],
    license_type: "Free",
    contact: null,
    verified: false,
    last_verified_date: null,
    playbook_supported: false,
    max_confidence_level: 50,
    support_version: ">= 6.7.11",
    subscription_link: null,
    source_code: `https://github.com/example/connectors/tree/main/connectors/${slug}`,
    manager_supported: false,
    container_version: "rolling",
    container_image: `octi-ts/connector-${slug}`,
    container_type: "STREAM",
    ...overrides,
  };
}

/** Writes `connectors/<dir>/__metadata__/connector_manifest.json` under `root`. */
export function writeManifest(root: string, dir: string, manifest: unknown): void {
  writeFile(join(root, "connectors", dir, "__metadata__", "connector_manifest.json"), toJsonFile(manifest));
}
