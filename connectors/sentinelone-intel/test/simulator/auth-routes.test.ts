import { describe, expect, it } from "vitest";
import { AUTH_FAILED_BODY, DEFAULT_ACCOUNT_ID, IOCS_PATH, MULTI_SCOPE_BODY } from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, ips, startSim } from "./helpers.js";

describe("routes (§9.1)", () => {
  it("serves the four TI operations and 404s other paths, including a double slash", async () => {
    const { api } = await startSim();
    expect((await api.get()).status).toBe(200);
    expect((await api.post({ filter: ACCOUNT_FILTER, data: ips(1) })).status).toBe(200);
    expect((await api.stix({ filter: ACCOUNT_FILTER, bundle: { objects: [{ type: "note" }] } })).status).toBe(200);
    expect((await api.del({ filter: { externalId: "nope" } })).status).toBe(200);

    for (const path of [
      `/${IOCS_PATH}`, // //web/api/... from an un-stripped base URL
      `${IOCS_PATH}/`,
      "/web/api/v2.0/threat-intelligence/iocs",
      "/web/api/v2.1/threat-intelligence/user-config",
      "/",
      "/__sim/stats", // control routes are off by default
    ]) {
      const r = await api.raw("GET", path);
      expect(r.status, path).toBe(404);
      expect(r.json.errors[0].code).toBe(4040010);
    }
  });

  it("answers 405 for a method the path does not support", async () => {
    const { api } = await startSim();
    const r = await api.raw("PUT", IOCS_PATH, { data: [] });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET, POST, DELETE");
    expect((await api.raw("GET", `${IOCS_PATH}/stix`)).status).toBe(405);
  });
});

describe("auth (§1.1, §9.2)", () => {
  it("accepts ApiToken / APIToken / apitoken schemes", async () => {
    const { api } = await startSim();
    for (const scheme of ["ApiToken", "APIToken", "apitoken"]) {
      const r = await api.raw("GET", IOCS_PATH, undefined, { authorization: `${scheme} s1-test-api-key` });
      expect(r.status, scheme).toBe(200);
    }
  });

  it("answers 401 with the observed body for a missing header, another scheme, or an unknown token", async () => {
    const { api } = await startSim();
    const cases: Record<string, string>[] = [
      {},
      { authorization: "Bearer s1-test-api-key" },
      { authorization: "Token s1-test-api-key" },
      { authorization: "ApiToken" },
      { authorization: "ApiToken wrong-key" },
      { authorization: "s1-test-api-key" },
    ];
    for (const headers of cases) {
      const r = await api.as(null).raw("GET", IOCS_PATH, undefined, headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.text).toBe('{"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]}');
      expect(r.json).toEqual(AUTH_FAILED_BODY);
    }
    const post = await api.as("nope").post({ filter: ACCOUNT_FILTER, data: ips(1) });
    expect(post.status).toBe(401);
  });
});

describe("token scopes (§9.3)", () => {
  it("refuses a multi-scope token with 403 4030010 on every TI method", async () => {
    const { api, sim } = await startSim({
      tokens: {
        multi: { user: "multi@example.com", scope: "multi", accountIds: [DEFAULT_ACCOUNT_ID, "1000000000000000002"] },
      },
    });
    const m = api.as("multi");
    const results = [
      await m.get({ accountIds: DEFAULT_ACCOUNT_ID }),
      await m.post({ filter: ACCOUNT_FILTER, data: ips(1) }),
      await m.stix({ filter: ACCOUNT_FILTER, bundle: { objects: [{ type: "note" }] } }),
      await m.del({ filter: { accountIds: [DEFAULT_ACCOUNT_ID], externalId: "x" } }),
    ];
    for (const r of results) {
      expect(r.status).toBe(403);
      expect(r.text).toBe(
        `{"errors":[{"code":4030010,"detail":null,"title":"This page doesn't support multi-scopes users yet"}]}`,
      );
      expect(r.json).toEqual(MULTI_SCOPE_BODY);
    }
    expect(sim.iocs()).toHaveLength(0);
  });

  it("403s scope ids the token cannot see and tenant=true from a non-global token", async () => {
    const { api, sim } = await startSim();
    const other = await api.post({ filter: { accountIds: ["1000000000000000099"] }, data: ips(1) });
    expect(other.status).toBe(403);
    expect(other.json.errors[0].code).toBe(4030010);
    const site = await api.post({ filter: { siteIds: ["2000000000000000099"] }, data: ips(1) });
    expect(site.status).toBe(403);
    const tenant = await api.post({ filter: { tenant: true }, data: ips(1) });
    expect(tenant.status).toBe(403);
    expect((await api.get({ accountIds: "1000000000000000099" })).status).toBe(403);
    expect((await api.get({ tenant: true })).status).toBe(403);
    expect(sim.iocs()).toHaveLength(0);
  });

  it("lets a global token write at tenant scope", async () => {
    const { api } = await startSim({ tokens: { g: { user: "root@example.com", scope: "global" } } });
    const r = await api.as("g").post({ filter: { tenant: "true" }, data: ips(1) });
    expect(r.status).toBe(200);
    expect(r.json.data[0]).toMatchObject({ scope: "global", scopeId: null, parentScopeId: null });
  });
});
