import { describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, DEFAULT_GROUP_ID, DEFAULT_SITE_ID, DEFAULT_USER } from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, HEX32, type Json, S1_TIME, startSim } from "./helpers.js";

const NOW = Date.UTC(2026, 0, 15, 12, 30, 45, 123); // 2026-01-15T12:30:45.123Z
const fixedClock = () => NOW;
const plusDays = (days: number) => new Date(NOW + days * 86_400_000).toISOString().replace("Z", "000Z");

describe("stored record (§2.4, §9.5)", () => {
  it("has every input field, the defaults, server fields, and no keys the request did not set", async () => {
    const { api, sim } = await startSim({ now: fixedClock });
    const r = await api.post({
      filter: ACCOUNT_FILTER,
      data: [
        { type: "SHA256", value: "a".repeat(64), source: "Test", name: "n1", creator: "joe@test.com" },
        {
          type: "URL",
          value: "https://evil.example/x",
          source: "Test",
          externalId: "indicator--1",
          labels: ["a"],
          severity: 3,
          originalRiskScore: 80,
          pattern: "[url:value = 'https://evil.example/x']",
          patternType: "stix",
          category: ["threats"],
          metadata: "m",
          creationTime: "2025-12-01T00:00:00Z",
          malwareNames: ["m1"],
          campaignNames: ["c1"],
          threatActors: ["t1"],
          threatActorTypes: ["APT"],
          intrusionSets: ["i1"],
          mitreTactic: ["TA0001"],
          reference: ["https://ref"],
          description: "d",
        },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.errors).toBeNull();
    const [a, b] = r.json.data;
    expect(Object.keys(a).sort()).toEqual(
      [
        "batchId",
        "category",
        "creationTime",
        "creator",
        "intrusionSets",
        "metadata",
        "method",
        "mitreTactic",
        "name",
        "parentScopeId",
        "reference",
        "scope",
        "scopeId",
        "source",
        "threatActors",
        "type",
        "updatedAt",
        "uploadTime",
        "uuid",
        "validUntil",
        "value",
      ].sort(),
    );
    expect(a).toMatchObject({
      category: [],
      creationTime: null,
      creator: DEFAULT_USER, // the token's user, not the one sent
      intrusionSets: [],
      metadata: "",
      method: "EQUALS",
      mitreTactic: [],
      reference: [],
      threatActors: [],
      scope: "account",
      scopeId: DEFAULT_ACCOUNT_ID,
      parentScopeId: null,
      uploadTime: "2026-01-15T12:30:45.123000Z",
      updatedAt: "2026-01-15T12:30:45.123000Z",
    });
    expect(a.uuid).toMatch(HEX32);
    expect(a.batchId).toMatch(HEX32);
    expect(b.batchId).toBe(a.batchId);
    expect(b.uuid).not.toBe(a.uuid);
    expect(b).toMatchObject({
      externalId: "indicator--1",
      labels: ["a"],
      severity: 3,
      originalRiskScore: 80,
      pattern: "[url:value = 'https://evil.example/x']",
      patternType: "stix",
      category: ["threats"],
      metadata: "m",
      creationTime: "2025-12-01T00:00:00.000000Z",
      malwareNames: ["m1"],
      campaignNames: ["c1"],
      threatActors: ["t1"],
      threatActorTypes: ["APT"],
      intrusionSets: ["i1"],
      mitreTactic: ["TA0001"],
      reference: ["https://ref"],
      description: "d",
    });
    expect(sim.iocs()).toEqual(r.json.data);
    // A second POST is a new batch.
    const r2 = await api.post({ filter: ACCOUNT_FILTER, data: [{ type: "IPV4", value: "192.0.2.1", source: "s" }] });
    expect(r2.json.data[0].batchId).not.toBe(a.batchId);
    expect(r2.json.data[0].uploadTime).toMatch(S1_TIME);
  });

  it("defaults validUntil per type: 14 days for IPs (IPv6 too), 90 for URL/DNS, 180 for hashes", async () => {
    const { api } = await startSim({ now: fixedClock });
    const data = [
      { type: "IPV4", value: "192.0.2.1" },
      { type: "IPV6", value: "2001:db8::1" },
      { type: "URL", value: "http://a.example/" },
      { type: "DNS", value: "a.example" },
      { type: "MD5", value: "1".repeat(32) },
      { type: "SHA1", value: "1".repeat(40) },
      { type: "SHA256", value: "1".repeat(64) },
    ].map((d) => ({ ...d, source: "s" }));
    const r = await api.post({ filter: ACCOUNT_FILTER, data });
    expect(r.json.data.map((d: { validUntil: string }) => d.validUntil)).toEqual([
      plusDays(14),
      plusDays(14),
      plusDays(90),
      plusDays(90),
      plusDays(180),
      plusDays(180),
      plusDays(180),
    ]);
  });

  it("clamps validUntil to 30 days for IPs, 180 for URL/DNS and hashes, and keeps earlier values", async () => {
    const { api } = await startSim({ now: fixedClock });
    const far = "2099-01-01T00:00:00Z";
    const data = [
      { type: "IPV4", value: "192.0.2.1", validUntil: far },
      { type: "IPV6", value: "2001:db8::1", validUntil: far },
      { type: "URL", value: "http://a.example/", validUntil: far },
      { type: "DNS", value: "a.example", validUntil: far },
      { type: "SHA256", value: "1".repeat(64), validUntil: far },
      { type: "IPV4", value: "192.0.2.2", validUntil: "2026-01-20T08:00:00.5Z" },
    ].map((d) => ({ ...d, source: "s" }));
    const r = await api.post({ filter: ACCOUNT_FILTER, data });
    expect(r.json.data.map((d: { validUntil: string }) => d.validUntil)).toEqual([
      plusDays(30),
      plusDays(30),
      plusDays(180),
      plusDays(180),
      plusDays(180),
      "2026-01-20T08:00:00.500000Z",
    ]);
  });

  it("accepts the date forms seen in the wild for validUntil", async () => {
    const { api } = await startSim({ now: fixedClock });
    const forms: [unknown, string][] = [
      ["2026-01-20T08:00:00.257525Z", "2026-01-20T08:00:00.257525Z"],
      ["2026-01-20T08:00:00Z", "2026-01-20T08:00:00.000000Z"],
      ["2026-01-20 08:00:00.779000", "2026-01-20T08:00:00.779000Z"],
      ["2026-01-20T08:00:00.1234567Z", "2026-01-20T08:00:00.123456Z"],
      ["2026-01-20T10:00:00+02:00", "2026-01-20T08:00:00.000000Z"],
      ["2026-01-20T08:00:00.000Z", "2026-01-20T08:00:00.000000Z"],
      [Date.UTC(2026, 0, 20, 8), "2026-01-20T08:00:00.000000Z"],
    ];
    const r = await api.post({
      filter: ACCOUNT_FILTER,
      data: forms.map(([validUntil], i) => ({ type: "IPV4", value: `192.0.2.${i + 1}`, source: "s", validUntil })),
    });
    expect(r.status).toBe(200);
    expect(r.json.data.map((d: { validUntil: string }) => d.validUntil)).toEqual(forms.map(([, out]) => out));
  });

  it("creates one record per scope id, item-major in request order, with scope / scopeId / parentScopeId", async () => {
    const second = "1000000000000000002";
    const { api } = await startSim({
      now: fixedClock,
      tokens: {
        t: {
          user: "u@example.com",
          scope: "account",
          accountIds: [DEFAULT_ACCOUNT_ID, second],
        },
      },
      topology: { sites: { [DEFAULT_SITE_ID]: DEFAULT_ACCOUNT_ID }, groups: { [DEFAULT_GROUP_ID]: DEFAULT_SITE_ID } },
    });
    const t = api.as("t");
    const r = await t.post({
      filter: { accountIds: [DEFAULT_ACCOUNT_ID, second] },
      data: [
        { type: "IPV4", value: "192.0.2.1", source: "s" },
        { type: "IPV4", value: "192.0.2.2", source: "s" },
      ],
    });
    expect(r.json.data.map((d: Json) => [d.value, d.scope, d.scopeId, d.parentScopeId])).toEqual([
      ["192.0.2.1", "account", DEFAULT_ACCOUNT_ID, null],
      ["192.0.2.1", "account", second, null],
      ["192.0.2.2", "account", DEFAULT_ACCOUNT_ID, null],
      ["192.0.2.2", "account", second, null],
    ]);
    const site = await t.post({
      filter: { siteIds: [DEFAULT_SITE_ID] },
      data: [{ type: "IPV4", value: "192.0.2.3", source: "s" }],
    });
    expect(site.json.data[0]).toMatchObject({
      scope: "site",
      scopeId: DEFAULT_SITE_ID,
      parentScopeId: DEFAULT_ACCOUNT_ID,
    });
    const group = await t.post({
      filter: { groupIds: [DEFAULT_GROUP_ID], siteIds: [DEFAULT_SITE_ID] },
      data: [{ type: "IPV4", value: "192.0.2.4", source: "s" }],
    });
    expect(group.json.data[0]).toMatchObject({
      scope: "group",
      scopeId: DEFAULT_GROUP_ID,
      parentScopeId: DEFAULT_ACCOUNT_ID,
    });
  });

  it("derives the default token's site and group topology", async () => {
    const { api } = await startSim();
    const r = await api.post({
      filter: { groupIds: [DEFAULT_GROUP_ID] },
      data: [{ type: "DNS", value: "x.example", source: "s" }],
    });
    expect(r.json.data[0]).toMatchObject({
      scope: "group",
      scopeId: DEFAULT_GROUP_ID,
      parentScopeId: DEFAULT_ACCOUNT_ID,
    });
  });
});
