/**
 * The config contract: a minimal and a full deployment are accepted, and each named invalid input is refused with
 * one `ConfigValidationError` naming the env var to fix. Config is fed as a literal env; no file is read.
 */
import { buildConfigSchema, ConfigValidationError, loadConfig } from "@octi/connector-sdk";
import { describe, expect, it } from "vitest";
import { type __PASCAL_NAME__Config, NAMESPACE, plugin } from "../src/index.js";

const schema = buildConfigSchema(plugin);

/** The least a deployment sets. */
const MINIMAL: Readonly<Record<string, string>> = {
  OPENCTI_URL: "http://localhost:8080",
  OPENCTI_TOKEN: "opencti-test-token",
  CONNECTOR_ID: "0c4ea2d7-0d4b-4a6e-9c55-1f1bb3f8f0a1",
  CONNECTOR_LIVE_STREAM_ID: "live",
  __ENV_PREFIX___API_URL: "https://api.example.com",
  __ENV_PREFIX___API_KEY: "test-api-key",
};

/** Every setting of the connector's namespace, plus some of the SDK's. */
const FULL: Readonly<Record<string, string>> = {
  ...MINIMAL,
  CONNECTOR_NAME: "__TITLE__ (test)",
  CONNECTOR_LOG_LEVEL: "debug",
  __ENV_PREFIX___REQUEST_TIMEOUT: "12.5",
  __ENV_PREFIX___SSL_VERIFY: "false",
  __ENV_PREFIX___BATCH_SIZE: "50",
  __ENV_PREFIX___BATCH_FLUSH_INTERVAL: "0.5",
  __ENV_PREFIX___MAX_PENDING: "200",
  __ENV_PREFIX___REQUESTS_PER_MINUTE: "30",
  __ENV_PREFIX___DATA_DIR: "/var/lib/__SLUG__",
};

function load(env: Readonly<Record<string, string>>): __PASCAL_NAME__Config {
  return loadConfig<__PASCAL_NAME__Config>(schema, { env, searchDirs: [] }).config;
}

function without(env: Readonly<Record<string, string>>, name: string): Record<string, string> {
  const copy = { ...env };
  delete copy[name];
  return copy;
}

describe("config", () => {
  it("accepts a minimal valid input and applies the defaults", () => {
    // Given the required settings only
    // When the config is loaded
    const config = load(MINIMAL);
    // Then the values are read and the defaults applied
    expect(config.__SNAKE_NAME__).toMatchObject({
      api_url: "https://api.example.com",
      api_key: "test-api-key",
      request_timeout: 30,
      ssl_verify: true,
      batch_size: 100,
      batch_flush_interval: 2,
      max_pending: 10000,
      requests_per_minute: 0,
      data_dir: "data",
    });
    expect(config.connector.live_stream_id).toBe("live");
    expect(config.connector.name).toBe("__TITLE__");
  });

  it("accepts a full valid input and coerces the env strings", () => {
    // Given every setting, as env strings
    // When the config is loaded
    const config = load(FULL);
    // Then each value has its schema type
    expect(config.__SNAKE_NAME__.request_timeout).toBe(12.5);
    expect(config.__SNAKE_NAME__.ssl_verify).toBe(false);
    expect(config.__SNAKE_NAME__).toMatchObject({
      batch_size: 50,
      batch_flush_interval: 0.5,
      max_pending: 200,
      requests_per_minute: 30,
      data_dir: "/var/lib/__SLUG__",
    });
    expect(config.connector.name).toBe("__TITLE__ (test)");
    expect(config.connector.log_level).toBe("debug");
  });

  it("marks the API key as a secret (redacted in logs, password in the generated schema)", () => {
    expect(schema.properties[NAMESPACE]?.properties.api_key?.writeOnly).toBe(true);
  });

  it.each([
    { id: "missing_connector_id", env: without(MINIMAL, "CONNECTOR_ID"), names: "CONNECTOR_ID" },
    {
      id: "missing_live_stream_id",
      env: without(MINIMAL, "CONNECTOR_LIVE_STREAM_ID"),
      names: "CONNECTOR_LIVE_STREAM_ID",
    },
    { id: "invalid_opencti_url", env: { ...MINIMAL, OPENCTI_URL: "not a url" }, names: "OPENCTI_URL" },
    { id: "missing_api_url", env: without(MINIMAL, "__ENV_PREFIX___API_URL"), names: "__ENV_PREFIX___API_URL" },
    {
      id: "invalid_api_url",
      env: { ...MINIMAL, __ENV_PREFIX___API_URL: "api.example.com" },
      names: "__ENV_PREFIX___API_URL",
    },
    { id: "missing_api_key", env: without(MINIMAL, "__ENV_PREFIX___API_KEY"), names: "__ENV_PREFIX___API_KEY" },
    {
      id: "request_timeout_below_minimum",
      env: { ...MINIMAL, __ENV_PREFIX___REQUEST_TIMEOUT: "0" },
      names: "__ENV_PREFIX___REQUEST_TIMEOUT",
    },
    {
      id: "request_timeout_not_a_number",
      env: { ...MINIMAL, __ENV_PREFIX___REQUEST_TIMEOUT: "soon" },
      names: "__ENV_PREFIX___REQUEST_TIMEOUT",
    },
  ])("rejects $id", ({ env, names }) => {
    // Given an invalid input
    // When the config is loaded
    const attempt = () => load(env);
    // Then it fails once, naming the setting to fix
    expect(attempt).toThrow(ConfigValidationError);
    expect(attempt).toThrow(names);
  });
});
