/**
 * The generators against the real SDK: what `buildConfigSchema(plugin)` returns flattens into OpenCTI's env schema,
 * and the env names that schema documents are the ones the SDK's loader reads.
 */
import { buildConfigSchema, definePlugin, loadPluginConfig } from "@octi/connector-sdk";
import { describe, expect, it } from "vitest";
import { renderConfigDoc } from "../src/config-doc.js";
import { toEnvSchema } from "../src/env-schema.js";

const plugin = definePlugin({
  manifest: {
    slug: "acme-intel",
    namespace: "acme_intel",
    version: "0.0.0",
    connectorDefaults: { name: "Acme Intel" },
  },
  configSchema: {
    type: "object",
    properties: {
      api_url: {
        type: "string",
        format: "uri",
        description: "Base URL of the Acme API.",
        "x-env-aliases": ["ACME_INTEL_URL"],
        "x-yaml-aliases": ["url"],
      },
      api_key: { type: "string", writeOnly: true, minLength: 1, description: "Acme API key." },
      batch_size: { type: "integer", default: 100, minimum: 1, description: "Items per request." },
      tags: { type: "array", items: { type: "string" }, description: "Labels added to every item." },
    },
    required: ["api_url", "api_key"],
  },
  resolve: (values) => ({
    url: values.api_url.replace(/\/+$/, ""),
    batchSize: values.batch_size,
    tags: values.tags ?? [],
  }),
  createHandler: () => ({ handle: async () => undefined }),
});

describe("generated metadata from the SDK's merged schema", () => {
  const envSchema = toEnvSchema(buildConfigSchema(plugin), "acme-intel");

  it("has the SDK's settings and the connector's, by env name, without CONNECTOR_ID", () => {
    const names = Object.keys(envSchema.properties);
    for (const name of [
      "OPENCTI_URL",
      "OPENCTI_TOKEN",
      "CONNECTOR_NAME",
      "CONNECTOR_LIVE_STREAM_ID",
      "CONNECTOR_LOG_LEVEL",
    ]) {
      expect(names).toContain(name);
    }
    expect(names).toEqual(
      expect.arrayContaining(["ACME_INTEL_API_URL", "ACME_INTEL_URL", "ACME_INTEL_API_KEY", "ACME_INTEL_BATCH_SIZE"]),
    );
    expect(names).not.toContain("CONNECTOR_ID");
    expect(names.indexOf("OPENCTI_URL")).toBeLessThan(names.indexOf("CONNECTOR_NAME"));
    expect(names.indexOf("CONNECTOR_NAME")).toBeLessThan(names.indexOf("ACME_INTEL_API_URL"));
  });

  it("requires what a deployment must set", () => {
    expect(envSchema.required).toEqual(
      expect.arrayContaining([
        "OPENCTI_URL",
        "OPENCTI_TOKEN",
        "CONNECTOR_LIVE_STREAM_ID",
        "ACME_INTEL_API_URL",
        "ACME_INTEL_API_KEY",
      ]),
    );
    expect(envSchema.required).not.toContain("CONNECTOR_ID");
    expect(envSchema.required).not.toContain("ACME_INTEL_BATCH_SIZE");
  });

  it("marks the secrets and URLs", () => {
    expect(envSchema.properties.OPENCTI_TOKEN).toMatchObject({ format: "password", writeOnly: true });
    expect(envSchema.properties.ACME_INTEL_API_KEY).toMatchObject({ format: "password", writeOnly: true });
    expect(envSchema.properties.OPENCTI_URL).toMatchObject({ format: "uri" });
    expect(envSchema.properties.ACME_INTEL_URL).toMatchObject({ deprecated: true, format: "uri" });
  });

  it("shows the connector's own default name", () => {
    expect(envSchema.properties.CONNECTOR_NAME?.default).toBe("Acme Intel");
  });

  it("documents env names the loader reads: the required ones (plus CONNECTOR_ID) are a loadable config", () => {
    const env: Record<string, string> = { CONNECTOR_ID: "0c4ea2d7-0d4b-4a6e-9c55-1f1bb3f8f0a1" };
    for (const name of envSchema.required) {
      const property = envSchema.properties[name];
      env[name] = property?.format === "uri" ? "https://example.com" : "value";
    }
    const { values, settings } = loadPluginConfig(plugin, { env, searchDirs: [] });
    // Typed from the schema: a required key is a string, a defaulted one a number, an optional one may be absent.
    const url: string = values.api_url;
    const size: number = values.batch_size;
    const tags: readonly string[] | undefined = values.tags;
    expect([url, size, tags]).toEqual(["https://example.com", 100, undefined]);
    expect(settings).toEqual({ url: "https://example.com", batchSize: 100, tags: [] });
  });

  it("documents the deprecated alias the loader reads", () => {
    const env: Record<string, string> = {
      CONNECTOR_ID: "0c4ea2d7-0d4b-4a6e-9c55-1f1bb3f8f0a1",
      OPENCTI_URL: "https://opencti.example.com",
      OPENCTI_TOKEN: "token",
      CONNECTOR_LIVE_STREAM_ID: "live",
      ACME_INTEL_URL: "https://old.example.com",
      ACME_INTEL_API_KEY: "key",
    };
    const { config, settings } = loadPluginConfig(plugin, { env, searchDirs: [] });
    expect(config.connector.name).toBe("Acme Intel");
    expect(settings.url).toBe("https://old.example.com");
  });

  it("renders a doc with a row per env var", () => {
    const doc = renderConfigDoc(envSchema);
    for (const name of Object.keys(envSchema.properties)) expect(doc).toContain(`| ${name} |`);
  });
});
