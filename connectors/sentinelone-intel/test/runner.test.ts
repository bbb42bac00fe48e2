/**
 * The connector run by the SDK's runner (`startConnector`) between the OpenCTI simulator and the SentinelOne
 * simulator, configured through environment variables as in docker-compose: config loading (aliases, defaults,
 * cross-field rules), the stream, acknowledgement and state, and a fatal stop on a refused API key.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { type ConnectorRun, startConnector } from "@octi/connector-sdk";
import {
  createEvent,
  deleteEvent,
  makeIndicator,
  mergeEvent,
  OpenCtiSimulator,
  updateEvent,
} from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_API_TOKEN,
  DEFAULT_SITE_ID,
  SentinelOneSimulator,
} from "../dev/simulator/index.js";
import { plugin } from "../src/index.js";

const STREAM = "sentinelone-intel-stream";
const OCTI_TOKEN = "octi-test-token";

async function waitFor<T>(check: () => T, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("run by the SDK runner", () => {
  let octi: OpenCtiSimulator;
  let s1: SentinelOneSimulator;
  let s1Url: string;
  let runs: ConnectorRun[];
  let logs: string;
  let logStream: PassThrough;

  beforeEach(async () => {
    octi = new OpenCtiSimulator({ token: OCTI_TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 200 });
    await octi.start();
    s1 = new SentinelOneSimulator();
    s1Url = await s1.start();
    runs = [];
    logs = "";
    logStream = new PassThrough();
    logStream.on("data", (chunk: Buffer) => {
      logs += chunk.toString("utf8");
    });
  });

  afterEach(async () => {
    for (const run of runs) await run.stop("test end");
    await s1.stop();
    await octi.stop();
  });

  async function env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const dir = await mkdtemp(join(tmpdir(), "s1-run-"));
    return {
      OPENCTI_URL: octi.url,
      OPENCTI_TOKEN: OCTI_TOKEN,
      CONNECTOR_ID: randomUUID(),
      CONNECTOR_LIVE_STREAM_ID: STREAM,
      CONNECTOR_LOG_LEVEL: "debug",
      CONNECTOR_STATE_PING_INTERVAL: "1",
      CONNECTOR_SHUTDOWN_TIMEOUT: "5",
      // The original connector's older name for the URL, with the trailing slash users paste.
      SENTINELONE_INTEL_URL: `${s1Url}/`,
      SENTINELONE_INTEL_API_KEY: `APIToken ${DEFAULT_API_TOKEN}`,
      SENTINELONE_INTEL_ACCOUNT_ID: DEFAULT_ACCOUNT_ID,
      SENTINELONE_INTEL_SITE_ID: "",
      SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "5",
      SENTINELONE_INTEL_RETRY_MAX_DELAY: "1",
      SENTINELONE_INTEL_DEAD_LETTER_PATH: join(dir, "dead-letter.jsonl"),
      SENTINELONE_INTEL_DATA_DIR: join(dir, "data"),
      ...extra,
    };
  }

  async function start(variables: Record<string, string>): Promise<ConnectorRun> {
    const run = await startConnector(plugin, { env: variables, searchDirs: [], logStream, retryBaseMs: 50 });
    runs.push(run);
    return run;
  }

  it("pushes creates, replaces updates, deletes deletions and merged sources, and acknowledges them", async () => {
    const a = makeIndicator({ pattern: "[ipv4-addr:value = '203.0.113.20']", seed: "a" });
    const b = makeIndicator({ pattern: "[domain-name:value = 'evil.example']", seed: "b" });
    const c = makeIndicator({ pattern: "[url:value = 'http://evil.example/x']", seed: "c" });
    const yara = makeIndicator({ pattern: "rule x { condition: true }", patternType: "yara", seed: "y" });
    octi.publish(createEvent(a), STREAM);
    octi.publish(createEvent(b), STREAM);
    octi.publish(createEvent(c), STREAM);
    octi.publish(createEvent(yara), STREAM);
    const run = await start(await env());
    await waitFor(() => s1.iocCount() === 3, "3 IOCs");
    expect(s1.iocs().map((r) => [r.type, r.value, r.externalId, r.source, r.scope])).toEqual([
      ["IPV4", "203.0.113.20", a.id, "OpenCTI", "account"],
      ["DNS", "evil.example", b.id, "OpenCTI", "account"],
      ["URL", "http://evil.example/x", c.id, "OpenCTI", "account"],
    ]);

    const renamed = { ...a, name: "renamed" };
    octi.publish(updateEvent(a, renamed), STREAM);
    octi.publish(deleteEvent(b), STREAM);
    const last = octi.publish(mergeEvent(c, [renamed]), STREAM);
    await waitFor(() => s1.iocs().length === 1 && s1.iocs()[0]?.externalId === c.id, "merge");
    await waitFor(() => run.state()?.start_from === last, "acknowledged up to the merge");
    expect(s1.iocs().map((r) => r.value)).toEqual(["http://evil.example/x"]);
    // One listing at start-up (the empty index is built from SentinelOne), then batches: the replace of `a`, the
    // deletion of `b` and the merge share at most two DELETEs by uuid (the update may go before the merge arrives);
    // `c` is unchanged by the merge and not sent again.
    const methods = s1.requests.map((r) => r.method);
    expect(methods[0]).toBe("GET");
    expect(methods.filter((m) => m === "GET")).toHaveLength(1);
    expect(methods.filter((m) => m === "DELETE").length).toBeGreaterThanOrEqual(1);
    expect(methods.filter((m) => m === "DELETE").length).toBeLessThanOrEqual(2);
    expect(methods.filter((m) => m === "POST").length).toBeLessThanOrEqual(2);

    const result = await run.stop("done");
    expect(result.exitCode).toBe(0);
    expect(logs).toContain("Indicator not pushed to SentinelOne");
    expect(logs).not.toContain(DEFAULT_API_TOKEN);
  });

  it("stops with exit code 1 when SentinelOne refuses the API key, without acknowledging the event", async () => {
    const first = octi.publish(
      createEvent(makeIndicator({ pattern: "[ipv4-addr:value = '203.0.113.30']", seed: "k" })),
      STREAM,
    );
    const run = await start(await env({ SENTINELONE_INTEL_API_KEY: "not-the-right-key-42" }));
    const result = await run.done;
    expect(result.exitCode).toBe(1);
    expect(result.reason).toMatch(/SentinelOne rejected the API key \(401/);
    expect(result.state?.start_from).not.toBe(first);
    expect(logs).toContain("SENTINELONE_INTEL_API_KEY");
    expect(logs).not.toContain("not-the-right-key-42");
  });

  it.each([
    ["no scope id", { SENTINELONE_INTEL_ACCOUNT_ID: "" }, /At least one of SENTINELONE_INTEL_ACCOUNT_ID/],
    [
      "account and site",
      { SENTINELONE_INTEL_SITE_ID: DEFAULT_SITE_ID },
      /SENTINELONE_INTEL_ACCOUNT_ID and SENTINELONE_INTEL_SITE_ID cannot be used together/,
    ],
    ["a non-numeric id", { SENTINELONE_INTEL_ACCOUNT_ID: "acme" }, /SENTINELONE_INTEL_ACCOUNT_ID/],
    ["a batch size above 5000", { SENTINELONE_INTEL_BATCH_SIZE: "5001" }, /SENTINELONE_INTEL_BATCH_SIZE/],
  ])("refuses to start with %s", async (_name, extra, message) => {
    await expect(start(await env(extra))).rejects.toThrow(message);
  });

  it("reads the original connector's config.yml (sentinelone_intel.url)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "s1-yml-"));
    await writeFile(
      join(dir, "config.yml"),
      [
        "sentinelone_intel:",
        `  url: "${s1Url}"`,
        `  api_key: "${DEFAULT_API_TOKEN}"`,
        `  account_id: "${DEFAULT_ACCOUNT_ID}"`,
        "  batch_size: 7",
        "",
      ].join("\n"),
    );
    const variables = await env();
    delete variables.SENTINELONE_INTEL_URL;
    delete variables.SENTINELONE_INTEL_API_KEY;
    delete variables.SENTINELONE_INTEL_ACCOUNT_ID;
    const run = await startConnector(plugin, { env: variables, searchDirs: [dir], logStream, retryBaseMs: 50 });
    runs.push(run);
    expect(run.config).toMatchObject({
      sentinelone_intel: { api_url: s1Url, account_id: DEFAULT_ACCOUNT_ID, batch_size: 7, source: "OpenCTI" },
    });
    octi.publish(createEvent(makeIndicator({ pattern: "[ipv4-addr:value = '203.0.113.40']", seed: "yml" })), STREAM);
    await waitFor(() => s1.iocCount() === 1, "1 IOC");
  });

  it("refuses to start without the API key and URL, naming both", async () => {
    const variables = await env();
    delete variables.SENTINELONE_INTEL_URL;
    delete variables.SENTINELONE_INTEL_API_KEY;
    const error = await start(variables).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain("SENTINELONE_INTEL_API_URL");
    expect(error?.message).toContain("SENTINELONE_INTEL_API_KEY");
  });
});
