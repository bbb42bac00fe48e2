import type { ConfigSchema } from "@octi/connector-sdk";
import { describe, expect, it } from "vitest";
import { toEnvSchema } from "../src/env-schema.js";
import { fakeConfigSchema } from "./helpers.js";

describe("toEnvSchema", () => {
  const schema = toEnvSchema(fakeConfigSchema(), "acme-intel");

  it("has OpenCTI's header: draft 2020-12, the slug's $id, an open object", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe("https://www.filigran.io/connectors/acme-intel_config.schema.json");
    expect(schema.type).toBe("object");
    expect(schema.additionalProperties).toBe(true);
    expect(Object.keys(schema)).toEqual(["$schema", "$id", "type", "properties", "required", "additionalProperties"]);
  });

  it("names properties by env var, in schema order, without CONNECTOR_ID, each alias after its property", () => {
    expect(Object.keys(schema.properties)).toEqual([
      "OPENCTI_URL",
      "OPENCTI_TOKEN",
      "CONNECTOR_NAME",
      "CONNECTOR_SCOPE",
      "CONNECTOR_LOG_LEVEL",
      "CONNECTOR_LIVE_STREAM_ID",
      "ACME_INTEL_API_URL",
      "ACME_INTEL_URL",
      "ACME_INTEL_API_KEY",
      "ACME_INTEL_BATCH_SIZE",
    ]);
  });

  it("lists the required env names, without CONNECTOR_ID", () => {
    expect(schema.required).toEqual([
      "OPENCTI_URL",
      "OPENCTI_TOKEN",
      "CONNECTOR_LIVE_STREAM_ID",
      "ACME_INTEL_API_URL",
      "ACME_INTEL_API_KEY",
    ]);
  });

  it("marks secrets as password + writeOnly", () => {
    expect(schema.properties.OPENCTI_TOKEN).toEqual({
      description: "The API token to connect to OpenCTI.",
      format: "password",
      type: "string",
      writeOnly: true,
    });
    expect(schema.properties.ACME_INTEL_API_KEY).toMatchObject({ format: "password", writeOnly: true, minLength: 1 });
  });

  it("keeps formats, defaults, enums, bounds and items, drops x- extensions, sorts keywords", () => {
    expect(schema.properties.OPENCTI_URL).toEqual({
      description: "The base URL of the OpenCTI instance.",
      format: "uri",
      type: "string",
    });
    expect(schema.properties.CONNECTOR_LOG_LEVEL).toEqual({
      default: "error",
      description: "The minimum level of logs to display.",
      enum: ["debug", "info", "warn", "warning", "error"],
      type: "string",
    });
    expect(schema.properties.CONNECTOR_SCOPE).toEqual({
      default: ["indicator"],
      description: "The connector scope.",
      items: { type: "string" },
      type: "array",
    });
    expect(schema.properties.ACME_INTEL_BATCH_SIZE).toMatchObject({ default: 500, minimum: 1, maximum: 5000 });
    for (const [name, property] of Object.entries(schema.properties)) {
      expect(Object.keys(property), name).toEqual(Object.keys(property).sort());
      expect(
        Object.keys(property).some((k) => k.startsWith("x-")),
        name,
      ).toBe(false);
    }
  });

  it("documents a deprecated env alias as a deprecated property naming its replacement, never required", () => {
    expect(schema.properties.ACME_INTEL_URL).toEqual({
      deprecated: true,
      description: "Deprecated: use `ACME_INTEL_API_URL` instead.",
      format: "uri",
      type: "string",
    });
    expect(schema.required).not.toContain("ACME_INTEL_URL");
  });

  it("names a deprecated config.yml key in the description of the property it aliases", () => {
    expect(schema.properties.ACME_INTEL_API_URL?.description).toBe(
      "Base URL of the Acme API. Deprecated config.yml key: `acme_intel.url`.",
    );
  });

  it("is deterministic whatever the keyword order of the input", () => {
    const base = fakeConfigSchema();
    const reversed: ConfigSchema = {
      ...base,
      properties: Object.fromEntries(
        Object.entries(base.properties).map(([ns, nsSchema]) => [
          ns,
          {
            ...nsSchema,
            properties: Object.fromEntries(
              Object.entries(nsSchema.properties).map(([key, property]) => [
                key,
                Object.fromEntries(Object.entries(property).reverse()) as typeof property,
              ]),
            ),
          },
        ]),
      ),
    };
    expect(JSON.stringify(Object.keys(reversed.properties.opencti?.properties.url ?? {}))).not.toBe(
      JSON.stringify(Object.keys(base.properties.opencti?.properties.url ?? {})),
    );
    expect(JSON.stringify(toEnvSchema(reversed, "acme-intel"))).toBe(JSON.stringify(toEnvSchema(base, "acme-intel")));
  });

  it("refuses two settings with the same env name", () => {
    const base = fakeConfigSchema();
    const clash: ConfigSchema = {
      ...base,
      properties: {
        ...base.properties,
        acme: { type: "object", properties: { intel_api_key: { type: "string", description: "clash" } } },
      },
    };
    expect(() => toEnvSchema(clash, "acme-intel")).toThrow(/ACME_INTEL_API_KEY is defined twice/);
  });
});
