import { Writable } from "node:stream";
import {
  createEvent,
  deleteEvent,
  makeIdentity,
  makeIndicator,
  OpenCtiSimulator,
  STIX_EXT_OCTI,
  updateEvent,
} from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpAgents } from "../../src/http/index.js";
import { createLogger } from "../../src/logging/index.js";
import { RecoverySnapshot, type RecoverySnapshotOptions, type SnapshotObject } from "../../src/stream/snapshot.js";

const TOKEN = "snapshot-test-token";
const ALL = "c0ffee00-0000-4000-8000-0000000000aa";
const HIGH_SCORE = "c0ffee00-0000-4000-8000-0000000000bb";

const ind = (n: number, score = 50) =>
  makeIndicator({ pattern: `[ipv4-addr:value = '10.1.0.${n}']`, seed: `snapshot-${n}`, score });

const scoreOf = (stix: Record<string, unknown>) =>
  Number((stix.extensions as Record<string, { score?: number }> | undefined)?.[STIX_EXT_OCTI]?.score);

describe("RecoverySnapshot against the OpenCTI simulator", () => {
  let sim: OpenCtiSimulator;
  let url: string;
  const agents = createHttpAgents({});
  const logLines: string[] = [];
  const logger = createLogger({
    name: "snapshot-test",
    level: "info",
    stream: new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });

  const options = (extra: Partial<RecoverySnapshotOptions> = {}): RecoverySnapshotOptions => ({
    url,
    streamId: ALL,
    token: TOKEN,
    tls: { verify: true },
    agents,
    logger,
    withInferences: false,
    reconnectBaseMs: 20,
    ...extra,
  });

  const readAll = async (snapshot: RecoverySnapshot): Promise<SnapshotObject[]> => {
    const out: SnapshotObject[] = [];
    for await (const object of snapshot) out.push(object);
    return out;
  };

  beforeEach(async () => {
    logLines.length = 0;
    sim = new OpenCtiSimulator({
      token: TOKEN,
      heartbeatIntervalMs: 50,
      idleHeartbeatsAdvance: true,
      streams: [
        { id: ALL, name: "all" },
        { id: HIGH_SCORE, filter: (s) => s.type === "indicator" && scoreOf(s) >= 60 },
      ],
    });
    url = await sim.start();
  });

  afterEach(async () => {
    await sim.stop();
  });

  it("yields the current version of each live object once, not deleted ones, and ends at the idle heartbeat", async () => {
    const a = ind(1);
    const b = ind(2);
    const c = ind(3);
    sim.publish(createEvent(a));
    sim.publish(createEvent(b));
    sim.publish(createEvent(c));
    const b2 = { ...b, name: "renamed", modified: "2026-01-02T00:00:00.000Z" };
    sim.publish(updateEvent(b, b2));
    sim.publish(deleteEvent(c));
    await new Promise((resolve) => setTimeout(resolve, 5));

    const snapshot = new RecoverySnapshot(options());
    const objects = await readAll(snapshot);

    expect(objects.map((o) => o.data.id).sort()).toEqual([a.id, b.id].sort());
    expect(objects.find((o) => o.data.id === b.id)?.data.name).toBe("renamed");
    expect(objects.every((o) => !o.dependency)).toBe(true);
    expect(snapshot.stats.objects).toBe(2);
    // The request carried the start point and the recover date.
    const request = sim.streamRequests.at(-1);
    expect(request?.query.recover ?? request?.headers.recover).toBe(snapshot.recoverUntil);
  });

  it("applies the stream's own filters (no second implementation here)", async () => {
    const low = ind(1, 10);
    const high = ind(2, 90);
    const raised = ind(3, 10);
    sim.publish(createEvent(low));
    sim.publish(createEvent(high));
    sim.publish(createEvent(raised));
    const raisedNow = makeIndicator({ pattern: "[ipv4-addr:value = '10.1.0.3']", seed: "snapshot-3", score: 80 });
    sim.publish(updateEvent(raised, raisedNow));
    await new Promise((resolve) => setTimeout(resolve, 5));

    const objects = await readAll(new RecoverySnapshot(options({ streamId: HIGH_SCORE })));
    expect(objects.map((o) => o.data.id).sort()).toEqual([high.id, raised.id].sort());
  });

  it("ends at the first live event past the recover date and does not yield it", async () => {
    sim.publish(createEvent(ind(1)));
    const recoverUntilMs = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = ind(2);
    sim.publish(createEvent(later));

    const snapshot = new RecoverySnapshot(options({ recoverUntilMs }));
    const objects = await readAll(snapshot);
    expect(objects.map((o) => o.data.id)).toEqual([ind(1).id]);
  });

  it("flags referenced objects sent ahead as dependencies", async () => {
    const author = makeIdentity({ name: "ACME CTI", seed: "acme" });
    const indicator = { ...ind(4), created_by_ref: author.id };
    sim.publish({ ...createEvent(indicator), dependencies: [author] });
    await new Promise((resolve) => setTimeout(resolve, 5));

    const objects = await readAll(new RecoverySnapshot(options({ noDependencies: false })));
    expect(objects.map((o) => [o.data.id, o.dependency])).toEqual([
      [author.id, true],
      [indicator.id, false],
    ]);
  });

  it("an empty stream gives an empty snapshot", async () => {
    const objects = await readAll(new RecoverySnapshot(options()));
    expect(objects).toEqual([]);
  });

  it("survives cut connections: every object exactly once", async () => {
    const all = Array.from({ length: 40 }, (_, i) => ind(i + 10));
    for (const indicator of all) sim.publish(createEvent(indicator));
    await new Promise((resolve) => setTimeout(resolve, 5));
    sim.dropEvery(7);

    const snapshot = new RecoverySnapshot(options());
    const objects = await readAll(snapshot);
    expect(snapshot.stats.reconnects).toBeGreaterThan(0);
    expect(objects.map((o) => o.data.id).sort()).toEqual(all.map((i) => i.id).sort());
  });

  it("skips a malformed message with a log line and goes on", async () => {
    sim.publish(createEvent(ind(1)));
    sim.publishRaw("create", "{not json");
    sim.publish(createEvent(ind(2)));
    await new Promise((resolve) => setTimeout(resolve, 5));

    const snapshot = new RecoverySnapshot(options());
    const objects = await readAll(snapshot);
    expect(objects.map((o) => o.data.id)).toEqual([ind(1).id, ind(2).id]);
    expect(snapshot.stats.malformed).toBe(1);
    expect(logLines.join("")).toContain("malformed message of the recovery snapshot");
  });

  it("a refused token ends the iteration with an error naming what to check", async () => {
    await expect(readAll(new RecoverySnapshot(options({ token: "wrong" })))).rejects.toThrow(/OPENCTI_TOKEN/);
  });

  it("back-pressure: a slow reader gets everything while the socket is paused", async () => {
    const all = Array.from({ length: 30 }, (_, i) => ind(i + 100));
    for (const indicator of all) sim.publish(createEvent(indicator));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const seen: string[] = [];
    for await (const object of new RecoverySnapshot(options({ maxBuffered: 4 }))) {
      seen.push(object.data.id);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(seen.sort()).toEqual(all.map((i) => i.id).sort());
  });

  it("breaking out of the loop closes the connection", async () => {
    for (let i = 0; i < 5; i++) sim.publish(createEvent(ind(i + 200)));
    for await (const _ of new RecoverySnapshot(options())) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sim.openStreamCount).toBe(0);
  });
});
