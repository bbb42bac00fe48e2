import { afterEach, describe, expect, it } from "vitest";
import { connectSse, createEvent, DEFAULT_STREAM_ID, makeIndicator } from "../src/index.js";
import { type CliHandle, runCli } from "../src/opencti-simulator-cli.js";
import { gql, REGISTER, registerInput } from "./helpers.js";

describe("opencti-simulator-cli and the /__sim control API", () => {
  let handle: CliHandle | undefined;
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) };

  afterEach(async () => {
    await handle?.stop();
    handle = undefined;
    lines.length = 0;
  });

  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${handle!.url}/__sim${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("prints its URL as one JSON line and serves GraphQL + the stream", async () => {
    handle = await runCli(
      ["--token", "cli-token", "--stream", "s1=First", "--stream", "s2", "--heartbeat-ms", "100", "--feed", "25"],
      io,
    );
    expect(lines).toHaveLength(1);
    const listening = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(listening).toMatchObject({
      event: "listening",
      url: handle.url,
      token: "cli-token",
      streams: ["s1", "s2"],
      control: `${handle.url}/__sim`,
      eventCount: 25,
    });
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await gql(handle.url, "{ about { version } }", {}, "cli-token")).body.data).toEqual({
      about: { version: "6.9.17" },
    });
    const conn = await connectSse(`${handle.url}/stream/s1`, {
      headers: { authorization: "Bearer cli-token", "last-event-id": "0-0" },
    });
    try {
      await conn.waitFor(25, (m) => m.event === "create");
    } finally {
      conn.close();
    }
  });

  it("control routes: publish, feeds, publish-raw, faults, streams, connectors, requests, shutdown", async () => {
    handle = await runCli([], io);
    const status = await control("/status");
    expect(status.body).toMatchObject({
      eventCount: 0,
      lastEventId: null,
      streams: [{ id: DEFAULT_STREAM_ID, started: true }],
    });

    const event = createEvent(makeIndicator({ pattern: "[ipv4-addr:value = '203.0.113.7']" }));
    const published = await control("/publish", [event, event]);
    expect((published.body.ids as string[]).length).toBe(2);
    const feed = await control("/feeds", { count: 1000, actions: "mixed", seed: "ctl" });
    expect(feed.body).toMatchObject({ count: 1000, firstId: expect.stringMatching(/^\d+-\d+$/) });
    const raw = await control("/publish-raw", { event: "create", data: "{broken" });
    expect(raw.body.id).toMatch(/^\d+-\d+$/);
    expect((await control("/status")).body.eventCount).toBe(1003);
    expect((await control("/publish", { event: "explode", data: {} })).status).toBe(400);
    expect((await control("/feeds", { count: -1 })).status).toBe(400);
    expect((await control("/publish?stream=unknown", event)).status).toBe(400);

    const input = registerInput();
    await gql(handle.url, REGISTER, { input });
    expect(((await control("/connectors")).body as unknown as { id: string }[]).map((c) => c.id)).toContain(input.id);
    expect((await control(`/connectors/${input.id}/reset-state`, {})).body).toEqual({ ok: true });
    expect(handle.simulator.connector(input.id)?.stateReset).toBe(true);

    expect((await control("/faults", { failGraphql: { count: 1, status: 504 } })).body).toEqual({ ok: true });
    expect((await gql(handle.url, "{ about { version } }")).status).toBe(504);
    await control("/faults", { rejectToken: true });
    expect((await gql(handle.url, "{ about { version } }")).body.errors?.[0]?.extensions?.code).toBe("AUTH_REQUIRED");
    await control("/faults", { rejectToken: false });

    await control(`/streams/${DEFAULT_STREAM_ID}`, { started: false });
    const stopped = await connectSse(`${handle.url}/stream/${DEFAULT_STREAM_ID}`, {
      headers: { authorization: "Bearer opencti-test-token" },
    });
    expect(stopped.status).toBe(410);
    await control(`/streams/${DEFAULT_STREAM_ID}`, { started: true });

    const conn = await connectSse(`${handle.url}/stream/${DEFAULT_STREAM_ID}`, {
      headers: { authorization: "Bearer opencti-test-token", "last-event-id": "0-0" },
    });
    await conn.waitFor(1, (m) => m.id !== undefined);
    expect((await control("/faults", { dropConnections: true })).body).toEqual({ ok: true, dropped: 1 });
    expect((await conn.ended).error).toBeDefined();

    const requests = await control("/requests");
    expect((requests.body.graphql as unknown[]).length).toBeGreaterThan(0);
    expect((requests.body.stream as { status: number }[]).map((r) => r.status)).toEqual([410, 200]);

    expect((await control("/nope")).status).toBe(404);
    expect((await control("/shutdown", {})).body).toEqual({ ok: true });
    await handle.stopped;
    expect(lines[lines.length - 1]).toBe('{"event":"stopped"}');
    await expect(fetch(`${handle.url}/graphql`)).rejects.toThrow();
  });

  it("rejects bad arguments", async () => {
    await expect(runCli(["--port", "abc"], io)).rejects.toThrow(/--port/);
    await expect(runCli(["--unknown"], io)).rejects.toThrow();
  });
});
