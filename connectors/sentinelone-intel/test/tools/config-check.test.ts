import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenCtiSimulator } from "@octi/connector-sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, SentinelOneSimulator } from "../../src/simulator/index.js";
import { configCheckCli, runConfigCheck } from "../../src/tools/config-check.js";

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
    expect(row(text, "opencti.token")).toMatch(/^opencti\.token OPENCTI_TOKEN \*+ env$/);
    expect(row(text, "sentinelone_intel.api_key")).toMatch(
      /^sentinelone_intel\.api_key SENTINELONE_INTEL_API_KEY \*+ env$/,
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
        expect.stringMatching(/^CONNECTOR_ID .*ChangeMe/),
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
      expect(byName["OpenCTI platform"]?.ok).toBe(true);
      expect(byName["OpenCTI token"]?.ok).toBe(true);
      expect(byName["OpenCTI live stream"]?.detail).toMatch(/^failed: no live stream with this id/);
      expect(byName["SentinelOne API key and scope"]?.detail).toMatch(/^failed: .*HTTP 401/);
      expect(result.text).toContain("2 check(s) failed.");
      expect(result.text).not.toContain(wrongKey);
    });

    it("reports a refused OpenCTI token", async () => {
      const result = await runConfigCheck({
        env: connectedEnv({ OPENCTI_TOKEN: "not-the-right-token" }),
        searchDirs: [dir],
        connect: true,
      });
      expect(result.exitCode).toBe(1);
      expect(result.checks.find((c) => c.name === "OpenCTI token")?.detail).toMatch(/^failed: /);
      expect(result.checks.find((c) => c.name.startsWith("OpenCTI live stream"))?.detail).toMatch(/not checked/);
      expect(result.text).not.toContain("not-the-right-token");
    });
  });
});
