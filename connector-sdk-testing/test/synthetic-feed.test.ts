import { compareStreamIds } from "@octi/connector-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  connectSse,
  createEvent,
  makeIndicator,
  OpenCtiSimulator,
  type PublishedEvent,
  type SseMessage,
  syntheticIndicatorFeed,
} from "../src/index.js";

const TOKEN = "feed-test-token";
const STREAM = "feed-stream";
const NOW = new Date("2025-01-01T00:00:00.000Z");
const headers = (lastEventId?: string) => ({
  authorization: `Bearer ${TOKEN}`,
  ...(lastEventId ? { "last-event-id": lastEventId } : {}),
});

describe("OpenCTI simulator: synthetic feeds", () => {
  let sim: OpenCtiSimulator;
  let url: string;

  beforeEach(async () => {
    sim = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 200 });
    url = await sim.start();
  });

  afterEach(async () => {
    await sim.stop();
  });

  it("streams every event of a 100,000-event feed, in order, with consecutive ids", async () => {
    const feed = syntheticIndicatorFeed({ count: 100_000, seed: "count-test", now: NOW });
    const info = sim.addSyntheticFeed(feed);
    expect(info.count).toBe(100_000);
    let count = 0;
    let ordered = true;
    let previous: string | undefined;
    let lastData = "";
    let done!: () => void;
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    const conn = await connectSse(`${url}/stream/${STREAM}`, {
      headers: headers("0-0"),
      keepMessages: false,
      onMessage: (m: SseMessage) => {
        if (m.event !== "create") return;
        if (previous !== undefined && compareStreamIds(m.id!, previous) <= 0) ordered = false;
        previous = m.id;
        count++;
        lastData = m.data;
        if (count === 100_000) done();
      },
    });
    try {
      await all;
    } finally {
      conn.close();
    }
    expect(count).toBe(100_000);
    expect(ordered).toBe(true);
    expect(previous).toBe(info.lastId);
    expect(JSON.parse(lastData).data.id).toBe(feed.make(99_999).data.id);
    const [ms, seq] = info.firstId.split("-").map(Number);
    expect(info.lastId).toBe(`${ms}-${seq! + 99_999}`);
  }, 120_000);

  it("makes events only when a connection reaches them (a million-event feed stores nothing), and resumes mid-feed", async () => {
    let made = 0;
    const base = syntheticIndicatorFeed({ count: 1_000_000, seed: "lazy", now: NOW });
    const info = sim.addSyntheticFeed({
      count: 1_000_000,
      make: (i) => {
        made++;
        return base.make(i);
      },
    });
    expect(made).toBe(0);
    expect(sim.eventCount).toBe(1_000_000);
    const after = sim.publish(createEvent(makeIndicator({ pattern: "[ipv4-addr:value = '192.0.2.1']", now: NOW })));
    expect(compareStreamIds(after, info.lastId)).toBeGreaterThan(0);

    const [ms, seq] = info.firstId.split("-").map(Number);
    const resumeAt = `${ms}-${seq! + 999_997}`; // the last 2 feed events + the published one remain
    const conn = await connectSse(`${url}/stream/${STREAM}`, { headers: headers(resumeAt) });
    try {
      const events = await conn.waitFor(3, (m) => m.event === "create");
      expect(events.map((m) => m.id)).toEqual([`${ms}-${seq! + 999_998}`, info.lastId, after]);
      expect(JSON.parse(events[0]!.data).data.id).toBe(base.make(999_998).data.id);
      expect(made).toBe(2);
    } finally {
      conn.close();
    }
  });

  it("a feed restricted to one collection, and feed events in a recovery snapshot (deletes skipped)", async () => {
    sim.addStream({ id: "other" });
    sim.addSyntheticFeed(syntheticIndicatorFeed({ count: 5, seed: "elsewhere", now: NOW }), "other");
    const mixed = syntheticIndicatorFeed({ count: 10, actions: "mixed", seed: "mixed", now: NOW });
    const info = sim.addSyntheticFeed(mixed);
    const recoverAt = Number(info.lastId.split("-")[0]) + 1;
    const conn = await connectSse(`${url}/stream/${STREAM}?recover=${recoverAt}`, { headers: headers("0-0") });
    try {
      const events = await conn.waitFor(9, (m) => m.id !== undefined && m.event !== "heartbeat");
      // slot 8 is a delete: not in a snapshot. Everything else is an init-create; nothing from "other".
      expect(events.every((m) => m.event === "create")).toBe(true);
      expect(events.map((m) => JSON.parse(m.data).origin.referer)).toEqual(Array(9).fill("init-create"));
      const expected = [0, 1, 2, 3, 4, 5, 6, 7, 9].map((i) => (mixed.make(i) as PublishedEvent).data.id);
      expect(events.map((m) => JSON.parse(m.data).data.id)).toEqual(expected);
    } finally {
      conn.close();
    }
  });
});
