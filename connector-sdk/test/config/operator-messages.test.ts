/** Issue 13, items 6 and 7: problems name the source of the bad value; misspelt names and bad dates are caught. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildConfigSchema } from "../../src/config/build-schema.js";
import { ConfigValidationError, formatConfigProblem } from "../../src/config/errors.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { BaseConfig, NamespaceSchema } from "../../src/config/types.js";

const ID = "7f4c1c51-94b0-4b6e-8b0d-5c9b1d9a2f10";
const demo: NamespaceSchema = {
  type: "object",
  properties: {
    api_key: { type: "string", writeOnly: true, description: "key" },
    account_id: { type: "string", pattern: "^[0-9]*$", description: "id" },
    site_id: {
      type: "string",
      pattern: "^[0-9]*$",
      errorMessage: "must be a site id: a number of 18 or 19 digits",
      description: "id",
    },
    group_id: { type: "string", pattern: "^[0-9]{18,19}$", description: "id" },
    size: { type: "integer", default: 5, minimum: 1, description: "n" },
  },
};
const schema = buildConfigSchema({
  manifest: { namespace: "demo", connectorDefaults: { name: "Demo" } },
  configSchema: demo,
});
type DemoConfig = BaseConfig & { demo: { api_key?: string; account_id?: string; site_id?: string } };

const yml = (files: Record<string, string>): string => {
  const d = mkdtempSync(join(tmpdir(), "cfg-ops-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
};
const VALID_YML =
  "opencti:\n  url: 'http://opencti:8080'\n  token: 'tok-secret-123456'\n" +
  `connector:\n  id: '${ID}'\n  live_stream_id: 'live'\n`;

function failure(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error("expected a ConfigValidationError");
}

const load = (env: Record<string, string>, dirs: string[] = [], rules?: (c: DemoConfig) => string[]) =>
  loadConfig<DemoConfig>(schema, { env, searchDirs: dirs, ...(rules ? { crossFieldRules: rules } : {}) });

describe("a problem names where its bad value came from", () => {
  it("the environment, when OPENCTI_URL=ChangeMe overrides a valid config.yml", () => {
    const dir = yml({ "config.yml": VALID_YML });
    const error = failure(() => load({ OPENCTI_URL: "ChangeMe" }, [dir]));
    expect(error.message).toContain(" - OPENCTI_URL (environment variable): is still the sample value 'ChangeMe'");
    expect(error.message).not.toContain("config.yml: opencti.url");
  });

  it("config.yml, with the file and the key", () => {
    const dir = yml({ "config.yml": VALID_YML.replace("http://opencti:8080", "ftp://x") });
    const error = failure(() => load({}, [dir]));
    expect(error.problems.map(formatConfigProblem)).toEqual([
      `opencti.url (in ${join(dir, "config.yml")}, env OPENCTI_URL): must be an http(s) URL, got "ftp://x"`,
    ]);
  });

  it(".env, with the file", () => {
    const dir = yml({ "config.yml": VALID_YML, ".env": "DEMO_SIZE=zero\n" });
    const error = failure(() => load({}, [dir]));
    expect(error.problems.map(formatConfigProblem)).toEqual([
      `DEMO_SIZE (in ${join(dir, ".env")}): must be an integer, got "zero"`,
    ]);
  });

  it("a required setting nobody set keeps both names to set it by", () => {
    const error = failure(() =>
      load({}, [yml({ "config.yml": VALID_YML.replace("  url: 'http://opencti:8080'\n", "") })]),
    );
    expect(error.problems.map(formatConfigProblem)).toEqual(["OPENCTI_URL (config.yml: opencti.url): is required"]);
  });
});

describe("validation gaps", () => {
  it("CONNECTOR_LIVE_STREAM_RECOVER_ISO_DATE must be an ISO date-time", () => {
    const dir = yml({ "config.yml": VALID_YML });
    const error = failure(() => load({ CONNECTOR_LIVE_STREAM_RECOVER_ISO_DATE: "yesterday" }, [dir]));
    expect(error.problems.map(formatConfigProblem)).toEqual([
      'CONNECTOR_LIVE_STREAM_RECOVER_ISO_DATE (environment variable): must be an ISO 8601 date-time such as 2024-01-01T00:00:00Z, got "yesterday"',
    ]);
    const ok = load({ CONNECTOR_LIVE_STREAM_RECOVER_ISO_DATE: "2025-01-01T00:00:00Z" }, [dir]);
    expect(ok.config.connector.live_stream_recover_iso_date).toBe("2025-01-01T00:00:00Z");
  });

  it("digit patterns read as number rules; a property may say its own rule", () => {
    const dir = yml({ "config.yml": VALID_YML });
    const error = failure(() => load({ DEMO_ACCOUNT_ID: "12ab", DEMO_SITE_ID: "x", DEMO_GROUP_ID: "123" }, [dir]));
    expect(error.problems.map((p) => p.message)).toEqual([
      'must be a number (digits only), got "12ab"',
      'must be a site id: a number of 18 or 19 digits, got "x"',
      'must be a number of 18 to 19 digits, got "123"',
    ]);
  });

  it("one bad value gives one problem: an invalid setting still counts as set for the cross-field rules", () => {
    const rule = (c: DemoConfig) =>
      c.demo.account_id || c.demo.site_id ? [] : ["set DEMO_ACCOUNT_ID or DEMO_SITE_ID"];
    const dir = yml({ "config.yml": VALID_YML });
    expect(failure(() => load({ DEMO_ACCOUNT_ID: "ChangeMe" }, [dir], rule)).problems).toHaveLength(1);
    expect(failure(() => load({ DEMO_ACCOUNT_ID: "abc" }, [dir], rule)).problems).toHaveLength(1);
    expect(failure(() => load({}, [dir], rule)).problems.map((p) => p.message)).toEqual([
      "set DEMO_ACCOUNT_ID or DEMO_SITE_ID",
    ]);
  });
});

describe("misspelt names are warned about, with the closest known name and never a value", () => {
  it("env vars under our prefixes", () => {
    const dir = yml({ "config.yml": VALID_YML });
    const { warnings } = load(
      {
        DEMO_ACOUNT_ID: "secret-looking-value",
        OPENCTI_TOKN: "another-value",
        DEMO_SOMETHING_ELSE: "1",
        OPENCTI_ADMIN_PASSWORD: "platform-variable",
        OPENCTI_BASE_URL: "http://platform",
        CONNECTOR_AUTO: "false",
        CONNECTOR_LISTEN_PROTOCOL: "API",
        CONNECTOR_CONFIG_FILE: "",
        HOME: "/root",
      },
      [dir],
    );
    expect(warnings).toEqual([
      "Environment variable DEMO_ACOUNT_ID is not a setting and is ignored (did you mean DEMO_ACCOUNT_ID?)",
      "Environment variable OPENCTI_TOKN is not a setting and is ignored (did you mean OPENCTI_TOKEN?)",
      "Environment variable DEMO_SOMETHING_ELSE is not a setting of this connector and is ignored",
    ]);
    expect(warnings.join("\n")).not.toMatch(/secret-looking|another-value|platform/);
  });

  it(".env names, config.yml keys and a misspelt section", () => {
    const dir = yml({
      "config.yml": `${VALID_YML}  log_levle: info\ndemmo:\n  size: 3\nsome_other_tool:\n  x: 1\n`,
      ".env": "DEMO_SIZ=3\n",
    });
    expect(load({}, [dir]).warnings).toEqual([
      "Unknown config.yml key connector.log_levle is ignored (did you mean connector.log_level?)",
      "Unknown config.yml section demmo is ignored (did you mean demo?)",
      `${join(dir, ".env")}: DEMO_SIZ is not a setting and is ignored (did you mean DEMO_SIZE?)`,
    ]);
  });

  it("are listed in the error too, since a misspelt name is often why a setting is missing", () => {
    const rule = (c: DemoConfig) => (c.demo.account_id ? [] : ["set DEMO_ACCOUNT_ID"]);
    const error = failure(() => load({ DEMO_ACOUNT_ID: "1" }, [yml({ "config.yml": VALID_YML })], rule));
    expect(error.message.split("\n")).toEqual([
      "Invalid configuration (1 problem):",
      " - set DEMO_ACCOUNT_ID",
      "Warnings:",
      " - Environment variable DEMO_ACOUNT_ID is not a setting and is ignored (did you mean DEMO_ACCOUNT_ID?)",
    ]);
  });
});
