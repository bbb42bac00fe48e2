import { describe, expect, it } from "vitest";
import { runCli } from "../../dev/simulator/cli.js";
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_API_TOKEN,
  DEFAULT_GROUP_ID,
  DEFAULT_SITE_ID,
  DEFAULT_TOKENS,
  IOCS_PATH,
  SentinelOneSimulator,
} from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, Api, ips, type Json, startSim } from "./helpers.js";

describe("observability", () => {
  it("exports the default token constants", () => {
    expect([DEFAULT_API_TOKEN, DEFAULT_ACCOUNT_ID, DEFAULT_SITE_ID, DEFAULT_GROUP_ID]).toEqual([
      "s1-test-api-key",
      "1000000000000000001",
      "2000000000000000001",
      "3000000000000000001",
    ]);
    expect(DEFAULT_TOKENS[DEFAULT_API_TOKEN]).toMatchObject({ scope: "account", accountIds: [DEFAULT_ACCOUNT_ID] });
  });

  it("start returns the base URL without a trailing slash; url throws before start", async () => {
    const sim = new SentinelOneSimulator();
    expect(() => sim.url).toThrow(/not started/);
    const url = await sim.start();
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.url).toBe(url);
    } finally {
      await sim.stop();
    }
    await sim.stop(); // idempotent
  });

  it("logs requests and counts stats; reset clears records, log, stats and queued faults", async () => {
    const now = Date.UTC(2026, 0, 1);
    const { api, sim } = await startSim({ now: () => now });
    await api.post({ filter: ACCOUNT_FILTER, data: ips(3) });
    await api.get({ limit: 2 });
    await api.del({ filter: { externalId: "indicator--0" } });
    await api.as("bad").get();
    expect(sim.requests).toEqual([
      { method: "POST", path: IOCS_PATH, status: 200, items: 3, at: now },
      { method: "GET", path: IOCS_PATH, status: 200, items: 2, at: now },
      { method: "DELETE", path: IOCS_PATH, status: 200, items: 1, at: now },
      { method: "GET", path: IOCS_PATH, status: 401, at: now },
    ]);
    expect(sim.stats()).toEqual({
      requests: 4,
      byStatus: { 200: 3, 401: 1 },
      byMethod: {
        POST: { requests: 1, ok: 1, items: 3 },
        GET: { requests: 2, ok: 1, items: 2 },
        DELETE: { requests: 1, ok: 1, items: 1 },
      },
      iocsCreated: 3,
      iocsUpdated: 0,
      iocsDeleted: 1,
      rateLimited: 0,
      hung: 0,
      iocs: 2,
    });
    expect(sim.iocCount()).toBe(2);
    sim.failNext(5);
    sim.reset();
    expect(sim.iocs()).toEqual([]);
    expect(sim.requests).toEqual([]);
    expect(sim.stats().requests).toBe(0);
    expect((await api.get()).status).toBe(200); // the queued faults are gone
  });

  it("caps the request log at maxRequestLog entries, keeping the newest", async () => {
    const { api, sim } = await startSim({ maxRequestLog: 3 });
    for (let i = 1; i <= 5; i++) await api.get({ limit: i });
    expect(sim.requests.map((r) => r.items)).toEqual([0, 0, 0]);
    await api.post({ filter: ACCOUNT_FILTER, data: ips(2) });
    expect(sim.requests).toHaveLength(3);
    expect(sim.requests[2]).toMatchObject({ method: "POST", items: 2 });
    expect(sim.stats().requests).toBe(6);
  });
});

describe("CLI and control routes", () => {
  it("prints one {url} JSON line and serves read-only /__sim routes", async () => {
    const lines: string[] = [];
    const handle = await runCli(["--port", "0", "--rate-limit", "600", "--retry-after", "seconds"], (l) =>
      lines.push(l),
    );
    expect(handle).toBeDefined();
    try {
      expect(lines).toHaveLength(1);
      const { url } = JSON.parse(lines[0]!) as { url: string };
      expect(url).toBe(handle!.url);
      const api = new Api(url);
      expect((await api.post({ filter: ACCOUNT_FILTER, data: ips(4) })).status).toBe(200);
      const count = await (await fetch(`${url}/__sim/iocs?count=1`)).json();
      expect(count).toEqual({ count: 4 });
      const list = (await (await fetch(`${url}/__sim/iocs?limit=2&offset=1`)).json()) as Json;
      expect(list.count).toBe(4);
      expect(list.data.map((d: { value: string }) => d.value)).toEqual(["10.0.0.1", "10.0.0.2"]);
      const stats = await (await fetch(`${url}/__sim/stats`)).json();
      expect(stats).toMatchObject({ requests: 1, iocsCreated: 4, iocs: 4, byStatus: { 200: 1 } });
      const reqs = (await (await fetch(`${url}/__sim/requests?limit=5`)).json()) as Json;
      expect(reqs.data).toHaveLength(1);
      expect((await fetch(`${url}/__sim/health`)).status).toBe(200);
      expect((await fetch(`${url}/__sim/stats`, { method: "POST" })).status).toBe(405);
      expect((await fetch(`${url}/__sim/nope`)).status).toBe(404);
    } finally {
      await handle?.simulator.stop();
    }
  });

  it("rejects bad flag values", async () => {
    await expect(runCli(["--retry-after", "soon", "--rate-limit", "5"], () => {})).rejects.toThrow(/retry-after/);
    await expect(runCli(["--dedup", "merge"], () => {})).rejects.toThrow(/dedup/);
    await expect(runCli(["--bogus"], () => {})).rejects.toThrow();
    const lines: string[] = [];
    expect(await runCli(["--help"], (l) => lines.push(l))).toBeUndefined();
    expect(lines[0]).toMatch(/^Usage:/);
  });
});
