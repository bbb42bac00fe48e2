/**
 * End to end: the connector, run by the SDK (`startConnector`), reads the live stream of the OpenCTI simulator (a
 * real HTTP server on loopback) and drives a fake __TITLE__ client handed to `createHandler`, through the SDK's
 * sink queue (batches, index, acknowledgements); the default plugin talks HTTP to a loopback server.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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
  type __PASCAL_NAME__Client,
  type __PASCAL_NAME__Item,
  type __PASCAL_NAME__Page,
  type __PASCAL_NAME__Record,
  createHandler,
  plugin,
} from "../src/index.js";

const STREAM = "__SLUG__-test-stream";
const TOKEN = "__SLUG__-test-token";

/** An in-memory __TITLE__ API that records each request. */
class FakeClient implements __PASCAL_NAME__Client {
  readonly calls: string[] = [];
  readonly records = new Map<string, __PASCAL_NAME__Record>();
  private nextId = 0;

  async createItems(items: readonly __PASCAL_NAME__Item[]): Promise<readonly string[]> {
    this.calls.push(`create ${items.length}`);
    return items.map((item) => {
      const id = `r${++this.nextId}`;
      this.records.set(id, { ...item, id });
      return id;
    });
  }

  async deleteItems(ids: readonly string[]): Promise<void> {
    this.calls.push(`delete ${ids.length}`);
    for (const id of ids) this.records.delete(id);
  }

  async deleteKey(key: string): Promise<void> {
    this.calls.push(`delete key ${key}`);
    for (const [id, record] of this.records) if (record.key === key) this.records.delete(id);
  }

  async listItems(): Promise<__PASCAL_NAME__Page> {
    this.calls.push("list");
    return { items: [...this.records.values()], nextCursor: null };
  }

  /** key → the item held for it. */
  byKey(): Map<string, __PASCAL_NAME__Item> {
    return new Map([...this.records.values()].map(({ id: _id, ...item }) => [item.key, item]));
  }
}

/** Whether stream position `position` (`<ms>-<seq>`) is at or after `id`. */
function atOrAfter(position: string | undefined, id: string): boolean {
  if (position === undefined) return false;
  const [pm = 0, ps = 0] = position.split("-").map(Number);
  const [im = 0, is = 0] = id.split("-").map(Number);
  return pm > im || (pm === im && ps >= is);
}

/** Polls until `check` is true (tests wait on outcomes, never on fixed sleeps). */
async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("__TITLE__ connector on the OpenCTI simulator", () => {
  let sim: OpenCtiSimulator;
  let runs: ConnectorRun[];
  let dataDir: string;

  beforeEach(async () => {
    sim = new OpenCtiSimulator({
      token: TOKEN,
      streams: [{ id: STREAM, name: "__TITLE__ test" }],
      heartbeatIntervalMs: 200,
    });
    await sim.start();
    runs = [];
    dataDir = mkdtempSync(join(tmpdir(), "__SLUG__-"));
  });

  afterEach(async () => {
    for (const run of runs) await run.stop("test end");
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      OPENCTI_URL: sim.url,
      OPENCTI_TOKEN: TOKEN,
      CONNECTOR_ID: randomUUID(),
      CONNECTOR_LIVE_STREAM_ID: STREAM,
      CONNECTOR_LIVE_STREAM_LISTEN_DELETE: "true",
      CONNECTOR_SHUTDOWN_TIMEOUT: "5",
      __ENV_PREFIX___API_URL: "https://api.example.invalid",
      __ENV_PREFIX___API_KEY: "test-api-key",
      __ENV_PREFIX___DATA_DIR: dataDir,
      __ENV_PREFIX___BATCH_FLUSH_INTERVAL: "0.3",
      ...extra,
    };
  }

  async function start(client?: __PASCAL_NAME__Client, extra?: Record<string, string>): Promise<ConnectorRun> {
    // Without a client, the plugin's own: the HTTP client.
    const run = await startConnector(
      { ...plugin, createHandler: (ctx) => createHandler(ctx, client) },
      {
        env: env(extra),
        searchDirs: [],
        logStream: new PassThrough(),
        retryBaseMs: 50,
      },
    );
    runs.push(run);
    return run;
  }

  it("sends created and updated indicators, removes deleted and merged ones, and skips other objects", async () => {
    // Given a running connector that listens to the stream. Events are published once it is connected: on a first
    // start the SDK asks for a recovery snapshot up to "now", and a snapshot holds the objects as they are (a deleted
    // one is absent), not each event, so events published before connecting would not all be replayed one by one.
    const client = new FakeClient();
    const run = await start(client);
    await waitFor(() => sim.streamRequests.some((r) => r.status === 200), "the stream connection");

    // When the stream carries a create, an update and a delete of indicators, and an object of another type
    const first = makeIndicator({ pattern: "[ipv4-addr:value = '198.51.100.1']", name: "first" });
    const second = makeIndicator({ pattern: "[domain-name:value = 'example.org']", name: "second" });
    const renamed = { ...second, name: "second, renamed" };
    const third = makeIndicator({ pattern: "[url:value = 'https://example.org/x']", name: "third" });
    const malware = {
      id: `malware--${randomUUID()}`,
      type: "malware",
      spec_version: "2.1",
      name: "not sent",
      is_family: false,
    };
    sim.publish(createEvent(first), STREAM);
    sim.publish(createEvent(malware), STREAM);
    sim.publish(createEvent(second), STREAM);
    sim.publish(createEvent(third), STREAM);
    await waitFor(() => client.byKey().size === 3, "3 items in the target");
    sim.publish(updateEvent(second, renamed, "renames the indicator"), STREAM);
    sim.publish(deleteEvent(first), STREAM);
    const merged = { ...second, name: "second, merged" };
    const last = sim.publish(mergeEvent(merged, [third], renamed), STREAM);
    await waitFor(() => atOrAfter(run.state()?.start_from, last), "every event acknowledged");

    // Then the target holds the last state of each indicator, and nothing for the malware
    expect([...client.byKey().keys()]).toEqual([second.id]);
    expect(client.byKey().get(second.id)).toMatchObject({ type: "indicator", name: "second, merged" });
    // The first batch sent the three creates in one request (after the start-up listing that built the index)
    expect(client.calls.slice(0, 2)).toEqual(["list", "create 3"]);
    const result = await run.stop("test done");
    expect(result.exitCode).toBe(0);
  });

  it("sends a partial batch at once when the stream waits for acknowledgements (the runner's flush)", async () => {
    // Given a flush interval far beyond the test and a stream window smaller than a batch
    const client = new FakeClient();
    await start(client, { __ENV_PREFIX___BATCH_FLUSH_INTERVAL: "600", CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT: "5" });
    await waitFor(() => sim.streamRequests.some((r) => r.status === 200), "the stream connection");
    // When 12 indicators arrive
    const indicators = Array.from({ length: 12 }, (_, i) =>
      makeIndicator({ pattern: `[ipv4-addr:value = '198.51.100.${i}']`, name: `n${i}` }),
    );
    for (const indicator of indicators) sim.publish(createEvent(indicator), STREAM);
    // Then all reach the target without waiting for the interval, in batches (fewer requests than events)
    await waitFor(() => client.byKey().size === 12, "12 items in the target");
    const creates = client.calls.filter((call) => call.startsWith("create"));
    expect(creates.length).toBeLessThan(12);
  });

  it("talks HTTP to the configured API by default (the start-up listing, with the API key)", async () => {
    const seen: string[] = [];
    const api = createServer((request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers.authorization}`);
      response.setHeader("Content-Type", "application/json");
      response.end(JSON.stringify({ items: [], next_cursor: null }));
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = api.address() as AddressInfo;
      await start(undefined, { __ENV_PREFIX___API_URL: `http://127.0.0.1:${port}` });
      await waitFor(() => seen.length > 0, "a request to the API");
      expect(seen[0]).toMatch(/^GET \/items\S* Bearer test-api-key$/);
    } finally {
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
    }
  });
});
