/** The `sentinelone_intel` namespace: schema, cross-field rules, token prefix, resolved settings. */
import { describe, expect, it } from "vitest";
import {
  configSchema,
  crossFieldRules,
  type SentinelOneIntelSettings,
  stripTokenPrefix,
} from "../src/config-schema.js";
import { resolveSettings } from "../src/settings.js";

const BASE: SentinelOneIntelSettings = {
  api_url: "https://console.example.net",
  api_key: "k",
  source: "OpenCTI",
  batch_size: 500,
  batch_flush_interval: 250,
  max_pending_iocs: 4000,
  request_timeout: 30,
  retry_max_delay: 300,
  dead_letter_path: "sentinelone-intel-dead-letter.jsonl",
  ssl_verify: true,
  requests_per_minute: 0,
  skip_score_only_updates: false,
  reconcile_interval: 24,
  data_dir: "data",
};

const config = (ns: Partial<SentinelOneIntelSettings>): SentinelOneIntelSettings => ({ ...BASE, ...ns });

describe("schema", () => {
  it("declares every key with the documented defaults", () => {
    const p = configSchema.properties;
    expect(Object.keys(p).sort()).toEqual(
      [
        "account_id",
        "api_key",
        "api_url",
        "batch_flush_interval",
        "batch_size",
        "ca_file",
        "data_dir",
        "dead_letter_path",
        "group_id",
        "max_pending_iocs",
        "request_timeout",
        "reconcile_interval",
        "requests_per_minute",
        "retry_max_delay",
        "site_id",
        "skip_score_only_updates",
        "source",
        "ssl_verify",
      ].sort(),
    );
    expect(configSchema.required).toEqual(["api_url", "api_key"]);
    expect(p.api_url).toMatchObject({
      format: "uri",
      "x-env-aliases": ["SENTINELONE_INTEL_URL"],
      "x-yaml-aliases": ["url"],
    });
    expect(p.api_key?.writeOnly).toBe(true);
    expect(p.batch_size).toMatchObject({ default: 2000, minimum: 1, maximum: 5000 });
    expect(p.batch_flush_interval?.default).toBe(250);
    expect(p.max_pending_iocs?.default).toBe(20000);
    expect(p.requests_per_minute).toMatchObject({ default: 0, minimum: 0 });
    expect(p.skip_score_only_updates?.default).toBe(false);
    expect(p.reconcile_interval).toMatchObject({ type: "number", default: 24, minimum: 0 });
    expect(p.data_dir?.default).toBe("data");
    expect(p.request_timeout?.default).toBe(30);
    expect(p.retry_max_delay?.default).toBe(300);
    expect(p.source?.default).toBe("OpenCTI");
    expect(p.dead_letter_path?.default).toBe("sentinelone-intel-dead-letter.jsonl");
    expect(p.ssl_verify?.default).toBe(true);
    for (const property of Object.values(p)) expect(property.description.length).toBeGreaterThan(10);
  });

  it.each(["", "1000000000000000001"])("scope ids accept %j", (value) => {
    expect(new RegExp(configSchema.properties.account_id?.pattern ?? "x").test(value)).toBe(true);
  });

  it.each(["abc", "12 34", "-1"])("scope ids refuse %j", (value) => {
    expect(new RegExp(configSchema.properties.site_id?.pattern ?? "x").test(value)).toBe(false);
  });
});

describe("cross-field rules", () => {
  it.each([
    ["account", { account_id: "1" }],
    ["site", { site_id: "2" }],
    ["group", { group_id: "3" }],
    ["account + group", { account_id: "1", group_id: "3" }],
    ["site + group", { site_id: "2", group_id: "3" }],
    ["account + empty site", { account_id: "1", site_id: "" }],
  ])("accept %s", (_name, ns) => {
    expect(crossFieldRules(config(ns))).toEqual([]);
  });

  it.each([
    [
      "no scope",
      {},
      /At least one of SENTINELONE_INTEL_ACCOUNT_ID, SENTINELONE_INTEL_SITE_ID or SENTINELONE_INTEL_GROUP_ID/,
    ],
    ["only empty ids", { account_id: "", site_id: " ", group_id: "" }, /At least one of/],
    [
      "account + site",
      { account_id: "1", site_id: "2" },
      /SENTINELONE_INTEL_ACCOUNT_ID and SENTINELONE_INTEL_SITE_ID cannot be used together/,
    ],
  ])("refuse %s", (_name, ns, message) => {
    const problems = crossFieldRules(config(ns));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});

describe("API key prefix", () => {
  it.each([
    ["abc123", "abc123"],
    ["APIToken abc123", "abc123"],
    ["ApiToken abc123", "abc123"],
    ["apitoken   abc123 ", "abc123"],
    [" abc123\n", "abc123"],
    ["APITokenabc123", "APITokenabc123"],
  ])("%j → %j", (raw, expected) => {
    expect(stripTokenPrefix(raw)).toBe(expected);
  });
});

describe("resolveSettings", () => {
  it("normalises the URL, key, ids and units", () => {
    const s = resolveSettings({
      ...BASE,
      api_url: "https://console.example.net///",
      api_key: "APIToken secret",
      account_id: "",
      site_id: "2000000000000000001",
      group_id: "",
      request_timeout: 2.5,
      retry_max_delay: 60,
      ca_file: "/etc/ssl/s1.pem",
      ssl_verify: false,
    });
    expect(s).toMatchObject({
      apiUrl: "https://console.example.net",
      apiKey: "secret",
      scope: { siteId: "2000000000000000001" },
      requestTimeoutMs: 2500,
      retryMaxDelayMs: 60_000,
      retryBaseMs: 1000,
      flushIntervalMs: 250,
      tls: { verify: false, caFile: "/etc/ssl/s1.pem" },
    });
    expect(s.scope).toEqual({ siteId: "2000000000000000001" });
  });

  it("never starts retries above the configured maximum", () => {
    expect(resolveSettings({ ...BASE, retry_max_delay: 0.2 }).retryBaseMs).toBe(200);
  });
});
