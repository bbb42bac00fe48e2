import { describe, expect, it } from "vitest";
import { buildConfigSchema } from "../../src/config/build-schema.js";
import { loadConfig } from "../../src/config/load-config.js";
import { collectSecrets, headerValues, REDACTED, redactConfig } from "../../src/config/redact.js";

const schema = buildConfigSchema({
  manifest: { namespace: "demo", connectorDefaults: { name: "Demo" } },
  configSchema: {
    type: "object",
    properties: {
      api_key: { type: "string", writeOnly: true, description: "key" },
      keys: { type: "array", items: { type: "string" }, writeOnly: true, description: "more keys" },
      host: { type: "string", description: "host" },
    },
  },
});

const config = {
  opencti: {
    url: "https://octi",
    token: "octi-token-abcdef",
    custom_headers: "X-Auth: hdr-secret-1;X-Team:blue-team-42",
  },
  connector: { id: "x", name: "Demo" },
  demo: { api_key: "demo-key-123456", keys: ["k-one-11111", "k-two-22222"], host: "h" },
  extra: { whatever: 1 },
};

describe("redactConfig", () => {
  it("replaces secrets and header values, keeps the rest, and does not touch the input", () => {
    const before = JSON.stringify(config);
    const redacted = redactConfig(config, schema);
    expect(redacted).toEqual({
      opencti: { url: "https://octi", token: REDACTED, custom_headers: `X-Auth:${REDACTED};X-Team:${REDACTED}` },
      connector: { id: "x", name: "Demo" },
      demo: { api_key: REDACTED, keys: [REDACTED, REDACTED], host: "h" },
      extra: { whatever: 1 },
    });
    expect(REDACTED).toBe("[REDACTED]");
    expect(JSON.stringify(config)).toBe(before);
  });

  it("leaves unset secrets visible as unset", () => {
    const redacted = redactConfig({ opencti: { token: "" }, demo: { api_key: undefined } }, schema);
    expect(redacted).toEqual({ opencti: { token: "" }, demo: { api_key: undefined } });
  });
});

describe("collectSecrets", () => {
  it("lists every secret value, header values included", () => {
    expect(collectSecrets(config, schema)).toEqual([
      "octi-token-abcdef",
      "hdr-secret-1",
      "blue-team-42",
      "demo-key-123456",
      "k-one-11111",
      "k-two-22222",
    ]);
  });

  it("is what loadConfig returns as secrets", () => {
    const loaded = loadConfig(schema, {
      searchDirs: [],
      env: {
        OPENCTI_URL: "https://octi.example.com",
        OPENCTI_TOKEN: "octi-token-abcdef",
        OPENCTI_CUSTOM_HEADERS: "CF-Access-Client-Secret:cf-secret-999",
        CONNECTOR_ID: "7f4c1c51-94b0-4b6e-8b0d-5c9b1d9a2f10",
        CONNECTOR_LIVE_STREAM_ID: "live",
        DEMO_API_KEY: "demo-key-123456",
      },
    });
    expect(loaded.secrets).toEqual(["octi-token-abcdef", "cf-secret-999", "demo-key-123456"]);
  });

  it("splits header lists as pycti does", () => {
    expect(headerValues("a:1;b: 2 ;;c:")).toEqual(["1", "2"]);
  });
});
