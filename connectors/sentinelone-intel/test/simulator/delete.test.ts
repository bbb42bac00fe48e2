import { describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID } from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, ips, startSim } from "./helpers.js";

describe("DELETE (§5, §9.8)", () => {
  it("deletes by externalId and reports the affected count", async () => {
    const { api, sim } = await startSim();
    await api.post({ filter: ACCOUNT_FILTER, data: ips(10) });
    await api.post({ filter: ACCOUNT_FILTER, data: ips(1, {}, 3) }); // a duplicate of indicator--3
    const r = await api.del({ filter: { accountIds: [DEFAULT_ACCOUNT_ID], externalId: "indicator--3" } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: { affected: 2 }, errors: null });
    expect(sim.iocs()).toHaveLength(9);
    expect(sim.iocs().some((i) => i.externalId === "indicator--3")).toBe(false);
    expect((await api.get({ externalId: "indicator--3" })).json.pagination.totalItems).toBe(0);
    const again = await api.del({ filter: { externalId: "indicator--3" } });
    expect(again.json).toEqual({ data: { affected: 0 }, errors: null });
    expect(sim.stats().iocsDeleted).toBe(2);
  });

  it("deletes by uuids, value, type, batchId, source and name__contains", async () => {
    const { api, sim } = await startSim();
    const first = (await api.post({ filter: ACCOUNT_FILTER, data: ips(6, { name: "Feed A" }) })).json.data;
    const second = (await api.post({ filter: ACCOUNT_FILTER, data: ips(3, { source: "other", name: "Feed B" }, 50) }))
      .json.data;
    const del = async (filter: Record<string, unknown>) => (await api.del({ filter })).json.data.affected;
    expect(await del({ uuids: [first[0].uuid, first[1].uuid, "f".repeat(32)] })).toBe(2);
    expect(await del({ value: "10.0.0.2", type: "IPV4" })).toBe(1);
    expect(await del({ value: "10.0.0.3", type: "URL" })).toBe(0);
    expect(await del({ name__contains: ["feed b"], source: ["test"] })).toBe(0);
    expect(await del({ batchId: second[0].batchId, source: ["other"] })).toBe(3);
    expect(await del({ name__contains: ["Feed A"] })).toBe(3);
    expect(sim.iocs()).toHaveLength(0);
  });

  it("deletes up to 5,000 uuids in one request and refuses 5,001 with a validation error (§5.1 maxItems)", async () => {
    const { api, sim } = await startSim();
    const created = (await api.post({ filter: ACCOUNT_FILTER, data: ips(5001) })).json.data as { uuid: string }[];
    const all = created.map((r) => r.uuid);
    const tooMany = await api.del({ filter: { accountIds: [DEFAULT_ACCOUNT_ID], uuids: all } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toEqual({
      errors: [{ code: 4000010, title: "Validation Error", detail: "filter: uuids: Longer than maximum length 5000." }],
    });
    expect(sim.iocCount()).toBe(5001);
    const max = await api.del({ filter: { accountIds: [DEFAULT_ACCOUNT_ID], uuids: all.slice(0, 5000) } });
    expect(max.json).toEqual({ data: { affected: 5000 }, errors: null });
    expect(sim.iocs().map((r) => r.uuid)).toEqual([all[5000]]);
  });

  it("requires a filter with at least one non-scope criterion", async () => {
    const { api, sim } = await startSim();
    await api.post({ filter: ACCOUNT_FILTER, data: ips(3) });
    const missing = await api.del({});
    expect(missing.status).toBe(400);
    expect(missing.json.errors[0]).toEqual({
      code: 4000010,
      title: "Validation Error",
      detail: "filter: Missing data for required field.",
    });
    const noBody = await api.raw("DELETE", "/web/api/v2.1/threat-intelligence/iocs");
    expect(noBody.status).toBe(400);
    for (const filter of [
      {},
      { accountIds: [DEFAULT_ACCOUNT_ID] },
      { accountIds: [DEFAULT_ACCOUNT_ID], tenant: false },
    ]) {
      const r = await api.del({ filter });
      expect(r.status, JSON.stringify(filter)).toBe(400);
      expect(r.json.errors[0].detail).toBe(
        "filter: At least one filter field other than accountIds, siteIds and tenant is required.",
      );
    }
    expect(sim.iocs()).toHaveLength(3);
  });

  it("rejects unknown keys such as groupIds and source__contains in strict mode", async () => {
    const { api, sim } = await startSim();
    await api.post({ filter: ACCOUNT_FILTER, data: ips(2) });
    const groups = await api.del({ filter: { uuids: [sim.iocs()[0]!.uuid], groupIds: ["3000000000000000001"] } });
    expect(groups.status).toBe(400);
    expect(groups.json).toEqual({
      errors: [{ code: 4000010, title: "Validation Error", detail: "filter: groupIds: Unknown field." }],
    });
    const contains = await api.del({ filter: { accountIds: [DEFAULT_ACCOUNT_ID], source__contains: ["tes"] } });
    expect(contains.json.errors[0].detail).toBe("filter: source__contains: Unknown field.");
    const top = await api.del({ filter: { externalId: "indicator--0" }, data: [] });
    expect(top.json.errors[0].detail).toBe("data: Unknown field.");
    expect(sim.iocs()).toHaveLength(2);
  });

  it("ignores unknown keys with strict: false", async () => {
    const { api, sim } = await startSim({ strict: false });
    await api.post({ filter: ACCOUNT_FILTER, data: ips(2) });
    const r = await api.del({ filter: { externalId: "indicator--0", groupIds: ["3000000000000000001"] } });
    expect(r.json).toEqual({ data: { affected: 1 }, errors: null });
    expect(sim.iocs()).toHaveLength(1);
  });

  it("validates filter values and only deletes what the token can see", async () => {
    const other = "1000000000000000002";
    const { api, sim } = await startSim({
      tokens: {
        a1: { user: "a1@example.com", scope: "account", accountIds: [DEFAULT_ACCOUNT_ID] },
        a2: { user: "a2@example.com", scope: "account", accountIds: [other] },
      },
    });
    await api.as("a1").post({ filter: ACCOUNT_FILTER, data: ips(2) });
    await api.as("a2").post({ filter: { accountIds: [other] }, data: ips(2) });
    const bad = await api.as("a1").del({ filter: { type: "ip", uuids: "x", severity: [9] } });
    expect(bad.json.errors.map((e: { detail: string }) => e.detail)).toEqual([
      "filter: type: Must be one of: DNS, IPV4, IPV6, MD5, SHA1, SHA256, URL.",
      "filter: uuids: Not a valid list.",
      "filter: severity: 0: Must be greater than or equal to 0 and less than or equal to 7.",
    ]);
    expect((await api.as("a1").del({ filter: { externalId: "indicator--0" } })).json.data.affected).toBe(1);
    expect((await api.as("a1").del({ filter: { accountIds: [other], externalId: "indicator--1" } })).status).toBe(403);
    expect(sim.iocs()).toHaveLength(3);
  });
});
