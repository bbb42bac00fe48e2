import { describe, expect, it } from "vitest";
import { buildConfigSchema } from "../../src/config/build-schema.js";
import { SDK_CONFIG_SCHEMA } from "../../src/config/sdk-schema.js";
import type { ConnectorBaseConfig, NamespaceSchema, OpenCtiConfig } from "../../src/config/types.js";

const opencti = SDK_CONFIG_SCHEMA.properties.opencti as NamespaceSchema;
const connector = SDK_CONFIG_SCHEMA.properties.connector as NamespaceSchema;

// Exhaustive at compile time: a key missing from (or added to) BaseConfig breaks these objects.
const OPENCTI_KEYS = { url: 1, token: 1, ssl_verify: 1, custom_headers: 1, json_logging: 1 } satisfies Record<
  keyof OpenCtiConfig,
  1
>;
const CONNECTOR_KEYS = {
  id: 1,
  name: 1,
  type: 1,
  scope: 1,
  log_level: 1,
  live_stream_id: 1,
  live_stream_listen_delete: 1,
  live_stream_no_dependencies: 1,
  live_stream_with_inferences: 1,
  live_stream_recover_iso_date: 1,
  live_stream_start_timestamp: 1,
  expose_metrics: 1,
  metrics_port: 1,
  metrics_namespace: 1,
  metrics_subsystem: 1,
  state_ping_interval: 1,
  live_stream_watchdog_timeout: 1,
  live_stream_reconnect_max_delay: 1,
  live_stream_max_in_flight: 1,
  progress_interval: 1,
  event_max_attempts: 1,
  event_retry_max_delay: 1,
  dead_letter_path: 1,
  shutdown_timeout: 1,
} satisfies Record<keyof ConnectorBaseConfig, 1>;

/** Keys pycti 6.8.10 reads (protocol §1.2); every other SDK key is ours and says so. */
const PYCTI_CONNECTOR_KEYS = new Set([
  "id",
  "name",
  "type",
  "scope",
  "log_level",
  "live_stream_id",
  "live_stream_listen_delete",
  "live_stream_no_dependencies",
  "live_stream_with_inferences",
  "live_stream_recover_iso_date",
  "live_stream_start_timestamp",
  "expose_metrics",
  "metrics_port",
  "metrics_namespace",
  "metrics_subsystem",
]);

describe("SDK_CONFIG_SCHEMA", () => {
  it("declares every field of BaseConfig, and nothing else", () => {
    expect(Object.keys(opencti.properties).sort()).toEqual(Object.keys(OPENCTI_KEYS).sort());
    expect(Object.keys(connector.properties).sort()).toEqual(Object.keys(CONNECTOR_KEYS).sort());
  });

  it("requires what pycti requires", () => {
    expect(opencti.required).toEqual(["url", "token"]);
    expect([...(connector.required ?? [])].sort()).toEqual(["id", "live_stream_id", "name"]);
  });

  it.each([
    ["opencti", "ssl_verify", true],
    ["opencti", "json_logging", true],
    ["connector", "type", "STREAM"],
    ["connector", "scope", ["not-applicable"]],
    ["connector", "log_level", "info"],
    ["connector", "live_stream_listen_delete", true],
    ["connector", "live_stream_no_dependencies", true],
    ["connector", "live_stream_with_inferences", false],
    ["connector", "expose_metrics", false],
    ["connector", "metrics_port", 9095],
    ["connector", "metrics_namespace", ""],
    ["connector", "metrics_subsystem", ""],
    ["connector", "state_ping_interval", 5],
    ["connector", "live_stream_watchdog_timeout", 45],
    ["connector", "live_stream_reconnect_max_delay", 60],
    ["connector", "live_stream_max_in_flight", 4000],
    ["connector", "progress_interval", 300],
    ["connector", "shutdown_timeout", 30],
    ["connector", "live_stream_recover_iso_date", undefined],
    ["connector", "live_stream_start_timestamp", undefined],
  ])("%s.%s defaults to %j", (ns, key, value) => {
    expect(SDK_CONFIG_SCHEMA.properties[ns]?.properties[key]?.default).toEqual(value);
  });

  it("types and constrains the values", () => {
    expect(opencti.properties.url).toMatchObject({ type: "string", format: "uri" });
    expect(opencti.properties.token).toMatchObject({ type: "string", writeOnly: true });
    expect(opencti.properties.ssl_verify).toMatchObject({ type: "boolean", "x-or-path": true });
    expect(opencti.properties.custom_headers).toMatchObject({ type: "string", "x-header-list": true });
    expect(connector.properties.id).toMatchObject({ type: "string", format: "uuid" });
    expect(connector.properties.type?.enum).toEqual(["STREAM"]);
    expect(connector.properties.log_level?.enum).toEqual(["debug", "info", "warn", "warning", "error"]);
    expect(connector.properties.scope).toMatchObject({ type: "array", items: { type: "string" } });
    expect(connector.properties.live_stream_start_timestamp?.type).toBe("integer");
    expect(connector.properties.state_ping_interval?.minimum).toBe(1);
  });

  it("describes every setting; ours say so, and ssl_verify says it departs from pycti", () => {
    for (const ns of [opencti, connector]) {
      for (const [key, prop] of Object.entries(ns.properties)) {
        expect(prop.description.length, key).toBeGreaterThan(15);
        if (ns === connector && !PYCTI_CONNECTOR_KEYS.has(key)) expect(prop.description, key).toMatch(/^Ours/);
      }
    }
    expect(opencti.properties.ssl_verify?.description).toMatch(/pycti defaults to false/);
    expect(connector.properties.state_ping_interval?.description).toMatch(/pycti: 40/);
  });
});

describe("buildConfigSchema", () => {
  const own: NamespaceSchema = {
    type: "object",
    required: ["api_key"],
    properties: { api_key: { type: "string", writeOnly: true, description: "key" } },
  };

  it("merges the SDK namespaces, then the connector's, with its default overrides", () => {
    const schema = buildConfigSchema({
      manifest: { namespace: "acme", connectorDefaults: { name: "Acme", scope: ["indicator"] } },
      configSchema: own,
    });
    expect(Object.keys(schema.properties)).toEqual(["opencti", "connector", "acme"]);
    expect(schema.properties.acme).toBe(own);
    expect(schema.properties.connector?.properties.name?.default).toBe("Acme");
    expect(schema.properties.connector?.properties.scope?.default).toEqual(["indicator"]);
    // A name with a default is no longer required.
    expect(schema.properties.connector?.required).toEqual(["id", "live_stream_id"]);
    expect(schema.required).toEqual(["opencti", "connector", "acme"]);
    // The SDK schema itself is left alone.
    expect(connector.properties.name?.default).toBeUndefined();
  });

  it("keeps name required without an override", () => {
    expect(
      buildConfigSchema({ manifest: { namespace: "acme" }, configSchema: own }).properties.connector?.required,
    ).toContain("name");
  });

  it("refuses a namespace the SDK owns, and overrides of unknown keys", () => {
    expect(() => buildConfigSchema({ manifest: { namespace: "connector" }, configSchema: own })).toThrow(/reserved/);
    expect(() =>
      buildConfigSchema({ manifest: { namespace: "acme", connectorDefaults: { nmae: "x" } }, configSchema: own }),
    ).toThrow(/manifest\.connectorDefaults\.nmae/);
  });
});
