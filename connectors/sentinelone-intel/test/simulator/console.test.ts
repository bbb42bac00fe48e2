import { describe, expect, it } from "vitest";
import { runCli } from "../../dev/simulator/cli.js";
import {
  CONSOLE_USER,
  ConsoleError,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_SITE_ID,
  formatMicros,
} from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, Api, HEX32, ips, type Json, S1_TIME, startSim } from "./helpers.js";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const DAY = 86_400_000;

async function clocked() {
  let now = T0;
  const started = await startSim({ now: () => now });
  return { ...started, tick: (ms: number) => (now += ms) };
}

describe("console-side changes (in-process API)", () => {
  it("removes records behind the connector's back: the API no longer lists them, nothing is logged", async () => {
    const { api, sim } = await startSim();
    const created = (await api.post({ filter: ACCOUNT_FILTER, data: ips(4) })).json.data as Json[];
    const logged = sim.requests.length;
    const removed = sim.console.remove({ uuids: [created[1].uuid, "f".repeat(32)] });
    expect(removed.map((r) => r.uuid)).toEqual([created[1].uuid]);
    expect(sim.console.remove({ externalId: "indicator--3" })).toHaveLength(1);
    expect(sim.requests).toHaveLength(logged);
    const listed = await api.get({ limit: 100 });
    expect(listed.json.data.map((d: Json) => d.externalId)).toEqual(["indicator--0", "indicator--2"]);
    // A delete by the removed uuid now affects nothing (the connector's index disagrees with SentinelOne).
    const del = await api.del({ filter: { uuids: [created[1].uuid] } });
    expect(del.json).toEqual({ data: { affected: 0 }, errors: null });
  });

  it("adds records of another source, with upload defaults, visible to the connector's token", async () => {
    const { api, sim, tick } = await clocked();
    tick(1000);
    const added = sim.console.add([
      { type: "IPV4", value: "192.0.2.77", source: "Analyst", externalId: "indicator--0", name: "manual block" },
      { type: "DNS", value: "bad.example", source: "Analyst" },
    ]);
    expect(added).toHaveLength(2);
    expect(added[0]).toMatchObject({
      source: "Analyst",
      creator: CONSOLE_USER,
      scope: "account",
      scopeId: DEFAULT_ACCOUNT_ID,
      externalId: "indicator--0",
      uploadTime: formatMicros((T0 + 1000) * 1000),
      updatedAt: formatMicros((T0 + 1000) * 1000),
      validUntil: formatMicros((T0 + 1000 + 14 * DAY) * 1000),
    });
    expect(added[0]!.uuid).toMatch(HEX32);
    expect(added[0]!.batchId).toBe(added[1]!.batchId);
    const listed = await api.get({ externalId: "indicator--0" });
    expect(listed.json.data).toEqual([added[0]]);
    const siteRec = sim.console.add([{ type: "IPV4", value: "192.0.2.78", source: "Analyst" }], {
      filter: { siteIds: [DEFAULT_SITE_ID] },
      user: "soc@example.com",
    });
    expect(siteRec[0]).toMatchObject({ scope: "site", scopeId: DEFAULT_SITE_ID, creator: "soc@example.com" });
    expect(sim.iocCount()).toBe(3);
  });

  it("refuses invalid additions with every problem named, and stores nothing", async () => {
    const { sim } = await startSim();
    const attempt = () =>
      sim.console.add([
        { type: "IPV4", value: "192.0.2.1", source: "Analyst" },
        { type: "ipv4", value: "192.0.2.2" },
      ]);
    expect(attempt).toThrow(ConsoleError);
    expect(attempt).toThrow(/items: 1: type: Must be one of.*items: 1: source: Missing data for required field\./);
    expect(sim.iocCount()).toBe(0);
  });

  it("edits validUntil, name, description and score; updatedAt moves forward, uuid and uploadTime stay", async () => {
    const { api, sim, tick } = await clocked();
    const [first] = (await api.post({ filter: ACCOUNT_FILTER, data: ips(2, { originalRiskScore: 80 }) })).json
      .data as Json[];
    tick(5000);
    const [edited] = sim.console.edit(
      { uuids: [first.uuid] },
      {
        validUntil: formatMicros((T0 + 3 * DAY) * 1000),
        name: "edited",
        description: "changed by an analyst",
        originalRiskScore: 20,
      },
    );
    expect(edited).toMatchObject({
      uuid: first.uuid,
      uploadTime: first.uploadTime,
      batchId: first.batchId,
      creator: first.creator,
      externalId: "indicator--0",
      name: "edited",
      description: "changed by an analyst",
      originalRiskScore: 20,
      validUntil: formatMicros((T0 + 3 * DAY) * 1000),
      updatedAt: formatMicros((T0 + 5000) * 1000),
    });
    expect(edited!.updatedAt).toMatch(S1_TIME);
    const listed = await api.get({ uuids: first.uuid });
    expect(listed.json.data).toEqual([edited]);

    // validUntil past the type's maximum is clamped from the edit time; an edit in the same instant still moves updatedAt.
    const [clamped] = sim.console.edit({ uuids: [first.uuid] }, { validUntil: "2030-01-01T00:00:00Z" });
    expect(clamped!.validUntil).toBe(formatMicros((T0 + 5000 + 30 * DAY) * 1000));
    expect(clamped!.updatedAt > edited!.updatedAt).toBe(true);
    // The other record is untouched.
    expect(sim.iocs()[1]).toMatchObject({ externalId: "indicator--1", originalRiskScore: 80 });
  });

  it("refuses edits of identity fields, unknown or invalid fields, and matches without a criterion", () => {
    return startSim().then(async ({ api, sim }) => {
      await api.post({ filter: ACCOUNT_FILTER, data: ips(1) });
      expect(() => sim.console.edit({ externalId: "indicator--0" }, { value: "10.9.9.9" })).toThrow(
        /value cannot be edited/,
      );
      expect(() => sim.console.edit({ externalId: "indicator--0" }, { originalRiskScore: 101 })).toThrow(
        /set: originalRiskScore: Must be greater than or equal to 0 and less than or equal to 100\./,
      );
      expect(() => sim.console.edit({ externalId: "indicator--0" }, { colour: "red" })).toThrow(
        /set: colour: Unknown field\./,
      );
      expect(() => sim.console.edit({ externalId: "indicator--0" }, {})).toThrow(/at least one field/);
      expect(() => sim.console.remove({})).toThrow(/at least one of uuids/);
      expect(() => sim.console.remove({ externalID: "x" } as never)).toThrow(/unknown key\(s\) externalID/);
      expect(sim.iocs()[0]).toMatchObject({ value: "10.0.0.0" });
    });
  });

  it("duplicates existing records: a second record with a new uuid and batchId, the same fields", async () => {
    const { api, sim, tick } = await clocked();
    const [orig] = (await api.post({ filter: ACCOUNT_FILTER, data: ips(2, { name: "n" }) })).json.data as Json[];
    tick(1000);
    const [dup] = sim.console.duplicate({ externalId: "indicator--0" });
    expect(dup!.uuid).not.toBe(orig.uuid);
    expect(dup!.batchId).not.toBe(orig.batchId);
    const { uuid: _u, batchId: _b, uploadTime: _t, updatedAt: _a, ...same } = orig;
    expect(dup).toMatchObject(same);
    expect(dup!.uploadTime).toBe(formatMicros((T0 + 1000) * 1000));
    const listed = await api.get({ externalId: "indicator--0" });
    expect(listed.json.pagination.totalItems).toBe(2);
    expect(sim.console.find({ externalId: "indicator--0", source: "test" })).toHaveLength(2);
  });
});

describe("console-side changes (control routes)", () => {
  it("serves POST /__sim/console/{add,edit,duplicate,find,remove} with the CLI", async () => {
    const handle = await runCli(["--port", "0"], () => {});
    try {
      const url = handle!.url;
      const api = new Api(url);
      await api.post({ filter: ACCOUNT_FILTER, data: ips(3) });
      const call = async (action: string, body: unknown) => {
        const r = await fetch(`${url}/__sim/console/${action}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return { status: r.status, json: (await r.json()) as Json };
      };
      const added = await call("add", { items: [{ type: "DNS", value: "other.example", source: "Other" }] });
      expect(added.status).toBe(200);
      expect(added.json.count).toBe(1);
      expect(added.json.data[0]).toMatchObject({ source: "Other", creator: CONSOLE_USER });
      const edited = await call("edit", { match: { externalId: "indicator--1" }, set: { name: "x", severity: 3 } });
      expect(edited.json).toMatchObject({ count: 1, data: [{ name: "x", severity: 3 }] });
      expect((await call("duplicate", { match: { externalId: "indicator--2" } })).json.count).toBe(1);
      expect((await call("find", { match: { externalId: "indicator--2" } })).json.count).toBe(2);
      expect((await call("remove", { match: { source: "test", externalId: "indicator--0" } })).json.count).toBe(1);
      expect(handle!.simulator.iocCount()).toBe(4);

      const bad = await call("edit", { match: { externalId: "indicator--1" }, set: { severity: 9 } });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatch(/set: severity: Must be greater than or equal to 0/);
      expect((await call("remove", {})).json.error).toMatch(/console match must be an object/);
      expect((await call("add", { items: "nope" })).status).toBe(400);
      expect((await call("explode", { match: { value: "x" } })).status).toBe(404);
      expect((await fetch(`${url}/__sim/console/remove`)).status).toBe(405);
      expect(handle!.simulator.requests).toHaveLength(1); // console calls are not API requests
    } finally {
      await handle?.simulator.stop();
    }
  });
});
