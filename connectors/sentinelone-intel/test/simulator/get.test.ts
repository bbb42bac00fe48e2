import { describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, DEFAULT_SITE_ID } from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, ips, type Json, startSim } from "./helpers.js";

async function seeded(count: number, options = {}) {
  const started = await startSim(options);
  const r = await started.api.post({ filter: ACCOUNT_FILTER, data: ips(count, { name: "seed ioc" }) });
  expect(r.status).toBe(200);
  return { ...started, created: r.json.data as Json[] };
}

describe("GET paging (§4, §9.7)", () => {
  it("defaults to 10 items with totalItems and a base64 nextCursor", async () => {
    const { api, created } = await seeded(25);
    const r = await api.get();
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(["data", "errors", "pagination"]);
    expect(r.json.data).toHaveLength(10);
    expect(r.json.data).toEqual(created.slice(0, 10));
    expect(r.json.pagination.totalItems).toBe(25);
    expect(r.json.pagination.nextCursor).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  });

  it("follows nextCursor to the end: every record once, nextCursor null on the last page", async () => {
    const { api, created } = await seeded(2345);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await api.get({ limit: 1000, accountIds: DEFAULT_ACCOUNT_ID, ...(cursor ? { cursor } : {}) });
      expect(r.status).toBe(200);
      expect(r.json.pagination.totalItems).toBe(2345);
      seen.push(...r.json.data.map((d: { uuid: string }) => d.uuid));
      cursor = r.json.pagination.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(created.map((d) => d.uuid));
  });

  it("gives nextCursor null when the page ends exactly at the last record", async () => {
    const { api } = await seeded(20);
    const first = await api.get({ limit: 10 });
    const second = await api.get({ limit: 10, cursor: first.json.pagination.nextCursor });
    expect(second.json.data).toHaveLength(10);
    expect(second.json.pagination.nextCursor).toBeNull();
  });

  it("rejects an invalid cursor, or one from another listing, with 400 'Invalid cursor value received'", async () => {
    const { api } = await seeded(15);
    const good = (await api.get({ limit: 5 })).json.pagination.nextCursor as string;
    const forged = Buffer.from(JSON.stringify({ v: 1, k: "0000000000000000", s: 3, n: 1 })).toString("base64");
    for (const cursor of ["garbage!!", "YWdlbnRfaWQ6NTgwMjkzODE=", forged]) {
      const r = await api.get({ cursor });
      expect(r.status, cursor).toBe(400);
      expect(r.json).toEqual({
        errors: [{ code: 4000010, title: "Validation Error", detail: "Invalid cursor value received" }],
      });
    }
    expect((await api.get({ cursor: good, type: "URL" })).status).toBe(400);
    // The same cursor may be retried (a GET retry), and the limit may change between pages.
    expect((await api.get({ cursor: good, limit: 5 })).status).toBe(200);
    const retry = await api.get({ cursor: good, limit: 7 });
    expect(retry.status).toBe(200);
    expect(retry.json.data).toHaveLength(7);
  });

  it("refuses a reused cursor with singleUseCursors", async () => {
    const { api } = await seeded(15, { singleUseCursors: true });
    const cursor = (await api.get({ limit: 5 })).json.pagination.nextCursor as string;
    expect((await api.get({ cursor })).status).toBe(200);
    const again = await api.get({ cursor });
    expect(again.status).toBe(400);
    expect(again.json.errors[0].detail).toBe("Invalid cursor value received");
  });

  it("validates limit 1..1000, skip 0..1000, type, sortBy and booleans", async () => {
    const { api } = await seeded(1);
    const cases: [Record<string, string | number>, string][] = [
      [{ limit: 0 }, "limit: Must be greater than or equal to 1 and less than or equal to 1000."],
      [{ limit: 1001 }, "limit: Must be greater than or equal to 1 and less than or equal to 1000."],
      [{ limit: "ten" }, "limit: Not a valid integer."],
      [{ skip: 1001 }, "skip: Must be greater than or equal to 0 and less than or equal to 1000."],
      [{ skip: -1 }, "skip: Must be greater than or equal to 0 and less than or equal to 1000."],
      [{ type: "ipv4" }, "type: Must be one of: DNS, IPV4, IPV6, MD5, SHA1, SHA256, URL."],
      [{ countOnly: "perhaps" }, "countOnly: Not a valid boolean."],
      [{ sortBy: "value" }, "sortBy: Must be one of: id, creationTime, uploadTime, updatedAt, source, type."],
      [{ accountIds: "42" }, "accountIds: 0: Must be greater than or equal to 100000000000000000."],
      [{ name__contains: "a" }, "name__contains: 0: Shorter than minimum length 2."],
    ];
    for (const [query, detail] of cases) {
      const r = await api.get(query);
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.json.errors.map((e: { detail: string }) => e.detail)).toEqual([detail]);
    }
  });

  it("supports skip, countOnly, skipCount and sortOrder=desc", async () => {
    const { api, created } = await seeded(30);
    const skipped = await api.get({ skip: 25 });
    expect(skipped.json.data).toEqual(created.slice(25));
    expect(skipped.json.pagination).toEqual({ totalItems: 30, nextCursor: null });
    const count = await api.get({ countOnly: true });
    expect(count.json).toEqual({ data: [], pagination: { totalItems: 30, nextCursor: null }, errors: null });
    const noCount = await api.get({ skipCount: true, limit: 5 });
    expect(noCount.json.pagination.totalItems).toBeUndefined();
    expect(noCount.json.data).toHaveLength(5);
    const desc = await api.get({ sortOrder: "desc", limit: 20 });
    expect(desc.json.data.map((d: Json) => d.uuid)).toEqual(
      created
        .slice(10)
        .reverse()
        .map((d) => d.uuid),
    );
    const rest = await api.get({ sortOrder: "desc", limit: 20, cursor: desc.json.pagination.nextCursor });
    expect(rest.json.data.map((d: Json) => d.uuid)).toEqual(
      created
        .slice(0, 10)
        .reverse()
        .map((d) => d.uuid),
    );
    const bySource = await api.get({ sortBy: "source", limit: 20 });
    const bySourceRest = await api.get({ sortBy: "source", limit: 20, cursor: bySource.json.pagination.nextCursor });
    expect(bySource.json.data.length + bySourceRest.json.data.length).toBe(30);
    expect(bySourceRest.json.pagination.nextCursor).toBeNull();
  });
});

describe("GET filters (§4.1)", () => {
  it("filters by value, type, externalId, batchId, uuids csv, source csv (when honoured) and name__contains", async () => {
    const { api } = await startSim({ honourSourceOnGet: true });
    const a = (await api.post({ filter: ACCOUNT_FILTER, data: ips(3, { source: "alpha", name: "Alpha Feed" }) })).json
      .data;
    const b = (
      await api.post({
        filter: ACCOUNT_FILTER,
        data: [
          { type: "DNS", value: "x.example", source: "beta", name: "beta one", externalId: "indicator--1" },
          { type: "URL", value: "http://x.example/", source: "gamma", name: "other" },
        ],
      })
    ).json.data;
    const values = async (q: Record<string, string>) =>
      (await api.get({ limit: 100, ...q })).json.data.map((d: { value: string }) => d.value);
    expect(await values({ value: "10.0.0.1" })).toEqual(["10.0.0.1"]);
    expect(await values({ type: "DNS" })).toEqual(["x.example"]);
    expect(await values({ externalId: "indicator--1" })).toEqual(["10.0.0.1", "x.example"]);
    expect(await values({ batchId: b[0].batchId })).toEqual(["x.example", "http://x.example/"]);
    expect(await values({ uuids: `${a[0].uuid},${b[1].uuid}` })).toEqual(["10.0.0.0", "http://x.example/"]);
    expect(await values({ source: "beta,gamma" })).toEqual(["x.example", "http://x.example/"]);
    expect(await values({ name__contains: "alpha" })).toEqual(["10.0.0.0", "10.0.0.1", "10.0.0.2"]);
    expect(await values({ name__contains: "one,other" })).toEqual(["x.example", "http://x.example/"]);
    expect(await values({ externalId: "indicator--1", type: "IPV4" })).toEqual(["10.0.0.1"]);
    expect(await values({ value: "nope" })).toEqual([]);
    const total = await api.get({ externalId: "indicator--1" });
    expect(total.json.pagination).toEqual({ totalItems: 2, nextCursor: null });
  });

  it("filters by accountIds / siteIds and limits a token to its own scope", async () => {
    const other = "1000000000000000002";
    const { api } = await startSim({
      tokens: {
        a1: { user: "a1@example.com", scope: "account", accountIds: [DEFAULT_ACCOUNT_ID], siteIds: [DEFAULT_SITE_ID] },
        a2: { user: "a2@example.com", scope: "account", accountIds: [other] },
        g: { user: "g@example.com", scope: "global" },
      },
    });
    await api.as("a1").post({ filter: ACCOUNT_FILTER, data: ips(2) });
    await api.as("a1").post({ filter: { siteIds: [DEFAULT_SITE_ID] }, data: ips(1, {}, 100) });
    await api.as("a2").post({ filter: { accountIds: [other] }, data: ips(4, {}, 200) });
    await api.as("g").post({ filter: { tenant: true }, data: ips(1, {}, 300) });
    const total = async (token: string, q: Record<string, string> = {}) =>
      (await api.as(token).get(q)).json.pagination.totalItems;
    expect(await total("a1")).toBe(3);
    expect(await total("a1", { accountIds: DEFAULT_ACCOUNT_ID })).toBe(3);
    expect(await total("a1", { siteIds: DEFAULT_SITE_ID })).toBe(1);
    expect(await total("a2")).toBe(4);
    expect(await total("g")).toBe(8);
    expect(await total("g", { accountIds: `${DEFAULT_ACCOUNT_ID},${other}` })).toBe(7);
    expect(await total("g", { tenant: "true" })).toBe(1);
    expect((await api.as("a2").get({ accountIds: DEFAULT_ACCOUNT_ID })).status).toBe(403);
  });
});
