import { describe, expect, it } from "vitest";
import { ACCOUNT_FILTER, startSim } from "./helpers.js";

let now = Date.UTC(2026, 4, 1);
const clock = () => now;
const item = (extra: Record<string, unknown> = {}) => ({
  type: "DNS",
  value: "evil.example",
  source: "feed",
  externalId: "indicator--a",
  ...extra,
});

describe("same value twice (§8, §9.10)", () => {
  it("duplicates by default: new uuid and batchId each POST", async () => {
    const { api, sim } = await startSim();
    const a = (await api.post({ filter: ACCOUNT_FILTER, data: [item()] })).json.data[0];
    const b = (await api.post({ filter: ACCOUNT_FILTER, data: [item()] })).json.data[0];
    expect(b.uuid).not.toBe(a.uuid);
    expect(b.batchId).not.toBe(a.batchId);
    expect(sim.iocs()).toHaveLength(2);
    expect((await api.get({ value: "evil.example" })).json.pagination.totalItems).toBe(2);
    expect(sim.stats()).toMatchObject({ iocsCreated: 2, iocsUpdated: 0 });
  });

  it("upsert_by_type_value_scope keeps uuid and uploadTime, refreshes updatedAt, validUntil and sent fields", async () => {
    now = Date.UTC(2026, 4, 1);
    const { api, sim } = await startSim({ dedupMode: "upsert_by_type_value_scope", now: clock });
    const a = (await api.post({ filter: ACCOUNT_FILTER, data: [item({ name: "first", labels: ["x"] })] })).json.data[0];
    now += 86_400_000;
    const b = (await api.post({ filter: ACCOUNT_FILTER, data: [item({ name: "second", externalId: "indicator--b" })] }))
      .json.data[0];
    expect(b.uuid).toBe(a.uuid);
    expect(b.uploadTime).toBe(a.uploadTime);
    expect(b.updatedAt).toBe("2026-05-02T00:00:00.000000Z");
    expect(b.validUntil).toBe("2026-07-31T00:00:00.000000Z"); // 90 days after the second upload
    expect(b).toMatchObject({ name: "second", labels: ["x"], externalId: "indicator--b" });
    expect(b.batchId).not.toBe(a.batchId);
    expect(sim.iocs()).toEqual([b]);
    expect((await api.get({ externalId: "indicator--a" })).json.pagination.totalItems).toBe(0);
    expect((await api.get({ externalId: "indicator--b" })).json.data[0].uuid).toBe(a.uuid);
    // Another type or another scope is another record.
    await api.post({ filter: ACCOUNT_FILTER, data: [item({ type: "URL" })] });
    await api.post({ filter: { siteIds: ["2000000000000000001"] }, data: [item()] });
    expect(sim.iocs()).toHaveLength(3);
    expect(sim.stats()).toMatchObject({ iocsCreated: 3, iocsUpdated: 1 });
  });

  it("upsert_by_externalId_scope matches on externalId; items without one are always created", async () => {
    const { api, sim } = await startSim({ dedupMode: "upsert_by_externalId_scope" });
    const a = (await api.post({ filter: ACCOUNT_FILTER, data: [item()] })).json.data[0];
    const b = (await api.post({ filter: ACCOUNT_FILTER, data: [item({ value: "other.example" })] })).json.data[0];
    expect(b.uuid).toBe(a.uuid);
    expect(b.value).toBe("other.example");
    expect((await api.get({ value: "evil.example" })).json.pagination.totalItems).toBe(0);
    const noId = { type: "DNS", value: "x.example", source: "feed" };
    await api.post({ filter: ACCOUNT_FILTER, data: [noId, noId] });
    expect(sim.iocs()).toHaveLength(3);
  });

  it("can be switched at runtime", async () => {
    const { api, sim } = await startSim();
    sim.setDedupMode("upsert_by_type_value_scope");
    await api.post({ filter: ACCOUNT_FILTER, data: [item(), item()] });
    expect(sim.iocs()).toHaveLength(1);
  });
});
