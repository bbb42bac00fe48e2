/**
 * End to end, through the SDK's runner between the OpenCTI and SentinelOne simulators (real loopback sockets): the
 * hash spellings the Python connector took (`Sha256`, `'Sha-1'`, `Md5`) and single-host `/32` and `/128` addresses
 * are pushed as IOCs (bare addresses, lower-case hashes); a `/24` block is skipped with a logged reason naming it.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { type ConnectorRun, startConnector } from "@octi/connector-sdk";
import { createEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, SentinelOneSimulator } from "../../dev/simulator/index.js";
import { plugin } from "../../src/index.js";
import { MD5, SHA1, SHA256 } from "../helpers/indicators.js";

const STREAM = "mapping-stream";
const OCTI_TOKEN = "octi-mapping-token";

let octi: OpenCtiSimulator;
let s1: SentinelOneSimulator;
let run: ConnectorRun | undefined;
let logs = "";

beforeEach(async () => {
  octi = new OpenCtiSimulator({ token: OCTI_TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 200 });
  await octi.start();
  s1 = new SentinelOneSimulator();
  await s1.start();
});

afterEach(async () => {
  await run?.stop("test end");
  await s1.stop();
  await octi.stop();
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it("pushes Sha256 / 'Sha-1' / Md5 keys and /32 /128 hosts, and skips a /24 block with its reason", async () => {
  const indicators = [
    `[file:hashes.Sha256 = '${SHA256.toUpperCase()}']`,
    `[file:hashes.'Sha-1' = '${SHA1}']`,
    `[file:hashes.Md5 = '${MD5}']`,
    "[ipv4-addr:value = '198.51.100.1/32']",
    "[ipv6-addr:value = '2001:db8::1/128']",
    "[ipv4-addr:value = '198.51.100.0/24']",
  ].map((pattern, i) => makeIndicator({ pattern, seed: `mapping-${i}` }));
  for (const indicator of indicators) octi.publish(createEvent(indicator), STREAM);

  const logStream = new PassThrough();
  logStream.on("data", (chunk: Buffer) => {
    logs += chunk.toString("utf8");
  });
  const dir = await mkdtemp(join(tmpdir(), "s1-mapping-"));
  run = await startConnector(plugin, {
    env: {
      OPENCTI_URL: octi.url,
      OPENCTI_TOKEN: OCTI_TOKEN,
      CONNECTOR_ID: randomUUID(),
      CONNECTOR_LIVE_STREAM_ID: STREAM,
      CONNECTOR_LOG_LEVEL: "info",
      SENTINELONE_INTEL_URL: s1.url,
      SENTINELONE_INTEL_API_KEY: DEFAULT_API_TOKEN,
      SENTINELONE_INTEL_ACCOUNT_ID: DEFAULT_ACCOUNT_ID,
      SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "5",
      SENTINELONE_INTEL_DEAD_LETTER_PATH: join(dir, "dead-letter.jsonl"),
    },
    searchDirs: [],
    logStream,
    retryBaseMs: 50,
  });

  await waitFor(() => s1.iocCount() === 5 && logs.includes("CIDR block /24"), "5 IOCs and the /24 skip");
  expect(s1.iocs().map((r) => [r.type, r.value, r.externalId])).toEqual([
    ["SHA256", SHA256, indicators[0]?.id],
    ["SHA1", SHA1, indicators[1]?.id],
    ["MD5", MD5, indicators[2]?.id],
    ["IPV4", "198.51.100.1", indicators[3]?.id],
    ["IPV6", "2001:db8::1", indicators[4]?.id],
  ]);
  const skipped = logs
    .split("\n")
    .filter((line) => line.includes("Indicator not pushed"))
    .map((line) => (JSON.parse(line) as { attributes: Record<string, unknown> }).attributes);
  expect(skipped).toEqual([
    expect.objectContaining({
      indicator_id: indicators[5]?.id,
      reason: "invalid_value",
      detail: expect.stringContaining("IPV4 '198.51.100.0/24' (position 1): CIDR block /24"),
    }),
  ]);
});
