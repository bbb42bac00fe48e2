/**
 * End to end: the connector, run by the SDK (`startConnector`), reads the live stream of the OpenCTI simulator (a
 * real HTTP server on loopback) and drives a fake __TITLE__ client registered in the run's child container.
 */
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { type ConnectorRun, startConnector } from "@octi/connector-sdk";
import { createEvent, deleteEvent, makeIndicator, OpenCtiSimulator, updateEvent } from "@octi/connector-sdk/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Http__PASCAL_NAME__Client } from "../src/client.js";
import { __ENV_PREFIX___CLIENT, type __PASCAL_NAME__Client, type __PASCAL_NAME__Item, plugin } from "../src/index.js";

const STREAM = "__SLUG__-test-stream";
const TOKEN = "__SLUG__-test-token";

/** Records what the handler asks of the target API. */
class FakeClient implements __PASCAL_NAME__Client {
  readonly calls: string[] = [];
  readonly items = new Map<string, __PASCAL_NAME__Item>();

  async upsert(item: __PASCAL_NAME__Item): Promise<void> {
    this.calls.push(`upsert ${item.id}`);
    this.items.set(item.id, item);
  }

  async remove(id: string): Promise<void> {
    this.calls.push(`remove ${id}`);
    this.items.delete(id);
  }
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

  beforeEach(async () => {
    sim = new OpenCtiSimulator({
      token: TOKEN,
      streams: [{ id: STREAM, name: "__TITLE__ test" }],
      heartbeatIntervalMs: 200,
    });
    await sim.start();
    runs = [];
  });

  afterEach(async () => {
    for (const run of runs) await run.stop("test end");
    await sim.stop();
  });

  function env(): Record<string, string> {
    return {
      OPENCTI_URL: sim.url,
      OPENCTI_TOKEN: TOKEN,
      CONNECTOR_ID: randomUUID(),
      CONNECTOR_LIVE_STREAM_ID: STREAM,
      CONNECTOR_LIVE_STREAM_LISTEN_DELETE: "true",
      CONNECTOR_SHUTDOWN_TIMEOUT: "5",
      __ENV_PREFIX___API_URL: "https://api.example.invalid",
      __ENV_PREFIX___API_KEY: "test-api-key",
    };
  }

  async function start(client?: __PASCAL_NAME__Client): Promise<ConnectorRun> {
    const run = await startConnector(plugin, {
      env: env(),
      searchDirs: [],
      logStream: new PassThrough(),
      retryBaseMs: 50,
      configure: client ? (container) => container.register(__ENV_PREFIX___CLIENT, { useValue: client }) : undefined,
    });
    runs.push(run);
    return run;
  }

  it("sends created and updated indicators, removes deleted ones, and skips other objects", async () => {
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
    sim.publish(updateEvent(second, renamed, "renames the indicator"), STREAM);
    sim.publish(deleteEvent(first), STREAM);
    await waitFor(() => client.calls.length === 4, "4 client calls");

    // Then the client saw each indicator event in stream order, and nothing for the malware
    expect(client.calls).toEqual([
      `upsert ${first.id}`,
      `upsert ${second.id}`,
      `upsert ${second.id}`,
      `remove ${first.id}`,
    ]);
    expect([...client.items.keys()]).toEqual([second.id]);
    expect(client.items.get(second.id)).toMatchObject({
      type: "indicator",
      name: "second, renamed",
      pattern: second.pattern,
    });
    const result = await run.stop("test done");
    expect(result.exitCode).toBe(0);
  });

  it("registers the HTTP client by default", async () => {
    const run = await start();
    expect(run.container.resolve(__ENV_PREFIX___CLIENT)).toBeInstanceOf(Http__PASCAL_NAME__Client);
  });
});
