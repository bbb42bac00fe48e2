import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, SentinelOneSimulator } from "../../dev/simulator/index.js";
import { configCheckCli, runConfigCheck } from "../../src/tools/config-check.js";
import { PACKAGE_DIR } from "../../src/tools/paths.js";

const OPENCTI_TOKEN = "octi-check-token-5c1e9d";
const STREAM = "config-check-stream";

function goodEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    OPENCTI_URL: "http://127.0.0.1:1",
    OPENCTI_TOKEN,
    CONNECTOR_ID: randomUUID(),
    CONNECTOR_LIVE_STREAM_ID: STREAM,
    SENTINELONE_INTEL_API_URL: "http://127.0.0.1:2",
    SENTINELONE_INTEL_API_KEY: DEFAULT_API_TOKEN,
    SENTINELONE_INTEL_ACCOUNT_ID: DEFAULT_ACCOUNT_ID,
    ...extra,
  };
}

/** The printed row of a setting: `<setting> <ENV> <value> <source>`. */
function row(text: string, setting: string): string {
  const found = text.split("\n").find((l) => l.startsWith(`${setting} `));
  if (!found) throw new Error(`no row for ${setting} in:\n${text}`);
  return found.replace(/\s+/g, " ");
}

describe("config check", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "config-check-test-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints every resolved value with its source and redacts the token and the API key", async () => {
    const withFiles = join(dir, "files");
    mkdirSync(withFiles);
    writeFileSync(join(withFiles, "config.yml"), "sentinelone_intel:\n  source: From config.yml\n  batch_size: 250\n");
    writeFileSync(join(withFiles, ".env"), "CONNECTOR_LOG_LEVEL=debug\nSENTINELONE_INTEL_BATCH_SIZE=999\n");
    const result = await runConfigCheck({ env: goodEnv(), searchDirs: [withFiles] });
    expect(result.exitCode).toBe(0);
    expect(result.valid).toBe(true);
    const text = result.text;
    expect(row(text, "opencti.url")).toBe("opencti.url OPENCTI_URL http://127.0.0.1:1 env");
    expect(row(text, "sentinelone_intel.source")).toBe(
      "sentinelone_intel.source SENTINELONE_INTEL_SOURCE From config.yml config.yml",
    );
    // config.yml wins over .env
    expect(row(text, "sentinelone_intel.batch_size")).toBe(
      "sentinelone_intel.batch_size SENTINELONE_INTEL_BATCH_SIZE 250 config.yml",
    );
    expect(row(text, "connector.log_level")).toBe("connector.log_level CONNECTOR_LOG_LEVEL debug .env");
    expect(row(text, "sentinelone_intel.batch_flush_interval")).toBe(
      "sentinelone_intel.batch_flush_interval SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL 250 default",
    );
    expect(row(text, "opencti.token")).toBe("opencti.token OPENCTI_TOKEN [REDACTED] env");
    expect(row(text, "sentinelone_intel.api_key")).toBe(
      "sentinelone_intel.api_key SENTINELONE_INTEL_API_KEY [REDACTED] env",
    );
    expect(text).not.toContain(OPENCTI_TOKEN);
    expect(text).not.toContain(DEFAULT_API_TOKEN);
    expect(text).toMatch(/config\.yml\s+.*files\/config\.yml/);
    expect(text).toContain("The configuration is valid.");
  });

  it("lists every problem, exits 1, and never prints a secret", async () => {
    const secretKey = "s1-very-secret-key-7f3a";
    const result = await runConfigCheck({
      env: goodEnv({
        OPENCTI_URL: undefined,
        SENTINELONE_INTEL_API_KEY: secretKey,
        SENTINELONE_INTEL_API_URL: "not a url",
        SENTINELONE_INTEL_BATCH_SIZE: "lots",
        CONNECTOR_ID: "ChangeMe",
      }),
      searchDirs: [dir],
    });
    expect(result.exitCode).toBe(1);
    expect(result.valid).toBe(false);
    expect(result.problems).toHaveLength(4);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OPENCTI_URL \(config\.yml: opencti\.url\): is required/),
        expect.stringMatching(/^CONNECTOR_ID \(environment variable\): .*ChangeMe/),
        expect.stringMatching(/^SENTINELONE_INTEL_API_URL .*http\(s\) URL/),
        expect.stringMatching(/^SENTINELONE_INTEL_BATCH_SIZE .*integer/),
      ]),
    );
    for (const name of ["OPENCTI_URL", "CONNECTOR_ID", "SENTINELONE_INTEL_API_URL", "SENTINELONE_INTEL_BATCH_SIZE"]) {
      expect(result.text).toContain(name);
    }
    expect(result.text).toContain("NOT valid");
    expect(result.text).not.toContain(secretKey);
    expect(result.text).not.toContain(OPENCTI_TOKEN);
  });

  it("refuses a CA file it cannot read (missing, or a folder), naming the variable, before anything starts", async () => {
    const missing = await runConfigCheck({
      env: goodEnv({ SENTINELONE_INTEL_CA_FILE: join(dir, "no-such-ca.pem") }),
      searchDirs: [dir],
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.text).toMatch(
      /SENTINELONE_INTEL_CA_FILE .*must be the path of a file the connector can read.*no such file/,
    );
    const folder = await runConfigCheck({ env: goodEnv({ SENTINELONE_INTEL_CA_FILE: dir }), searchDirs: [dir] });
    expect(folder.text).toMatch(/SENTINELONE_INTEL_CA_FILE .*it is not a file/);
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\n");
    const readable = await runConfigCheck({ env: goodEnv({ SENTINELONE_INTEL_CA_FILE: ca }), searchDirs: [dir] });
    expect(readable.exitCode).toBe(0);
  });

  it("reports the cross-field scope rules", async () => {
    const both = await runConfigCheck({
      env: goodEnv({ SENTINELONE_INTEL_SITE_ID: "2000000000000000001" }),
      searchDirs: [dir],
    });
    expect(both.exitCode).toBe(1);
    expect(both.text).toMatch(/SENTINELONE_INTEL_ACCOUNT_ID and SENTINELONE_INTEL_SITE_ID cannot be used together/);
    const none = await runConfigCheck({ env: goodEnv({ SENTINELONE_INTEL_ACCOUNT_ID: undefined }), searchDirs: [dir] });
    expect(none.exitCode).toBe(1);
    expect(none.text).toMatch(
      /At least one of SENTINELONE_INTEL_ACCOUNT_ID, SENTINELONE_INTEL_SITE_ID or SENTINELONE_INTEL_GROUP_ID/,
    );
    expect(none.text).not.toContain(DEFAULT_API_TOKEN);
  });

  it("names the source of a bad value, warns about a misspelt variable, and gives one problem for one bad id", async () => {
    const withYml = join(dir, "valid-yml");
    mkdirSync(withYml);
    writeFileSync(
      join(withYml, "config.yml"),
      `opencti:\n  url: 'http://127.0.0.1:1'\n  token: '${OPENCTI_TOKEN}'\nconnector:\n  id: '${randomUUID()}'\n` +
        `  live_stream_id: '${STREAM}'\nsentinelone_intel:\n  api_url: 'http://127.0.0.1:2'\n  api_key: 'k-123456789'\n` +
        "  account_id: 'ChangeMe'\n",
    );
    const result = await runConfigCheck({
      env: {
        OPENCTI_URL: "ChangeMe",
        SENTINELONE_INTEL_ACOUNT_ID: "1000000000000000001",
        SENTINELONE_INTEL_SITE_ID: "12ab",
      },
      searchDirs: [withYml],
    });
    expect(result.problems).toEqual([
      "OPENCTI_URL (environment variable): is still the sample value 'ChangeMe': set a real value",
      `sentinelone_intel.account_id (in ${join(withYml, "config.yml")}, env SENTINELONE_INTEL_ACCOUNT_ID): is still the sample value 'ChangeMe': set a real value`,
      'SENTINELONE_INTEL_SITE_ID (environment variable): must be a SentinelOne id: a number (digits only; SentinelOne ids have 18 or 19 digits), got "12ab"',
      "SENTINELONE_INTEL_ACCOUNT_ID and SENTINELONE_INTEL_SITE_ID cannot be used together: SentinelOne requests cannot carry both an account and a site. Keep one (SENTINELONE_INTEL_GROUP_ID may be combined with either).",
    ]);
    expect(result.text).toContain(
      " - Environment variable SENTINELONE_INTEL_ACOUNT_ID is not a setting and is ignored (did you mean SENTINELONE_INTEL_ACCOUNT_ID?)",
    );
    expect(result.text).not.toContain("k-123456789");
  });

  it("the shipped config.yml.sample gives one problem per ChangeMe", async () => {
    const sample = join(dir, "sample");
    mkdirSync(sample);
    writeFileSync(join(sample, "config.yml"), readFileSync(join(PACKAGE_DIR, "config.yml.sample")));
    const result = await runConfigCheck({ env: {}, searchDirs: [sample] });
    const changeMe = readFileSync(join(PACKAGE_DIR, "config.yml.sample"), "utf8").match(/^\s*[a-z_]+: 'ChangeMe'/gm);
    expect(result.problems).toHaveLength(changeMe?.length ?? -1);
    expect(result.problems.every((p) => p.includes("is still the sample value 'ChangeMe'"))).toBe(true);
  });

  describe("--connect", () => {
    let opencti: OpenCtiSimulator;
    let sentinelOne: SentinelOneSimulator;
    beforeAll(async () => {
      opencti = new OpenCtiSimulator({ token: OPENCTI_TOKEN, streams: [{ id: STREAM, name: "S1 indicators" }] });
      await opencti.start();
      sentinelOne = new SentinelOneSimulator();
      await sentinelOne.start();
    });
    afterAll(async () => {
      await opencti.stop();
      await sentinelOne.stop();
    });

    const connectedEnv = (extra: Record<string, string> = {}) =>
      goodEnv({ OPENCTI_URL: opencti.url, SENTINELONE_INTEL_API_URL: sentinelOne.url, ...extra });

    it("reports ok for OpenCTI and SentinelOne, read-only", async () => {
      let out = "";
      const code = await configCheckCli(["--connect"], {
        out: (t) => {
          out += t;
        },
        err: () => undefined,
        env: connectedEnv(),
        cwd: dir,
      });
      expect(out).not.toContain(OPENCTI_TOKEN);
      expect(out).not.toContain(DEFAULT_API_TOKEN);
      expect(code).toBe(0);
      expect(out).toMatch(/OpenCTI platform \(about\.version\)\s+ok \(OpenCTI 6\.9\.17/);
      expect(out).toMatch(/OpenCTI token\s+ok/);
      expect(out).toMatch(new RegExp(`OpenCTI live stream ${STREAM}\\s+ok \\("S1 indicators"`));
      expect(out).toMatch(/SentinelOne API key and scope \(GET iocs\?limit=1, accountIds=1000000000000000001\)\s+ok/);
      expect(out).toContain("Every check passed.");
      expect(sentinelOne.requests.map((r) => r.method)).toEqual(["GET"]);
      expect(opencti.connectors()).toEqual([]);
    });

    it("reports a wrong SentinelOne key and an unknown stream as failed, with the reason, and exits 1", async () => {
      const wrongKey = "s1-wrong-key-0c4d2b";
      const result = await runConfigCheck({
        env: connectedEnv({ SENTINELONE_INTEL_API_KEY: wrongKey, CONNECTOR_LIVE_STREAM_ID: "no-such-stream" }),
        searchDirs: [dir],
        connect: true,
      });
      expect(result.exitCode).toBe(1);
      const byName = Object.fromEntries(
        result.checks.map((c) => [c.name.split(" (")[0]!.replace(/ no-such-stream$/, ""), c]),
      );
      expect(byName["OpenCTI platform"]?.status).toBe("ok");
      expect(byName["OpenCTI token"]?.status).toBe("ok");
      expect(byName["OpenCTI live stream"]?.detail).toMatch(/^failed: no live stream with this id/);
      expect(byName["SentinelOne API key and scope"]?.detail).toMatch(/^failed: .*HTTP 401/);
      expect(result.text).toContain("2 check(s) failed.");
      expect(result.text).not.toContain(wrongKey);
    });

    it("skips what cannot be checked, and hints at the API URL when SentinelOne answers 404", async () => {
      const result = await runConfigCheck({
        env: goodEnv({
          OPENCTI_URL: "http://127.0.0.1:1",
          SENTINELONE_INTEL_API_URL: `${sentinelOne.url}/web/api/v2.1`,
        }),
        searchDirs: [dir],
        connect: true,
        timeoutMs: 3000,
      });
      expect(result.exitCode).toBe(1);
      expect(result.checks.map((c) => [c.status, c.detail.split(":")[0]])).toEqual([
        ["failed", "failed"],
        ["skipped", "skipped"],
        ["skipped", "skipped"],
        ["failed", "failed"],
      ]);
      expect(result.checks[1]?.detail).toBe("skipped: OpenCTI did not answer");
      expect(result.checks[3]?.detail).toMatch(/HTTP 404/);
      expect(result.checks[3]?.detail).toContain(
        "SENTINELONE_INTEL_API_URL must be the console's base URL, it has a path (/web/api/v2.1): use the console's base URL without it",
      );
      expect(result.text).toContain("2 check(s) failed, 2 skipped.");
    });

    it("reports a refused OpenCTI token", async () => {
      const result = await runConfigCheck({
        env: connectedEnv({ OPENCTI_TOKEN: "not-the-right-token" }),
        searchDirs: [dir],
        connect: true,
      });
      expect(result.exitCode).toBe(1);
      expect(result.checks.find((c) => c.name === "OpenCTI token")?.detail).toMatch(/^failed: /);
      expect(result.checks.find((c) => c.name.startsWith("OpenCTI live stream"))).toMatchObject({
        status: "skipped",
        detail: "skipped: the token was refused",
      });
      expect(result.text).toContain("1 check(s) failed, 1 skipped.");
      expect(result.text).not.toContain("not-the-right-token");
    });
  });
});
