import { compareStreamIds, type StixObject } from "@octi/connector-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  connectSse,
  createEvent,
  deleteEvent,
  makeIdentity,
  makeIndicator,
  makeTlpMarking,
  OpenCtiSimulator,
  type SseMessage,
  type SseTestConnection,
  STIX_EXT_OCTI,
  updateEvent,
} from "../src/index.js";
import { until } from "./helpers.js";

const TOKEN = "stream-test-token";
const STREAM = "c0ffee00-0000-4000-8000-000000000001";
const INDICATORS_ONLY = "indicators-score-60";
const AUTH = { authorization: `Bearer ${TOKEN}` };

const NOW = new Date("2025-01-01T00:00:00.000Z");
const ind = (n: number, extra: Partial<Parameters<typeof makeIndicator>[0]> = {}) =>
  makeIndicator({ pattern: `[ipv4-addr:value = '10.0.0.${n}']`, seed: `stream-test-${n}`, now: NOW, ...extra });

const dataOf = (m: SseMessage) => JSON.parse(m.data) as Record<string, unknown> & { data: StixObject };
const idBearing = (m: SseMessage) => m.id !== undefined && m.event !== "heartbeat";

describe("OpenCTI simulator: live stream", () => {
  let sim: OpenCtiSimulator;
  let url: string;
  const open: SseTestConnection[] = [];

  const connect = async (path: string, headers: Record<string, string> = {}) => {
    const connection = await connectSse(`${url}${path}`, { headers: { ...AUTH, ...headers } });
    open.push(connection);
    return connection;
  };

  beforeEach(async () => {
    sim = new OpenCtiSimulator({
      token: TOKEN,
      users: [{ token: "reader-token" }],
      heartbeatIntervalMs: 100,
      streams: [
        { id: STREAM, name: "all" },
        {
          id: INDICATORS_ONLY,
          filter: (s) =>
            s.type === "indicator" &&
            Number((s.extensions as Record<string, { score?: number }>)[STIX_EXT_OCTI]?.score) >= 60,
        },
        { id: "stopped", started: false },
        { id: "public-stream", public: true },
      ],
    });
    url = await sim.start();
  });

  afterEach(async () => {
    for (const c of open.splice(0)) c.close();
    await sim.stop();
  });

  it("sends SSE headers, `connected` first without id, then events with strictly increasing ids", async () => {
    const ids = [1, 2, 3].map((n) => sim.publish(createEvent(ind(n))));
    const c = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    expect(c.status).toBe(200);
    expect(c.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(c.headers["cache-control"]).toBe("no-cache, no-transform");
    expect(c.headers.connection).toBe("keep-alive");
    const events = await c.waitFor(3, idBearing);
    const first = c.messages[0]!;
    expect(first.event).toBe("connected");
    expect(first.id).toBeUndefined();
    expect(JSON.parse(first.data)).toMatchObject({
      connectionId: expect.any(String),
      lastEventId: ids[2],
      streamSize: 3,
    });
    expect(events.map((m) => m.id)).toEqual(ids);
    for (let i = 1; i < ids.length; i++) expect(compareStreamIds(ids[i]!, ids[i - 1]!)).toBeGreaterThan(0);
    const envelope = dataOf(events[0]!);
    expect(Object.keys(envelope)).toEqual(["version", "type", "scope", "message", "origin", "data"]);
    expect(envelope).toMatchObject({
      version: "4",
      type: "create",
      scope: "external",
      message: "creates a Indicator `10.0.0.1`",
    });
    expect(envelope.data).toEqual(ind(1));
    expect(events.map((e) => e.event)).toEqual(["create", "create", "create"]);
  });

  it("resumes strictly after Last-Event-ID, and `from` (query or header, id or date) works the same way", async () => {
    const ids = [1, 2, 3, 4].map((n) => sim.publish(createEvent(ind(n))));
    const resumed = await connect(`/stream/${STREAM}`, { "last-event-id": ids[1]! });
    expect((await resumed.waitFor(2, idBearing)).map((m) => m.id)).toEqual([ids[2], ids[3]]);

    const fromQuery = await connect(`/stream/${STREAM}?from=${ids[2]}`);
    expect((await fromQuery.waitFor(1, idBearing)).map((m) => m.id)).toEqual([ids[3]]);

    const fromZero = await connect(`/stream/${STREAM}?from=0`);
    expect((await fromZero.waitFor(4, idBearing)).map((m) => m.id)).toEqual(ids);

    const fromHeader = await connect(`/stream/${STREAM}`, { from: ids[0]! });
    expect((await fromHeader.waitFor(3, idBearing)).map((m) => m.id)).toEqual(ids.slice(1));

    const fromDate = await connect(`/stream/${STREAM}?from=${encodeURIComponent(new Date(0).toISOString())}`);
    expect((await fromDate.waitFor(4, idBearing)).length).toBe(4);
    expect(sim.streamRequests.map((r) => r.headers["last-event-id"])).toEqual([
      ids[1],
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(sim.streamRequests[1]!.query).toEqual({ from: ids[2] });
  });

  it("without a start point starts at the live end (only new events)", async () => {
    sim.publish(createEvent(ind(1)));
    const c = await connect(`/stream/${STREAM}`);
    await c.waitFor(1, (m) => m.event === "connected");
    const later = sim.publish(createEvent(ind(2)));
    const [event] = await c.waitFor(1, idBearing);
    expect(event!.id).toBe(later);
  });

  it('listen-delete: only the exact string "false" hides deletes', async () => {
    sim.publish(createEvent(ind(1)));
    const del = sim.publish(deleteEvent(ind(1)));
    const last = sim.publish(createEvent(ind(2)));
    const hidden = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0", "listen-delete": "false" });
    const seen = await hidden.waitFor(2, idBearing);
    expect(seen.map((m) => m.event)).toEqual(["create", "create"]);
    expect(seen[1]!.id).toBe(last);
    const shown = await connect(`/stream/${STREAM}?listen-delete=False`, { "last-event-id": "0-0" });
    const all = await shown.waitFor(3, idBearing);
    expect(all.map((m) => [m.event, m.id])).toContainEqual(["delete", del]);
  });

  it("dependencies go first with the triggering event's id (init-dependencies); no-dependencies=true suppresses only core relationships", async () => {
    const author = makeIdentity({ name: "ACME" });
    const tlp = makeTlpMarking("TLP:GREEN");
    const relation: StixObject = {
      id: "relationship--5a1e3b5c-1111-4c3e-9b3e-000000000001",
      type: "relationship",
      spec_version: "2.1",
      relationship_type: "indicates",
      source_ref: ind(1).id,
      target_ref: "malware--5a1e3b5c-2222-4c3e-9b3e-000000000002",
    };
    const id1 = sim.publish(createEvent(ind(1), { dependencies: [author, tlp, relation] }));
    const id2 = sim.publish(createEvent(ind(2), { dependencies: [author] }));
    const withDeps = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    const messages = await withDeps.waitFor(5, idBearing);
    expect(messages.map((m) => [m.id, m.event, dataOf(m).data.id])).toEqual([
      [id1, "create", author.id],
      [id1, "create", tlp.id],
      [id1, "create", relation.id],
      [id1, "create", ind(1).id],
      [id2, "create", ind(2).id], // already sent on this connection: not repeated
    ]);
    expect(dataOf(messages[0]!)).toEqual({
      data: author,
      message: "creates a Organization `ACME`",
      origin: { referer: "init-dependencies" },
      version: "4",
    });

    // OpenCTI (sseMiddleware.js resolveAndPublishMissingRefs) still sends the referenced objects this connection has
    // not sent yet, under the event's id; only the core relationships are gated by the flag.
    const expectedNoDeps = [
      [id1, author.id],
      [id1, tlp.id],
      [id1, ind(1).id],
      [id2, ind(2).id],
    ];
    const noDeps = await connect(`/stream/${STREAM}?no-dependencies=true`, { "last-event-id": "0-0" });
    const plain = await noDeps.waitFor(4, idBearing);
    expect(plain.map((m) => [m.id, dataOf(m).data.id])).toEqual(expectedNoDeps);
    const legacy = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0", "no-relationships": "true" });
    expect((await legacy.waitFor(4, idBearing)).map((m) => [m.id, dataOf(m).data.id])).toEqual(expectedNoDeps);
  });

  it("recover later than the start sends the current objects as init-create, then tails after the recover point", async () => {
    const a = ind(1);
    const b = ind(2);
    const c = ind(3);
    sim.publish(createEvent(a));
    sim.publish(createEvent(b));
    const bUpdated = ind(2, { score: 90 });
    const bId = sim.publish(updateEvent(b, bUpdated));
    sim.publish(createEvent(c));
    sim.publish(deleteEvent(c));
    const aId = sim.publish(updateEvent(a, ind(1, { name: "renamed" })));
    await until(() => Date.now() > Number(aId.split("-")[0]) + 2, "the clock to move on");
    const recover = new Date().toISOString();
    await until(() => Date.now() > Date.parse(recover) + 2, "the clock to move on");
    const liveId = sim.publish(createEvent(ind(4)));

    const conn = await connect(`/stream/${STREAM}?recover=${encodeURIComponent(recover)}`, { "last-event-id": "0-0" });
    const messages = await conn.waitFor(3, idBearing);
    const [first, second, third] = messages;
    // b (last changed at bId) comes before a (last changed at aId); c is deleted; old versions are skipped.
    expect([first!.id, second!.id]).toEqual([bId, aId]);
    expect(dataOf(first!)).toEqual({
      data: bUpdated,
      message: "creates a Indicator `10.0.0.2`",
      origin: { referer: "init-create" },
      version: "4",
    });
    expect(dataOf(second!).data).toMatchObject({ id: a.id, name: "renamed" });
    expect([first!.event, second!.event]).toEqual(["create", "create"]);
    expect(third).toMatchObject({ id: liveId, event: "create" });
    expect(dataOf(third!).type).toBe("create");

    // Recovery does not apply when the recover date is not after the start.
    const noRecovery = await connect(`/stream/${STREAM}?recover=1970-01-01T00:00:00Z`, { "last-event-id": bId });
    expect((await noRecovery.waitFor(4, idBearing)).map((m) => dataOf(m).type)).toEqual([
      "create",
      "delete",
      "update",
      "create",
    ]);
  });

  it("answers errors as bare status lines: 401 (token, unknown stream, BYPASS routes), 410 stopped, 500 recover without start", async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      [
        `/stream/${STREAM}`,
        { authorization: "Bearer wrong" },
        401,
        "You are not authenticated, please check your credentials",
      ],
      [`/stream/${STREAM}`, { authorization: "" }, 401, "You are not authenticated, please check your credentials"],
      ["/stream/no-such-stream", {}, 401, "You are not authorized, please check your credentials"],
      ["/stream/stopped", {}, 410, "This live stream is stopped"],
      [
        `/stream/${STREAM}?recover=2024-01-01T00:00:00Z`,
        {},
        500,
        `Error in stream ${STREAM}: Recovery mode is only possible with a start date.`,
      ],
      [
        "/stream/live",
        { authorization: "Bearer reader-token" },
        401,
        "You are not authorized, please check your credentials",
      ],
      [
        "/stream",
        { authorization: "Bearer reader-token" },
        401,
        "Consume generic stream is only authorized for bypass user",
      ],
    ];
    for (const [path, headers, status, statusMessage] of cases) {
      const response = await connectSse(`${url}${path}`, { headers: { ...AUTH, ...headers } });
      open.push(response);
      expect({ path, status: response.status, statusMessage: response.statusMessage }).toEqual({
        path,
        status,
        statusMessage,
      });
      const { remainder } = await response.ended;
      expect(remainder).toBe("");
    }
    sim.rejectToken(true);
    const refused = await connect(`/stream/${STREAM}`);
    expect(refused.status).toBe(401);
    sim.rejectToken(false);
    const reader = await connect(`/stream/${STREAM}`, { authorization: "Bearer reader-token" });
    expect(reader.status).toBe(200);
    const anonymousPublic = await connectSse(`${url}/stream/public-stream`);
    open.push(anonymousPublic);
    expect(anonymousPublic.status).toBe(200);
    expect(sim.streamRequests.find((r) => r.path === "/stream/stopped")).toMatchObject({
      status: 410,
      statusMessage: "This live stream is stopped",
    });
  });

  it("sends heartbeats when idle, carrying the last event id and its ISO date", async () => {
    const id = sim.publish(createEvent(ind(1)));
    const conn = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    const [heartbeat] = await conn.waitFor(1, (m) => m.event === "heartbeat");
    expect(heartbeat!.id).toBe(id);
    expect(JSON.parse(heartbeat!.data)).toBe(new Date(Number(id.split("-")[0])).toISOString());

    // On an empty stream the heartbeat id is a reserved `<now>-0`, and later events get greater ids.
    const empty = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 50 });
    const emptyUrl = await empty.start();
    try {
      const idle = await connectSse(`${emptyUrl}/stream/${STREAM}`, { headers: { ...AUTH, "last-event-id": "0-0" } });
      open.push(idle);
      const [beat] = await idle.waitFor(1, (m) => m.event === "heartbeat");
      const next = empty.publish(createEvent(ind(2)));
      expect(compareStreamIds(next, beat!.id!)).toBeGreaterThan(0);
    } finally {
      await empty.stop();
    }
  });

  it("after a recovery whose last events were not sent (a delete), idle heartbeats move past them", async () => {
    // OpenCTI's reader sets the connection's last id to `<now>-0` after an empty XREAD, so an idle heartbeat
    // never stays behind events the connection skipped; a client that persists it does not re-read them forever.
    sim.publish(createEvent(ind(1)));
    const doomed = ind(2);
    sim.publish(createEvent(doomed));
    const lastId = sim.publish(deleteEvent(doomed));
    await until(() => Date.now() > Number(lastId.split("-")[0]) + 2, "the clock to move on");
    const recover = new Date().toISOString();
    await until(() => Date.now() > Date.parse(recover) + 2, "the clock to move on");
    const conn = await connect(`/stream/${STREAM}?recover=${encodeURIComponent(recover)}`, { "last-event-id": "0-0" });
    const [beat] = await conn.waitFor(1, (m) => m.event === "heartbeat");
    expect(compareStreamIds(beat!.id!, lastId)).toBeGreaterThanOrEqual(0);
    const next = sim.publish(createEvent(ind(3)));
    expect(compareStreamIds(next, beat!.id!)).toBeGreaterThan(0);
  });

  it("dropEvery(k) cuts each connection after k events; resuming from the last id loses nothing", async () => {
    const ids = Array.from({ length: 10 }, (_, n) => sim.publish(createEvent(ind(n))));
    sim.dropEvery(3);
    const received: string[] = [];
    let last = "0-0";
    let connections = 0;
    let cut = 0;
    while (received.length < ids.length && connections < 10) {
      connections++;
      const conn = await connect(`/stream/${STREAM}`, { "last-event-id": last });
      const remaining = ids.length - received.length;
      await Promise.race([conn.ended, conn.waitFor(remaining, idBearing).catch(() => undefined)]);
      const { error } = conn.isEnded ? await conn.ended : { error: undefined };
      if (error) cut++;
      const events = conn.messages.filter(idBearing);
      expect(events.length).toBeLessThanOrEqual(3);
      for (const e of events) received.push(e.id!);
      last = received[received.length - 1] ?? last;
      conn.close();
    }
    expect(received).toEqual(ids);
    expect(connections).toBe(4);
    expect(cut).toBe(3);
    sim.dropEvery(null);
    const whole = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    await whole.waitFor(10, idBearing);
    expect(whole.isEnded).toBe(false);
  });

  it("dropMidEventOnce writes half an event then cuts; dropConnections cuts every open stream", async () => {
    sim.publish(createEvent(ind(1)));
    sim.dropMidEventOnce();
    const cut = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    const { remainder } = await cut.ended;
    expect(cut.messages.filter(idBearing)).toHaveLength(0);
    expect(remainder.startsWith("id: ")).toBe(true);
    expect(remainder).toContain("event: create");

    const a = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    const b = await connect(`/stream/${STREAM}`);
    await a.waitFor(1, idBearing);
    await until(() => sim.openStreamCount === 2, "two open streams");
    expect(sim.dropConnections()).toBe(2);
    await Promise.all([a.ended, b.ended]);
    expect(sim.openStreamCount).toBe(0);
  });

  it("applies the collection filter and translates updates: leaving → delete, entering → create", async () => {
    const low = ind(1, { score: 10 });
    const high = ind(1, { score: 80 });
    sim.publish(createEvent(low)); // not visible
    const enter = sim.publish(updateEvent(low, high)); // becomes visible → create
    const stay = sim.publish(updateEvent(high, ind(1, { score: 85 }))); // update
    const leave = sim.publish(updateEvent(ind(1, { score: 85 }), ind(1, { score: 20 }))); // leaves → delete
    sim.publish(createEvent(makeIdentity({ name: "not an indicator" })));
    const last = sim.publish(createEvent(ind(2, { score: 99 })));
    const conn = await connect(`/stream/${INDICATORS_ONLY}`, { "last-event-id": "0-0" });
    const events = await conn.waitFor(4, idBearing);
    expect(events.map((m) => [m.id, m.event])).toEqual([
      [enter, "create"],
      [stay, "update"],
      [leave, "delete"],
      [last, "create"],
    ]);
    const leaving = dataOf(events[2]!);
    expect(leaving.type).toBe("update");
    expect(leaving.context).toHaveProperty("reverse_patch");

    const noDeletes = await connect(`/stream/${INDICATORS_ONLY}`, { "last-event-id": "0-0", "listen-delete": "false" });
    expect((await noDeletes.waitFor(3, idBearing)).map((m) => m.id)).toEqual([enter, stay, last]);
  });

  it("inferred events need with-inferences=true", async () => {
    const inferred = sim.publish(createEvent(ind(1), { inferred: true }));
    const flagged = ind(2, { isInferred: true });
    const flaggedId = sim.publish(createEvent(flagged));
    const normal = sim.publish(createEvent(ind(3)));
    const without = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    expect((await without.waitFor(1, idBearing)).map((m) => m.id)).toEqual([normal]);
    const withInf = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0", "with-inferences": "true" });
    expect((await withInf.waitFor(3, idBearing)).map((m) => m.id)).toEqual([inferred, flaggedId, normal]);
  });

  it("publish(event, streamId) restricts an event to one collection; /stream/live and /stream see everything", async () => {
    const onlyOther = sim.publish(createEvent(ind(1, { score: 70 })), INDICATORS_ONLY);
    const everywhere = sim.publish(createEvent(ind(2)));
    const del = sim.publish(deleteEvent(ind(2)));
    const main = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    expect((await main.waitFor(2, idBearing)).map((m) => m.id)).toEqual([everywhere, del]);
    const live = await connect("/stream/live", { "last-event-id": "0-0", "listen-delete": "false" });
    expect((await live.waitFor(2, idBearing)).map((m) => m.id)).toEqual([onlyOther, everywhere]);
    const raw = await connect("/stream", { "last-event-id": "0-0", "listen-delete": "false" });
    expect((await raw.waitFor(3, idBearing)).map((m) => m.id)).toEqual([onlyOther, everywhere, del]);
    expect(() => sim.publish(createEvent(ind(3)), "unknown")).toThrow(/unknown stream/);
  });

  it("publishRaw / publishRawText inject arbitrary SSE text with a proper id", async () => {
    const good = sim.publish(createEvent(ind(1)));
    const bad = sim.publishRaw("create", "{not json");
    const text = sim.publishRawText('event: update\ndata: {"version":"4"}');
    const conn = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    const events = await conn.waitFor(3, idBearing);
    expect(events.map((m) => m.id)).toEqual([good, bad, text]);
    expect(events[1]).toEqual({ id: bad, event: "create", data: "{not json" });
    expect(events[2]).toEqual({ id: text, event: "update", data: '{"version":"4"}' });
  });

  it("stopping a collection ends its open connections and refuses new ones with 410", async () => {
    const conn = await connect(`/stream/${STREAM}`, { "last-event-id": "0-0" });
    await conn.waitFor(1, (m) => m.event === "connected");
    sim.setStreamStarted(STREAM, false);
    await conn.ended;
    const refused = await connect(`/stream/${STREAM}`);
    expect([refused.status, refused.statusMessage]).toEqual([410, "This live stream is stopped"]);
    sim.setStreamStarted(STREAM, true);
    expect((await connect(`/stream/${STREAM}`)).status).toBe(200);
  });
});
