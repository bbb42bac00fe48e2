import { describe, expect, it } from "vitest";
import { runCli } from "../../dev/simulator/cli.js";
import { DEFAULT_ACCOUNT_ID, formatMicros } from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, Api, ips, type Json, startSim } from "./helpers.js";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const iso = (ms: number) => formatMicros(ms * 1000);

/** A simulator on a clock the test moves. */
async function clocked(options = {}) {
  let now = T0;
  const started = await startSim({ now: () => now, ...options });
  return { ...started, tick: (ms: number) => (now += ms), at: () => now };
}

const values = (r: Json): string[] => r.json.data.map((d: { value: string }) => d.value);

describe("GET source filter (§4.1 [OBS])", () => {
  it("ignores `source` on GET by default, as SentinelOne's own live test saw", async () => {
    const { api } = await startSim();
    await api.post({ filter: ACCOUNT_FILTER, data: ips(2, { source: "OpenCTI" }) });
    await api.post({ filter: ACCOUNT_FILTER, data: ips(3, { source: "SomeoneElse" }, 10) });
    const r = await api.get({ source: "OpenCTI", limit: 100 });
    expect(r.status).toBe(200);
    expect(r.json.pagination.totalItems).toBe(5);
    expect(r.json.data.map((d: { source: string }) => d.source).sort()).toEqual([
      "OpenCTI",
      "OpenCTI",
      "SomeoneElse",
      "SomeoneElse",
      "SomeoneElse",
    ]);
  });

  it("applies `source` with honourSourceOnGet, while DELETE honours it either way", async () => {
    const honoured = await startSim({ honourSourceOnGet: true });
    await honoured.api.post({ filter: ACCOUNT_FILTER, data: ips(2, { source: "OpenCTI" }) });
    await honoured.api.post({ filter: ACCOUNT_FILTER, data: ips(3, { source: "SomeoneElse" }, 10) });
    expect((await honoured.api.get({ source: "OpenCTI" })).json.pagination.totalItems).toBe(2);

    const plain = await startSim();
    await plain.api.post({ filter: ACCOUNT_FILTER, data: ips(2, { source: "OpenCTI" }) });
    await plain.api.post({ filter: ACCOUNT_FILTER, data: ips(2, { source: "SomeoneElse" }) }); // same externalIds
    const del = await plain.api.del({ filter: { externalId: "indicator--0", source: ["OpenCTI"] } });
    expect(del.json).toEqual({ data: { affected: 1 }, errors: null });
    expect(plain.sim.iocs().map((r) => [r.externalId, r.source])).toEqual([
      ["indicator--1", "OpenCTI"],
      ["indicator--0", "SomeoneElse"],
      ["indicator--1", "SomeoneElse"],
    ]);
  });
});

describe("GET incremental filters (§4.1)", () => {
  it("uploadTime__gte / updatedAt__gte select by time, with scope, limit and cursor", async () => {
    const { api, sim, tick } = await clocked();
    await api.post({ filter: ACCOUNT_FILTER, data: ips(3) });
    tick(60_000);
    const checkpoint = iso(T0 + 60_000);
    await api.post({ filter: ACCOUNT_FILTER, data: ips(5, {}, 100) });
    tick(60_000);
    const edited = sim.console.edit({ externalId: "indicator--1" }, { name: "renamed in the console" });
    expect(edited).toHaveLength(1);

    const uploaded = await api.get({ uploadTime__gte: checkpoint, accountIds: DEFAULT_ACCOUNT_ID, limit: 100 });
    expect(values(uploaded)).toEqual(["10.0.0.100", "10.0.0.101", "10.0.0.102", "10.0.0.103", "10.0.0.104"]);

    // updatedAt__gte also returns the older record edited after the checkpoint; paging keeps every record once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: Record<string, string> = { updatedAt__gte: checkpoint, accountIds: DEFAULT_ACCOUNT_ID, limit: "2" };
      if (cursor !== null) q.cursor = cursor;
      const r = await api.get(q);
      expect(r.status).toBe(200);
      expect(r.json.pagination.totalItems).toBe(6);
      seen.push(...values(r));
      cursor = r.json.pagination.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(["10.0.0.1", "10.0.0.100", "10.0.0.101", "10.0.0.102", "10.0.0.103", "10.0.0.104"]);

    const later = await api.get({ updatedAt__gte: iso(T0 + 120_000) });
    expect(values(later)).toEqual(["10.0.0.1"]);
    const none = await api.get({ updatedAt__gt: edited[0]!.updatedAt });
    expect(none.json.pagination.totalItems).toBe(0);
  });

  it("combines externalId, uuids and limit; rejects a bad date and limit > 1000", async () => {
    const { api } = await clocked();
    const created = (await api.post({ filter: ACCOUNT_FILTER, data: ips(4) })).json.data as Json[];
    await api.post({ filter: ACCOUNT_FILTER, data: ips(1, {}, 2) }); // a duplicate of indicator--2
    const byExt = await api.get({ externalId: "indicator--2", limit: 1 });
    expect(byExt.json.data).toHaveLength(1);
    expect(byExt.json.pagination.totalItems).toBe(2);
    expect(byExt.json.pagination.nextCursor).not.toBeNull();
    const byUuids = await api.get({ uuids: `${created[0].uuid},${created[3].uuid}`, externalId: "indicator--3" });
    expect(values(byUuids)).toEqual(["10.0.0.3"]);
    const bad = await api.get({ updatedAt__gte: "yesterday", limit: 1001 });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { detail: string }) => e.detail).sort()).toEqual([
      "limit: Must be greater than or equal to 1 and less than or equal to 1000.",
      "updatedAt__gte: Not a valid datetime.",
    ]);
  });

  it("answers 414 (nginx page) for a request target longer than maxUrlBytes", async () => {
    const { api } = await startSim();
    const uuids = Array.from({ length: 300 }, (_, i) => i.toString(16).padStart(32, "0")).join(",");
    const long = await api.get({ uuids });
    expect(long.status).toBe(414);
    expect(long.text).toContain("414 Request-URI Too Large");
    const roomy = await startSim({ maxUrlBytes: 64 * 1024 });
    expect((await roomy.api.get({ uuids })).status).toBe(200);
  });

  it("the CLI takes --honour-get-source and --max-url", async () => {
    const handle = await runCli(["--honour-get-source", "--max-url", "200"], () => {});
    try {
      const api = new Api(handle!.url);
      await api.post({ filter: ACCOUNT_FILTER, data: ips(2, { source: "OpenCTI" }) });
      await api.post({ filter: ACCOUNT_FILTER, data: ips(1, { source: "Other" }, 5) });
      expect((await api.get({ source: "Other" })).json.pagination.totalItems).toBe(1);
      expect((await api.get({ name__contains: "x".repeat(200) })).status).toBe(414);
    } finally {
      await handle?.simulator.stop();
    }
  });
});
