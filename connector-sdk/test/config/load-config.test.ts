import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildConfigSchema } from "../../src/config/build-schema.js";
import { ConfigValidationError } from "../../src/config/errors.js";
import { loadConfig } from "../../src/config/load-config.js";
import { collectSecrets, redactConfig } from "../../src/config/redact.js";
import type { BaseConfig, NamespaceSchema } from "../../src/config/types.js";

const ID = "7f4c1c51-94b0-4b6e-8b0d-5c9b1d9a2f10";
const demo: NamespaceSchema = {
  type: "object",
  required: ["api_url", "api_key"],
  properties: {
    api_url: { type: "string", format: "uri", description: "API", "x-env-aliases": ["DEMO_URL"], "x-yaml-aliases": ["url"] },
    api_key: { type: "string", writeOnly: true, description: "key" },
    batch_size: { type: "integer", minimum: 1, default: 100, description: "batch" },
    flag: { type: "boolean", default: false, description: "flag" },
  },
};
const schema = buildConfigSchema({ namespace: "demo", configSchema: demo, configDefaults: { connector: { name: "Demo" } } });
type DemoConfig = BaseConfig & { demo: { api_url: string; api_key: string; batch_size: number; flag: boolean } };

const baseEnv = {
  OPENCTI_URL: "http://opencti:8080",
  OPENCTI_TOKEN: "octi-secret-token-123",
  CONNECTOR_ID: ID,
  CONNECTOR_LIVE_STREAM_ID: "live",
  DEMO_API_URL: "https://api.example.com",
  DEMO_API_KEY: "demo-secret-key-456",
};

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "cfg-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const load = (env: Record<string, string | undefined>, searchDirs: string[] = []) =>
  loadConfig<DemoConfig>(schema, { env, searchDirs });

describe("loadConfig", () => {
  it("applies defaults from the schema and the connector's overrides", () => {
    const { config, sources } = load(baseEnv);
    expect(config.connector.name).toBe("Demo");
    expect(config.connector.live_stream_listen_delete).toBe(true);
    expect(config.connector.state_ping_interval).toBe(5);
    expect(config.demo.batch_size).toBe(100);
    expect(config.opencti.ssl_verify).toBe(true);
    expect(sources.DEMO_BATCH_SIZE).toBe("default");
    expect(sources.OPENCTI_URL).toBe("env");
  });

  it("env beats config.yml, which beats .env, which beats defaults", () => {
    const d = dir({
      "config.yml": "demo:\n  batch_size: 7\n  flag: true\nconnector:\n  log_level: info\n",
      ".env": "DEMO_BATCH_SIZE=9\nCONNECTOR_LOG_LEVEL=debug\nCONNECTOR_METRICS_PORT=9999\n",
    });
    const { config, sources } = load({ ...baseEnv, DEMO_FLAG: "false" }, [d]);
    expect(config.demo.flag).toBe(false);
    expect(sources.DEMO_FLAG).toBe("env");
    expect(config.demo.batch_size).toBe(7);
    expect(sources.DEMO_BATCH_SIZE).toBe("config.yml");
    expect(config.connector.log_level).toBe("info");
    expect(config.connector.metrics_port).toBe(9999);
    expect(sources.CONNECTOR_METRICS_PORT).toBe(".env");
  });

  it.each([
    ["yes", true],
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["1", true],
    ["on", true],
    ["no", false],
    ["false", false],
    ["False", false],
    ["0", false],
    ["off", false],
  ])("coerces the boolean string %j (pycti's and the lax ones)", (text, value) => {
    expect(load({ ...baseEnv, DEMO_FLAG: text }).config.demo.flag).toBe(value);
  });

  it("an env var set to an empty string means the default, as in pycti", () => {
    const d = dir({ "config.yml": "demo:\n  batch_size: 7\n" });
    expect(load({ ...baseEnv, DEMO_BATCH_SIZE: "" }, [d]).config.demo.batch_size).toBe(100);
  });

  it("splits list values on commas and trims them", () => {
    expect(load({ ...baseEnv, CONNECTOR_SCOPE: "indicator, sentinelone ,," }).config.connector.scope).toEqual([
      "indicator",
      "sentinelone",
    ]);
  });

  it("reads older names through aliases when the main name is absent", () => {
    const env = { ...baseEnv, DEMO_API_URL: undefined, DEMO_URL: "https://old.example.com" };
    expect(load(env).config.demo.api_url).toBe("https://old.example.com");
    const d = dir({ "config.yml": "demo:\n  url: https://yaml.example.com\n" });
    expect(load({ ...baseEnv, DEMO_API_URL: undefined }, [d]).config.demo.api_url).toBe("https://yaml.example.com");
  });

  it("lists every problem at once, by env name and config.yml path, without secrets", () => {
    let error: ConfigValidationError | undefined;
    try {
      load({
        OPENCTI_TOKEN: "octi-secret-token-123",
        CONNECTOR_ID: "ChangeMe",
        CONNECTOR_LIVE_STREAM_ID: "live",
        DEMO_API_URL: "ftp://nope",
        DEMO_BATCH_SIZE: "ten",
        DEMO_API_KEY: "demo-secret-key-456",
        CONNECTOR_LOG_LEVEL: "verbose",
      });
    } catch (e) {
      error = e as ConfigValidationError;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const vars = error!.problems.map((p) => p.envVar).sort();
    expect(vars).toEqual(["CONNECTOR_ID", "CONNECTOR_LOG_LEVEL", "DEMO_API_URL", "DEMO_BATCH_SIZE", "OPENCTI_URL"]);
    expect(error!.message).toMatch(/OPENCTI_URL \(config.yml: opencti.url\): is required/);
    expect(error!.message).toMatch(/CONNECTOR_ID .*'ChangeMe'.*UUIDv4/);
    expect(error!.message).toMatch(/DEMO_BATCH_SIZE .*integer/);
    expect(error!.message).not.toContain("octi-secret-token-123");
    expect(error!.message).not.toContain("demo-secret-key-456");
  });

  it("rejects a connector id that is not a UUID", () => {
    expect(() => load({ ...baseEnv, CONNECTOR_ID: "my-connector" })).toThrow(/CONNECTOR_ID.*UUID/);
  });

  it("runs cross-field rules after the schema", () => {
    expect(() =>
      loadConfig<DemoConfig>(schema, { env: baseEnv, searchDirs: [], crossFieldRules: (c) => (c.demo.flag ? [] : ["flag must be on"]) }),
    ).toThrow(/flag must be on/);
  });

  it("warns about unknown config.yml keys", () => {
    const d = dir({ "config.yml": "demo:\n  batch_sise: 3\n" });
    expect(load(baseEnv, [d]).warnings).toEqual(["Unknown config.yml key demo.batch_sise is ignored"]);
  });

  it("marks secrets for redaction", () => {
    const { config, secrets } = load(baseEnv);
    expect(secrets).toEqual(expect.arrayContaining(["octi-secret-token-123", "demo-secret-key-456"]));
    expect(collectSecrets(config, schema)).toHaveLength(2);
    const redacted = redactConfig(config, schema);
    expect(JSON.stringify(redacted)).not.toMatch(/secret-(token|key)/);
    expect(redacted.demo.api_url).toBe("https://api.example.com");
  });
});
