import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildConfigSchema } from "../../src/config/build-schema.js";
import { type ConfigProblem, ConfigValidationError } from "../../src/config/errors.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { BaseConfig, ConfigSchema, NamespaceSchema } from "../../src/config/types.js";

const ID = "7f4c1c51-94b0-4b6e-8b0d-5c9b1d9a2f10";
const OCTI_TOKEN = "octi-secret-token-123";
const DEMO_KEY = "demo-secret-key-456";

const demo: NamespaceSchema = {
  type: "object",
  required: ["api_url", "api_key"],
  properties: {
    api_url: {
      type: "string",
      format: "uri",
      description: "API",
      "x-env-aliases": ["DEMO_URL"],
      "x-yaml-aliases": ["url"],
    },
    api_key: { type: "string", writeOnly: true, description: "key" },
    batch_size: { type: "integer", minimum: 1, default: 100, description: "batch" },
    ratio: { type: "number", default: 0.5, description: "ratio" },
    flag: { type: "boolean", default: false, description: "flag" },
    account_id: { type: "string", pattern: "^[0-9]*$", description: "numeric id" },
    ports: { type: "array", items: { type: "integer" }, description: "ports" },
    mode: { type: "string", enum: ["fast", "safe"], default: "safe", description: "mode" },
    pin: { type: "integer", writeOnly: true, description: "a secret number" },
  },
};
const schema = buildConfigSchema({
  manifest: { namespace: "demo", connectorDefaults: { name: "Demo" } },
  configSchema: demo,
});

interface DemoNs {
  api_url: string;
  api_key: string;
  batch_size: number;
  ratio: number;
  flag: boolean;
  account_id?: string;
  ports?: number[];
  mode: string;
  pin?: number;
}
type DemoConfig = BaseConfig & { demo: DemoNs };

const baseEnv: Readonly<Record<string, string | undefined>> = {
  OPENCTI_URL: "http://opencti:8080",
  OPENCTI_TOKEN: OCTI_TOKEN,
  CONNECTOR_ID: ID,
  CONNECTOR_LIVE_STREAM_ID: "live",
  DEMO_API_URL: "https://api.example.com",
  DEMO_API_KEY: DEMO_KEY,
};

function dir(files: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), "cfg-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const load = (env: Record<string, string | undefined>, searchDirs: string[] = [], s: ConfigSchema = schema) =>
  loadConfig<DemoConfig>(s, { env, searchDirs });

/** The ConfigValidationError thrown by `fn` (fails the test when nothing or something else is thrown). */
function problemsOf(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return error as ConfigValidationError;
  }
  throw new Error("expected a ConfigValidationError");
}

const byEnv = (error: ConfigValidationError, name: string): ConfigProblem | undefined =>
  error.problems.find((p) => p.envVar === name);

describe("defaults", () => {
  it("applies the schema defaults and the connector's overrides, and records the sources", () => {
    const { config, sources } = load(baseEnv);
    expect(config.connector.name).toBe("Demo");
    expect(config.demo.batch_size).toBe(100);
    expect(config.demo.mode).toBe("safe");
    expect(config.opencti.ssl_verify).toBe(true);
    expect(sources.DEMO_BATCH_SIZE).toBe("default");
    expect(sources.CONNECTOR_NAME).toBe("default");
    expect(sources.OPENCTI_URL).toBe("env");
    // A setting with no value at all has no source.
    expect(sources.DEMO_ACCOUNT_ID).toBeUndefined();
    expect("account_id" in config.demo).toBe(false);
  });

  it('coerces a default given as a string for a list (scope: "a, b")', () => {
    const s = buildConfigSchema({
      manifest: { namespace: "demo", connectorDefaults: { name: "Dee", scope: "a, b" } },
      configSchema: demo,
    });
    expect(load(baseEnv, [], s).config.connector.scope).toEqual(["a", "b"]);
  });
});

describe("precedence: env > config.yml > .env > default", () => {
  const files = {
    "config.yml": "demo:\n  batch_size: 7\n  ratio: 0.25\n",
    ".env": "DEMO_BATCH_SIZE=9\nDEMO_RATIO=0.75\nDEMO_FLAG=yes\n",
  };

  it.each([
    ["env over everything", { DEMO_BATCH_SIZE: "3" }, 3, "env"],
    ["config.yml over .env", {}, 7, "config.yml"],
  ])("%s", (_name, extra, value, source) => {
    const { config, sources } = load({ ...baseEnv, ...extra }, [dir(files)]);
    expect(config.demo.batch_size).toBe(value);
    expect(sources.DEMO_BATCH_SIZE).toBe(source);
  });

  it(".env over the default, and both files are read together", () => {
    const { config, sources, files: read } = load(baseEnv, [dir(files)]);
    expect(config.demo.flag).toBe(true);
    expect(sources.DEMO_FLAG).toBe(".env");
    expect(config.demo.ratio).toBe(0.25);
    expect(sources.DEMO_RATIO).toBe("config.yml");
    expect(read.yaml).toMatch(/config\.yml$/);
    expect(read.dotenv).toMatch(/\.env$/);
  });

  it("the default when no source sets it", () => {
    const { config, sources } = load(baseEnv, [dir({ ".env": "DEMO_RATIO=0.75\n" })]);
    expect(config.demo.batch_size).toBe(100);
    expect(sources.DEMO_BATCH_SIZE).toBe("default");
  });

  it("looks for each file in the search directories in order; the first one found wins", () => {
    const first = dir({ ".env": "DEMO_BATCH_SIZE=11\n" });
    const second = dir({
      "config.yml": "demo:\n  batch_size: 22\n  ratio: 0.1\n",
      ".env": "DEMO_RATIO=0.9\nDEMO_BATCH_SIZE=33\n",
    });
    const { config, files: read } = load(baseEnv, [first, second]);
    expect(read.dotenv).toBe(join(first, ".env"));
    expect(read.yaml).toBe(join(second, "config.yml"));
    expect(config.demo.batch_size).toBe(22); // second/config.yml beats first/.env
    expect(config.demo.ratio).toBe(0.1);
  });

  it("reads an explicit config file (option or CONNECTOR_CONFIG_FILE) instead of searching", () => {
    const searched = dir({ "config.yml": "demo:\n  batch_size: 1\n" });
    const other = dir({ "custom.yml": "demo:\n  batch_size: 44\n" });
    const file = join(other, "custom.yml");
    expect(
      loadConfig<DemoConfig>(schema, { env: baseEnv, searchDirs: [searched], configFile: file }).config.demo.batch_size,
    ).toBe(44);
    expect(load({ ...baseEnv, CONNECTOR_CONFIG_FILE: file }, [searched]).config.demo.batch_size).toBe(44);
  });

  it("a named config file that does not exist is a problem", () => {
    const error = problemsOf(() => load({ ...baseEnv, CONNECTOR_CONFIG_FILE: "/nonexistent/config.yml" }));
    expect(error.problems).toEqual([
      {
        envVar: "CONNECTOR_CONFIG_FILE",
        yamlPath: "",
        message: expect.stringMatching(/\/nonexistent\/config\.yml.*not a readable file/),
      },
    ]);
  });
});

describe("unset values", () => {
  it('an env var set to "" counts as unset: the default applies', () => {
    const { config, sources } = load({ ...baseEnv, DEMO_BATCH_SIZE: "", CONNECTOR_LOG_LEVEL: "" });
    expect(config.demo.batch_size).toBe(100);
    expect(config.connector.log_level).toBe("info");
    expect(sources.DEMO_BATCH_SIZE).toBe("default");
  });

  it('an env var set to "" lets config.yml (then .env) speak (pycti would take the default here)', () => {
    expect(
      load({ ...baseEnv, DEMO_BATCH_SIZE: "" }, [dir({ "config.yml": "demo:\n  batch_size: 7\n" })]).config.demo
        .batch_size,
    ).toBe(7);
    expect(
      load({ ...baseEnv, DEMO_BATCH_SIZE: "" }, [dir({ ".env": "DEMO_BATCH_SIZE=8\n" })]).config.demo.batch_size,
    ).toBe(8);
  });

  it("an empty required env var is reported as missing", () => {
    const error = problemsOf(() => load({ ...baseEnv, OPENCTI_URL: "" }));
    expect(error.problems).toEqual([{ envVar: "OPENCTI_URL", yamlPath: "opencti.url", message: "is required" }]);
  });

  it.each([
    ["null", "demo:\n  batch_size: null\n"],
    ["~", "demo:\n  batch_size: ~\n"],
    ["nothing", "demo:\n  batch_size:\n"],
    ["an empty string", 'demo:\n  batch_size: ""\n'],
  ])("a config.yml value of %s counts as unset", (_name, text) => {
    const { config, sources } = load(baseEnv, [dir({ "config.yml": text, ".env": "DEMO_BATCH_SIZE=8\n" })]);
    expect(config.demo.batch_size).toBe(8);
    expect(sources.DEMO_BATCH_SIZE).toBe(".env");
  });

  it("an empty config.yml section is fine", () => {
    expect(load(baseEnv, [dir({ "config.yml": "demo:\nconnector:\n" })]).config.demo.batch_size).toBe(100);
  });
});

describe("coercion", () => {
  it.each([
    // pycti's exact strings
    ["yes", true],
    ["true", true],
    ["True", true],
    ["no", false],
    ["false", false],
    ["False", false],
    // the connectors-sdk (pydantic lax) ones, any case
    ["TRUE", true],
    ["On", true],
    ["1", true],
    ["y", true],
    ["FALSE", false],
    ["off", false],
    ["0", false],
    ["N", false],
  ])("the boolean string %j is %j", (text, value) => {
    expect(load({ ...baseEnv, DEMO_FLAG: text }).config.demo.flag).toBe(value);
  });

  it("YAML booleans and boolean strings both work", () => {
    expect(load(baseEnv, [dir({ "config.yml": "demo:\n  flag: true\n" })]).config.demo.flag).toBe(true);
    expect(load(baseEnv, [dir({ "config.yml": "demo:\n  flag: 'on'\n" })]).config.demo.flag).toBe(true);
    expect(load(baseEnv, [dir({ "config.yml": "demo:\n  flag: False\n" })]).config.demo.flag).toBe(false);
  });

  it("refuses a boolean it does not know, naming the variable and the value", () => {
    const error = problemsOf(() => load({ ...baseEnv, DEMO_FLAG: "maybe" }));
    expect(byEnv(error, "DEMO_FLAG")?.message).toBe('must be a boolean (true/false, yes/no, on/off, 1/0), got "maybe"');
  });

  it.each([
    ["42", 42],
    [" 42 ", 42],
    ["+7", 7],
    ["-3", -3],
  ])("the integer string %j is %j", (text, value) => {
    expect(load({ ...baseEnv, DEMO_BATCH_SIZE: text }, [], relaxed).config.demo.batch_size).toBe(value);
  });

  it.each(["ten", "1.5", "1e3", "0x10", "12abc", "true"])(
    "refuses %j for an integer, naming env var and config.yml path",
    (text) => {
      const error = problemsOf(() => load({ ...baseEnv, DEMO_BATCH_SIZE: text }));
      expect(error.problems).toEqual([
        {
          envVar: "DEMO_BATCH_SIZE",
          yamlPath: "demo.batch_size",
          message: `must be an integer, got ${JSON.stringify(text)}`,
          origin: { source: "env", name: "DEMO_BATCH_SIZE" },
        },
      ]);
    },
  );

  it("reads numbers from config.yml as it reads env strings", () => {
    const { config } = load(baseEnv, [
      dir({ "config.yml": "demo:\n  batch_size: 8080\n  ratio: 1.5\nconnector:\n  metrics_port: 9999\n" }),
    ]);
    expect(config.demo.batch_size).toBe(8080);
    expect(config.demo.ratio).toBe(1.5);
    expect(config.connector.metrics_port).toBe(9999);
    const error = problemsOf(() => load(baseEnv, [dir({ "config.yml": "demo:\n  batch_size: 2.5\n" })]));
    expect(byEnv(error, "DEMO_BATCH_SIZE")?.message).toBe('must be an integer, got "2.5"');
  });

  it("keeps every digit of a long numeric id written unquoted in config.yml", () => {
    const { config } = load(baseEnv, [dir({ "config.yml": "demo:\n  account_id: 1000000000000000001\n" })]);
    expect(config.demo.account_id).toBe("1000000000000000001");
  });

  it("keeps an unquoted ISO date in config.yml as text", () => {
    const yml = "connector:\n  live_stream_recover_iso_date: 2024-01-01T00:00:00Z\n";
    expect(load(baseEnv, [dir({ "config.yml": yml })]).config.connector.live_stream_recover_iso_date).toBe(
      "2024-01-01T00:00:00Z",
    );
  });

  it("splits lists on commas, trims the items and drops empty ones", () => {
    expect(load({ ...baseEnv, CONNECTOR_SCOPE: " indicator, sentinelone ,, " }).config.connector.scope).toEqual([
      "indicator",
      "sentinelone",
    ]);
    expect(load(baseEnv, [dir({ "config.yml": "connector:\n  scope: [a, ' b ']\n" })]).config.connector.scope).toEqual([
      "a",
      "b",
    ]);
    expect(
      load(baseEnv, [dir({ "config.yml": "connector:\n  scope:\n    - x\n    - y\n" })]).config.connector.scope,
    ).toEqual(["x", "y"]);
    expect(load({ ...baseEnv, DEMO_PORTS: "80, 443" }).config.demo.ports).toEqual([80, 443]);
  });

  it("refuses a list of integers with a non-integer item", () => {
    const error = problemsOf(() => load({ ...baseEnv, DEMO_PORTS: "80,http" }));
    expect(byEnv(error, "DEMO_PORTS")?.message).toBe('must be a comma-separated list of integers, got "80,http"');
  });

  it("refuses a mapping where a single value is expected", () => {
    const error = problemsOf(() => load(baseEnv, [dir({ "config.yml": "demo:\n  account_id:\n    a: 1\n" })]));
    expect(byEnv(error, "DEMO_ACCOUNT_ID")).toMatchObject({
      envVar: "DEMO_ACCOUNT_ID",
      yamlPath: "demo.account_id",
      message: "must be a single value, not a mapping",
    });
  });

  it("matches enums case-insensitively and keeps the schema's spelling", () => {
    expect(load({ ...baseEnv, CONNECTOR_LOG_LEVEL: "INFO" }).config.connector.log_level).toBe("info");
    expect(load({ ...baseEnv, CONNECTOR_LOG_LEVEL: "Warning" }).config.connector.log_level).toBe("warning");
    expect(load({ ...baseEnv, CONNECTOR_TYPE: "stream" }).config.connector.type).toBe("STREAM");
    const error = problemsOf(() => load({ ...baseEnv, CONNECTOR_LOG_LEVEL: "verbose" }));
    expect(byEnv(error, "CONNECTOR_LOG_LEVEL")?.message).toBe(
      'must be one of debug, info, warn, warning, error, got "verbose"',
    );
  });

  it("takes ssl_verify as a boolean or the path of a readable CA bundle", () => {
    const folder = dir({ "ca.pem": "-----BEGIN CERTIFICATE-----\n" });
    const ca = join(folder, "ca.pem");
    expect(load({ ...baseEnv, OPENCTI_SSL_VERIFY: "false" }).config.opencti.ssl_verify).toBe(false);
    expect(load({ ...baseEnv, OPENCTI_SSL_VERIFY: ca }).config.opencti.ssl_verify).toBe(ca);
    const missing = problemsOf(() => load({ ...baseEnv, OPENCTI_SSL_VERIFY: "/no/such/ca.pem" }));
    expect(byEnv(missing, "OPENCTI_SSL_VERIFY")?.message).toMatch(
      /must be true, false, or the path of a readable CA bundle file \(PEM\).*: no such file$/,
    );
    const folderGiven = problemsOf(() => load({ ...baseEnv, OPENCTI_SSL_VERIFY: folder }));
    expect(byEnv(folderGiven, "OPENCTI_SSL_VERIFY")?.message).toMatch(/: it is not a file$/);
  });
});

/** The demo schema without its constraints that get in the way of the integer table above. */
const relaxed = buildConfigSchema({
  manifest: { namespace: "demo", connectorDefaults: { name: "Demo" } },
  configSchema: {
    ...demo,
    properties: { ...demo.properties, batch_size: { type: "integer", default: 100, description: "b" } },
  },
});

describe("aliases", () => {
  const aliasSchema = buildConfigSchema({
    manifest: { namespace: "tiny", connectorDefaults: { name: "Tiny" } },
    configSchema: {
      type: "object",
      required: ["api_url"],
      properties: {
        api_url: {
          type: "string",
          description: "URL",
          "x-env-aliases": ["TINY_URL", "OLD_TINY_URL"],
          "x-yaml-aliases": ["url"],
        },
      },
    },
  });
  const tinyEnv = { ...baseEnv, DEMO_API_URL: undefined, DEMO_API_KEY: undefined };
  const tiny = (env: Record<string, string | undefined>, dirs: string[] = []) =>
    loadConfig<{ tiny: { api_url: string } }>(aliasSchema, { env, searchDirs: dirs });

  it("reads an older env name when the main one is absent, and says it is deprecated", () => {
    const loaded = tiny({ ...tinyEnv, OLD_TINY_URL: "old" });
    expect(loaded.config.tiny.api_url).toBe("old");
    expect(loaded.sources.TINY_API_URL).toBe("env");
    expect(loaded.warnings).toEqual(["OLD_TINY_URL is a deprecated name: use TINY_API_URL"]);
  });

  it("prefers the main name, then the aliases in their order", () => {
    expect(tiny({ ...tinyEnv, TINY_API_URL: "main", TINY_URL: "alias" }).config.tiny.api_url).toBe("main");
    expect(tiny({ ...tinyEnv, TINY_URL: "first", OLD_TINY_URL: "second" }).config.tiny.api_url).toBe("first");
    expect(tiny({ ...tinyEnv, TINY_API_URL: "", TINY_URL: "alias" }).config.tiny.api_url).toBe("alias");
  });

  it("reads an older config.yml key, and in .env the older env names", () => {
    const yml = tiny(tinyEnv, [dir({ "config.yml": "tiny:\n  url: from-yaml\n" })]);
    expect(yml.config.tiny.api_url).toBe("from-yaml");
    expect(yml.warnings).toEqual(["config.yml key tiny.url is a deprecated name: use tiny.api_url"]);
    expect(tiny(tinyEnv, [dir({ "config.yml": "tiny:\n  url: old\n  api_url: new\n" })]).config.tiny.api_url).toBe(
      "new",
    );
    expect(tiny(tinyEnv, [dir({ ".env": "TINY_URL=from-dotenv\n" })]).config.tiny.api_url).toBe("from-dotenv");
  });

  it("an env alias still beats config.yml", () => {
    expect(
      tiny({ ...tinyEnv, TINY_URL: "env" }, [dir({ "config.yml": "tiny:\n  api_url: yml\n" })]).config.tiny.api_url,
    ).toBe("env");
  });
});

describe("problems", () => {
  it("lists every problem at once, by env name and config.yml path, in schema order", () => {
    const error = problemsOf(() =>
      load({
        OPENCTI_TOKEN: OCTI_TOKEN,
        CONNECTOR_ID: "not-a-uuid",
        CONNECTOR_LIVE_STREAM_ID: "live",
        CONNECTOR_LOG_LEVEL: "verbose",
        CONNECTOR_METRICS_PORT: "70000",
        CONNECTOR_STATE_PING_INTERVAL: "0",
        DEMO_API_URL: "ftp://nope",
        DEMO_BATCH_SIZE: "ten",
        DEMO_ACCOUNT_ID: "acme",
      }),
    );
    expect(error.name).toBe("ConfigValidationError");
    const env = (name: string) => ({ source: "env", name });
    expect(error.problems).toEqual([
      { envVar: "OPENCTI_URL", yamlPath: "opencti.url", message: "is required" },
      {
        envVar: "CONNECTOR_ID",
        yamlPath: "connector.id",
        message: 'must be a UUID (e.g. from `uuidgen`), got "not-a-uuid"',
        origin: env("CONNECTOR_ID"),
      },
      {
        envVar: "CONNECTOR_LOG_LEVEL",
        yamlPath: "connector.log_level",
        message: 'must be one of debug, info, warn, warning, error, got "verbose"',
        origin: env("CONNECTOR_LOG_LEVEL"),
      },
      {
        envVar: "CONNECTOR_METRICS_PORT",
        yamlPath: "connector.metrics_port",
        message: "must be <= 65535, got 70000",
        origin: env("CONNECTOR_METRICS_PORT"),
      },
      {
        envVar: "CONNECTOR_STATE_PING_INTERVAL",
        yamlPath: "connector.state_ping_interval",
        message: "must be >= 1, got 0",
        origin: env("CONNECTOR_STATE_PING_INTERVAL"),
      },
      {
        envVar: "DEMO_API_URL",
        yamlPath: "demo.api_url",
        message: 'must be an http(s) URL, got "ftp://nope"',
        origin: env("DEMO_API_URL"),
      },
      { envVar: "DEMO_API_KEY", yamlPath: "demo.api_key", message: "is required" },
      {
        envVar: "DEMO_BATCH_SIZE",
        yamlPath: "demo.batch_size",
        message: 'must be an integer, got "ten"',
        origin: env("DEMO_BATCH_SIZE"),
      },
      {
        envVar: "DEMO_ACCOUNT_ID",
        yamlPath: "demo.account_id",
        message: 'must be a number (digits only), got "acme"',
        origin: env("DEMO_ACCOUNT_ID"),
      },
    ]);
    expect(error.message.split("\n")).toEqual([
      "Invalid configuration (9 problems):",
      " - OPENCTI_URL (config.yml: opencti.url): is required",
      ' - CONNECTOR_ID (environment variable): must be a UUID (e.g. from `uuidgen`), got "not-a-uuid"',
      ' - CONNECTOR_LOG_LEVEL (environment variable): must be one of debug, info, warn, warning, error, got "verbose"',
      " - CONNECTOR_METRICS_PORT (environment variable): must be <= 65535, got 70000",
      " - CONNECTOR_STATE_PING_INTERVAL (environment variable): must be >= 1, got 0",
      ' - DEMO_API_URL (environment variable): must be an http(s) URL, got "ftp://nope"',
      " - DEMO_API_KEY (config.yml: demo.api_key): is required",
      ' - DEMO_BATCH_SIZE (environment variable): must be an integer, got "ten"',
      ' - DEMO_ACCOUNT_ID (environment variable): must be a number (digits only), got "acme"',
    ]);
  });

  it("says one problem in the singular", () => {
    expect(problemsOf(() => load({ ...baseEnv, OPENCTI_URL: undefined })).message).toBe(
      "Invalid configuration (1 problem):\n - OPENCTI_URL (config.yml: opencti.url): is required",
    );
  });

  it.each(["ChangeMe", "changeme", "CHANGEME"])("names a connector id left at the sample value %j", (value) => {
    const error = problemsOf(() => load({ ...baseEnv, CONNECTOR_ID: value }));
    expect(error.problems).toHaveLength(1);
    const p = error.problems[0]!;
    expect(`${p.envVar} ${p.message}`).toBe(
      "CONNECTOR_ID is still the sample value 'ChangeMe': set it to a UUIDv4 (e.g. from `uuidgen`)",
    );
    expect(p.yamlPath).toBe("connector.id");
  });

  it("names the token, the live stream id and any other setting left at ChangeMe", () => {
    const error = problemsOf(() =>
      load({
        ...baseEnv,
        OPENCTI_TOKEN: "ChangeMe",
        CONNECTOR_LIVE_STREAM_ID: "ChangeMe",
        DEMO_API_KEY: "changeme",
        DEMO_ACCOUNT_ID: "ChangeMe",
      }),
    );
    expect(error.problems.map((p) => `${p.envVar} ${p.message}`)).toEqual([
      "OPENCTI_TOKEN is still the sample value 'ChangeMe': set it to the API token of the OpenCTI user the connector runs as",
      "CONNECTOR_LIVE_STREAM_ID is still the sample value 'ChangeMe': set it to the ID of the live stream to listen to (OpenCTI: Data sharing > Live streams)",
      "DEMO_API_KEY is still the sample value 'ChangeMe': set the real secret",
      "DEMO_ACCOUNT_ID is still the sample value 'ChangeMe': set a real value",
    ]);
  });

  it("only accepts http(s) URLs", () => {
    for (const url of ["opencti:8080", "file:///etc/passwd", "ws://opencti:8080", "not a url"]) {
      const error = problemsOf(() => load({ ...baseEnv, OPENCTI_URL: url }));
      expect(byEnv(error, "OPENCTI_URL")?.message, url).toMatch(/^must be an http\(s\) URL/);
    }
    expect(load({ ...baseEnv, OPENCTI_URL: "https://opencti.example.com/" }).config.opencti.url).toBe(
      "https://opencti.example.com/",
    );
  });

  it("never puts a secret in the error, even one pasted into the wrong setting or a broken config.yml", () => {
    const yml = `opencti:\n  token: ${OCTI_TOKEN}\ndemo:\n  api_key: [${DEMO_KEY}\n`;
    const broken = problemsOf(() => load({ ...baseEnv, OPENCTI_TOKEN: undefined }, [dir({ "config.yml": yml })]));
    expect(broken.message).toMatch(/is not valid YAML/);
    const misplaced = problemsOf(() =>
      load({
        ...baseEnv,
        OPENCTI_URL: OCTI_TOKEN,
        DEMO_ACCOUNT_ID: `Bearer ${DEMO_KEY}`,
        DEMO_PIN: "12ab-not-a-number",
        DEMO_API_URL: `ftp://user:${DEMO_KEY}@api.example.com/x`,
        DEMO_FLAG: DEMO_KEY.toUpperCase(),
      }),
    );
    expect(misplaced.problems.map((p) => p.envVar)).toEqual([
      "OPENCTI_URL",
      "DEMO_API_URL",
      "DEMO_FLAG",
      "DEMO_ACCOUNT_ID",
      "DEMO_PIN",
    ]);
    expect(byEnv(misplaced, "DEMO_PIN")?.message).toBe("must be an integer");
    expect(byEnv(misplaced, "DEMO_API_URL")?.message).toBe('must be an http(s) URL, got "ftp://***@api.example.com/x"');
    for (const text of [broken.message, misplaced.message, JSON.stringify(misplaced.problems)]) {
      expect(text.toLowerCase()).not.toContain(OCTI_TOKEN);
      expect(text.toLowerCase()).not.toContain(DEMO_KEY);
      expect(text).not.toContain("12ab-not-a-number");
    }
    expect(misplaced.message).toContain("[REDACTED]");
  });

  it("reports a config.yml that is not valid YAML or not a mapping", () => {
    expect(problemsOf(() => load(baseEnv, [dir({ "config.yml": "demo: [\n" })])).problems[0]).toMatchObject({
      envVar: "config.yml",
      message: expect.stringMatching(/config\.yml is not valid YAML: .* at line \d+, column \d+$/),
    });
    expect(problemsOf(() => load(baseEnv, [dir({ "config.yml": "- a\n- b\n" })])).problems[0]?.message).toMatch(
      /must be a mapping/,
    );
    expect(problemsOf(() => load(baseEnv, [dir({ "config.yml": "demo: 3\n" })])).problems[0]).toMatchObject({
      envVar: "config.yml",
      yamlPath: "demo",
      message: expect.stringMatching(/section demo must be a mapping/),
    });
  });
});

describe("cross-field rules", () => {
  const withRules = (env: Record<string, string | undefined>, rules: (c: DemoConfig) => readonly string[]) =>
    loadConfig<DemoConfig>(schema, { env, searchDirs: [], crossFieldRules: rules });

  it("run after the schema, on the typed config, each string being one problem", () => {
    const error = problemsOf(() =>
      withRules(baseEnv, (c) => (c.demo.flag ? [] : ["DEMO_FLAG must be on", "and another"])),
    );
    expect(error.problems).toEqual([
      { envVar: "", yamlPath: "", message: "DEMO_FLAG must be on" },
      { envVar: "", yamlPath: "", message: "and another" },
    ]);
    expect(error.message).toBe("Invalid configuration (2 problems):\n - DEMO_FLAG must be on\n - and another");
    expect(withRules({ ...baseEnv, DEMO_FLAG: "true" }, (c) => (c.demo.flag ? [] : ["no"])).config.demo.flag).toBe(
      true,
    );
  });

  it("also run while another setting is invalid, so every problem is listed at once", () => {
    const error = problemsOf(() => withRules({ ...baseEnv, DEMO_BATCH_SIZE: "x" }, () => ["cross"]));
    expect(error.problems.map((p) => p.envVar || p.message)).toEqual(["DEMO_BATCH_SIZE", "cross"]);
  });

  it("a rule that throws over an already invalid setting adds nothing", () => {
    const error = problemsOf(() =>
      withRules({ ...baseEnv, DEMO_BATCH_SIZE: "x" }, () => {
        throw new Error("reads a missing value");
      }),
    );
    expect(error.problems.map((p) => p.envVar)).toEqual(["DEMO_BATCH_SIZE"]);
  });

  it("a rule that throws is a problem, not a crash", () => {
    const error = problemsOf(() =>
      withRules(baseEnv, () => {
        throw new Error("boom");
      }),
    );
    expect(error.problems).toEqual([{ envVar: "", yamlPath: "", message: "a cross-field rule failed: boom" }]);
  });
});

describe("warnings", () => {
  it("warns about unknown config.yml keys in known sections, suggesting the close ones", () => {
    const yml =
      "demo:\n  batch_sise: 3\n  totally_unrelated: 1\nconnector:\n  listen_protocol: API\nother_tool:\n  x: 1\n";
    expect(load({ ...baseEnv, UNRELATED_VAR: "x" }, [dir({ "config.yml": yml })]).warnings).toEqual([
      "Unknown config.yml key connector.listen_protocol is ignored",
      "Unknown config.yml key demo.batch_sise is ignored (did you mean demo.batch_size?)",
      "Unknown config.yml key demo.totally_unrelated is ignored",
    ]);
  });

  it("accepts the dashed spelling of a namespace in config.yml", () => {
    const s = buildConfigSchema({
      manifest: { namespace: "acme_intel", connectorDefaults: { name: "Acme" } },
      configSchema: { type: "object", properties: { size: { type: "integer", default: 1, description: "s" } } },
    });
    const loaded = loadConfig<{ acme_intel: { size: number } }>(s, {
      env: baseEnv,
      searchDirs: [dir({ "config.yml": "acme-intel:\n  size: 5\n" })],
    });
    expect(loaded.config.acme_intel.size).toBe(5);
  });
});

describe(".env files", () => {
  it("understands quotes, export, comments and escapes; does not export to the process", () => {
    const text = [
      "# comment",
      "export DEMO_ACCOUNT_ID=123 # trailing comment",
      'DEMO_API_KEY="quoted # not a comment"',
      "CONNECTOR_NAME='single \\n literal'",
      'CONNECTOR_LIVE_STREAM_ID="a\\"b"',
      "",
      "not a line",
    ].join("\r\n");
    const { config } = load({ ...baseEnv, DEMO_API_KEY: undefined, CONNECTOR_LIVE_STREAM_ID: undefined }, [
      dir({ ".env": text }),
    ]);
    expect(config.demo.account_id).toBe("123");
    expect(config.demo.api_key).toBe("quoted # not a comment");
    expect(config.connector.name).toBe("single \\n literal");
    expect(config.connector.live_stream_id).toBe('a"b');
    expect(process.env.DEMO_ACCOUNT_ID).toBeUndefined();
  });
});

describe("loaded config", () => {
  it("is a BaseConfig with pycti's values and ours", () => {
    const { config, secrets, schema: s } = load({ ...baseEnv, CONNECTOR_LIVE_STREAM_START_TIMESTAMP: "1700000000000" });
    const base: BaseConfig = config;
    expect(base.connector).toMatchObject({
      id: ID,
      type: "STREAM",
      scope: ["not-applicable"],
      log_level: "info",
      live_stream_id: "live",
      live_stream_listen_delete: true,
      live_stream_no_dependencies: true,
      live_stream_with_inferences: false,
      live_stream_start_timestamp: 1700000000000,
      expose_metrics: false,
      metrics_port: 9095,
      metrics_namespace: "",
      metrics_subsystem: "",
      state_ping_interval: 5,
      live_stream_watchdog_timeout: 45,
      live_stream_reconnect_max_delay: 60,
      live_stream_max_in_flight: 4000,
      shutdown_timeout: 30,
    });
    expect(base.opencti).toEqual({
      url: "http://opencti:8080",
      token: OCTI_TOKEN,
      ssl_verify: true,
      json_logging: true,
    });
    expect(secrets).toEqual([OCTI_TOKEN, DEMO_KEY]);
    expect(s).toBe(schema);
  });
});
