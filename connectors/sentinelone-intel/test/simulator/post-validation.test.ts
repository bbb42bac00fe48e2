import { describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, DEFAULT_SITE_ID, IOCS_PATH } from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, ips, type Json, startSim } from "./helpers.js";

const ENUM_MSG = "Must be one of: DNS, IPV4, IPV6, MD5, SHA1, SHA256, URL.";

function details(r: { json: Json }): string[] {
  return r.json.errors.map((e: { detail: string }) => e.detail);
}

describe("POST validation envelope (§2.2, §9.4)", () => {
  it("answers 400 4000010 'Validation Error' naming the failing item index and field", async () => {
    const { api } = await startSim();
    const data = ips(3);
    data[1] = { ...data[1], type: "ipv4" };
    const r = await api.post({ filter: ACCOUNT_FILTER, data });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      errors: [{ code: 4000010, title: "Validation Error", detail: `data: 1: type: ${ENUM_MSG}` }],
    });
  });

  it("rejects the whole batch when Json item is invalid: nothing is stored", async () => {
    const { api, sim } = await startSim();
    const data = ips(5);
    data[4] = { ...data[4], value: "999.1.1.1" };
    const r = await api.post({ filter: ACCOUNT_FILTER, data });
    expect(r.status).toBe(400);
    expect(details(r)).toEqual(["data: 4: value: Not a valid IPv4 address."]);
    expect(sim.iocs()).toHaveLength(0);
    expect(sim.stats().iocsCreated).toBe(0);
  });

  it("reports every invalid item, in item order", async () => {
    const { api } = await startSim();
    const data = ips(4);
    data[0] = { value: "1.1.1.1", source: "s" };
    data[2] = { type: "IPV4", source: "s" };
    data[3] = { type: "IPV4", value: "1.1.1.1" };
    const r = await api.post({ filter: ACCOUNT_FILTER, data });
    expect(details(r)).toEqual([
      "data: 0: type: Missing data for required field.",
      "data: 2: value: Missing data for required field.",
      "data: 3: source: Missing data for required field.",
    ]);
  });

  it("400s when data is missing, null or not a list, and when the body is not a JSON object", async () => {
    const { api } = await startSim();
    expect(details(await api.post({ filter: ACCOUNT_FILTER }))).toEqual(["data: Missing data for required field."]);
    expect(details(await api.post({ filter: ACCOUNT_FILTER, data: null }))).toEqual([
      "data: Missing data for required field.",
    ]);
    expect(details(await api.post({ filter: ACCOUNT_FILTER, data: { type: "IPV4" } }))).toEqual([
      "data: Not a valid list.",
    ]);
    expect(details(await api.post([1, 2]))).toEqual(["_schema: Invalid input type."]);
    const bad = await api.post("{not json");
    expect(bad.status).toBe(400);
    expect(details(bad)).toEqual(["Invalid JSON body."]);
    const notObjectItem = await api.post({ filter: ACCOUNT_FILTER, data: ["1.1.1.1"] });
    expect(details(notObjectItem)).toEqual(["data: 0: _schema: Invalid input type."]);
  });

  it("requires a JSON content type", async () => {
    const { api } = await startSim();
    const r = await api.raw("POST", IOCS_PATH, JSON.stringify({ filter: ACCOUNT_FILTER, data: ips(1) }), {
      "content-type": "text/plain",
    });
    expect(r.status).toBe(400);
    const ok = await api.raw(
      "POST",
      IOCS_PATH,
      { filter: ACCOUNT_FILTER, data: ips(1) },
      {
        "content-type": "application/json; charset=utf-8",
      },
    );
    expect(ok.status).toBe(200);
  });

  it("checks the enums, EQUALS method and the severity / originalRiskScore ranges", async () => {
    const { api } = await startSim();
    const base = { type: "IPV4", value: "192.0.2.1", source: "s" };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, type: "IP" }, `data: 0: type: ${ENUM_MSG}`],
      [{ ...base, type: null }, "data: 0: type: Field may not be null."],
      [{ ...base, method: "EXACT" }, "data: 0: method: Must be one of: EQUALS."],
      [{ ...base, severity: 8 }, "data: 0: severity: Must be greater than or equal to 0 and less than or equal to 7."],
      [{ ...base, severity: -1 }, "data: 0: severity: Must be greater than or equal to 0 and less than or equal to 7."],
      [{ ...base, severity: 2.5 }, "data: 0: severity: Not a valid integer."],
      [
        { ...base, originalRiskScore: 101 },
        "data: 0: originalRiskScore: Must be greater than or equal to 0 and less than or equal to 100.",
      ],
      [{ ...base, originalRiskScore: "high" }, "data: 0: originalRiskScore: Not a valid integer."],
      [{ ...base, value: 17 }, "data: 0: value: Not a valid string."],
      [{ ...base, source: "" }, "data: 0: source: Shorter than minimum length 1."],
      [{ ...base, name: null }, "data: 0: name: Field may not be null."],
      [{ ...base, labels: "x" }, "data: 0: labels: Not a valid list."],
      [{ ...base, labels: ["ok", 3] }, "data: 0: labels: 1: Not a valid string."],
      [{ ...base, category: "threats" }, "data: 0: category: Not a valid list."],
      [
        { ...base, threatActorTypes: ["Pirate"] },
        expect.stringMatching(/^data: 0: threatActorTypes: 0: Must be one of: /),
      ],
      [{ ...base, validUntil: "next week" }, "data: 0: validUntil: Not a valid datetime."],
      [{ ...base, creationTime: "2026-02-30T00:00:00Z" }, "data: 0: creationTime: Not a valid datetime."],
      [{ ...base, unknownKey: 1 }, "data: 0: unknownKey: Unknown field."],
      [
        { ...base, labels: Array.from({ length: 5001 }, () => "l") },
        "data: 0: labels: Longer than maximum length 5000.",
      ],
    ];
    for (const [item, detail] of cases) {
      const r = await api.post({ filter: ACCOUNT_FILTER, data: [item] });
      expect(r.status, JSON.stringify(item).slice(0, 80)).toBe(400);
      expect(details(r)).toEqual([detail]);
    }
  });

  it("coerces integer strings for severity / originalRiskScore and accepts nullable fields as null", async () => {
    const { api } = await startSim();
    const r = await api.post({
      filter: ACCOUNT_FILTER,
      data: [
        {
          type: "IPV4",
          value: "192.0.2.1",
          source: "s",
          originalRiskScore: "90",
          severity: 7,
          description: null,
          method: null,
        },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.data[0]).toMatchObject({ originalRiskScore: 90, severity: 7, description: null, method: "EQUALS" });
  });

  it("refuses the three empty-file hashes as hashes_empty_file, in Json case", async () => {
    const { api, sim } = await startSim();
    const empties: [string, string][] = [
      ["MD5", "d41d8cd98f00b204e9800998ecf8427e"],
      ["SHA1", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"],
      ["SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ];
    for (const [type, value] of empties) {
      const r = await api.post({ filter: ACCOUNT_FILTER, data: [{ type, value, source: "s" }] });
      expect(r.status).toBe(400);
      expect(details(r)).toEqual(["data: 0: value: hashes_empty_file"]);
    }
    expect(sim.iocs()).toHaveLength(0);
  });

  it("checks hash hex and length per type, and IPv4 / IPv6 / URL / DNS syntax", async () => {
    const { api } = await startSim();
    const bad: [string, string, string][] = [
      ["MD5", "a".repeat(31), "Not a valid MD5 hash."],
      ["MD5", "g".repeat(32), "Not a valid MD5 hash."],
      ["SHA1", "a".repeat(64), "Not a valid SHA1 hash."],
      ["SHA256", "a".repeat(40), "Not a valid SHA256 hash."],
      ["IPV4", "192.168.1.256", "Not a valid IPv4 address."],
      ["IPV4", "192.168.01.1", "Not a valid IPv4 address."],
      ["IPV4", "10.0.0.0/8", "Not a valid IPv4 address."],
      ["IPV4", "::1", "Not a valid IPv4 address."],
      ["IPV6", "2001:db8::zz", "Not a valid IPv6 address."],
      ["IPV6", "fe80::1%eth0", "Not a valid IPv6 address."],
      ["URL", "http://exa mple.com/", "Not a valid URL."],
      ["URL", "http://", "Not a valid URL."],
      ["URL", "", "Shorter than minimum length 1."],
      ["DNS", "localhost", "Not a valid domain name."],
      ["DNS", "-bad.example.com", "Not a valid domain name."],
      ["DNS", "http://example.com", "Not a valid domain name."],
      ["DNS", "*.example.com", "Not a valid domain name."],
    ];
    for (const [type, value, message] of bad) {
      const r = await api.post({ filter: ACCOUNT_FILTER, data: [{ type, value, source: "s" }] });
      expect(details(r), `${type} ${value}`).toEqual([`data: 0: value: ${message}`]);
    }
    const good: [string, string][] = [
      ["MD5", "D41D8CD98F00B204E9800998ECF8427F"],
      ["SHA1", "a".repeat(40)],
      ["SHA256", "0".repeat(63) + "1"],
      ["IPV4", "203.0.113.7"],
      ["IPV6", "2001:db8::1"],
      ["IPV6", "::ffff:192.0.2.1"],
      ["URL", "https://example.com/path?q=1"],
      ["URL", "example.com/malware.exe"],
      ["DNS", "sub.example.co.uk"],
      ["DNS", "xn--bcher-kva.example."],
    ];
    const r = await api.post({
      filter: ACCOUNT_FILTER,
      data: good.map(([type, value]) => ({ type, value, source: "s" })),
    });
    expect(r.status).toBe(200);
    expect(r.json.data.map((d: { value: string }) => d.value)).toEqual(good.map(([, v]) => v));
  });

  it("skips format checks with validateValues: false but still refuses empty-file hashes", async () => {
    const { api } = await startSim({ validateValues: false });
    expect(
      (await api.post({ filter: ACCOUNT_FILTER, data: [{ type: "IPV4", value: "not-an-ip", source: "s" }] })).status,
    ).toBe(200);
    const r = await api.post({
      filter: ACCOUNT_FILTER,
      data: [{ type: "MD5", value: "d41d8cd98f00b204e9800998ecf8427e", source: "s" }],
    });
    expect(details(r)).toEqual(["data: 0: value: hashes_empty_file"]);
  });

  it("accepts unknown item keys in non-strict mode", async () => {
    const { api } = await startSim({ strict: false });
    const r = await api.post({ filter: ACCOUNT_FILTER, extra: 1, data: [{ ...ips(1)[0], confidence: 80 }] });
    expect(r.status).toBe(200);
    expect(r.json.data[0].confidence).toBeUndefined();
  });

  it("enforces maxItemsPerRequest when configured", async () => {
    const { api, sim } = await startSim({ maxItemsPerRequest: 1000 });
    expect((await api.post({ filter: ACCOUNT_FILTER, data: ips(1000) })).status).toBe(200);
    const r = await api.post({ filter: ACCOUNT_FILTER, data: ips(1001) });
    expect(r.status).toBe(400);
    expect(details(r)).toEqual(["data: Longer than maximum length 1000."]);
    expect(sim.iocs()).toHaveLength(1000);
  });
});

describe("POST scope filter (§2.1, §6, §9.4)", () => {
  it("400s empty, too long, non-integer and too small id lists", async () => {
    const { api } = await startSim();
    const cases: [Record<string, unknown>, string][] = [
      [{ accountIds: [] }, "filter: accountIds: Length must be between 1 and 500."],
      [
        { siteIds: Array.from({ length: 501 }, () => DEFAULT_SITE_ID) },
        "filter: siteIds: Length must be between 1 and 500.",
      ],
      [{ siteIds: ["12345"] }, "filter: siteIds: 0: Must be greater than or equal to 100000000000000000."],
      [
        { groupIds: [DEFAULT_SITE_ID, 42] },
        "filter: groupIds: 1: Must be greater than or equal to 100000000000000000.",
      ],
      [{ accountIds: ["abc"] }, "filter: accountIds: 0: Not a valid integer."],
      [{ accountIds: DEFAULT_ACCOUNT_ID }, "filter: accountIds: Not a valid list."],
      [{ accountIds: [DEFAULT_ACCOUNT_ID], tenant: "maybe" }, "filter: tenant: Not a valid boolean."],
      [{ accountIds: [DEFAULT_ACCOUNT_ID], foo: 1 }, "filter: foo: Unknown field."],
    ];
    for (const [filter, detail] of cases) {
      const r = await api.post({ filter, data: ips(1) });
      expect(r.status, JSON.stringify(filter).slice(0, 60)).toBe(400);
      expect(details(r)).toEqual([detail]);
    }
    expect(details(await api.post({ filter: "acct", data: ips(1) }))).toEqual(["filter: Invalid input type."]);
  });

  it("accepts ids as strings or JSON integers (kept exact past 2^53) and tenant as bool or string", async () => {
    const { api } = await startSim();
    const body = `{"filter":{"tenant":"false","accountIds":[${DEFAULT_ACCOUNT_ID}]},"data":[{"type":"IPV4","value":"192.0.2.9","source":"s"}]}`;
    const r = await api.post(body);
    expect(r.status).toBe(200);
    expect(r.json.data[0].scopeId).toBe(DEFAULT_ACCOUNT_ID);
    for (const tenant of [false, "false", "False", "0"]) {
      const r2 = await api.post({ filter: { tenant, accountIds: [DEFAULT_ACCOUNT_ID] }, data: ips(1) });
      expect(r2.status, String(tenant)).toBe(200);
    }
  });

  it("answers 500 without a usable scope, or 400 with noScopeStatus: 400", async () => {
    const { api, sim } = await startSim();
    for (const filter of [undefined, {}, { tenant: false }]) {
      const r = await api.post({ ...(filter ? { filter } : {}), data: ips(1) });
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ errors: [{ code: 5000010, detail: null, title: "Server Error" }] });
    }
    expect(sim.iocs()).toHaveLength(0);
    const strict = await startSim({ noScopeStatus: 400 });
    const r = await strict.api.post({ data: ips(1) });
    expect(r.status).toBe(400);
    expect(r.json.errors[0].code).toBe(4000010);
  });

  it("validates items before the scope: an invalid batch without scope is a 400", async () => {
    const { api } = await startSim();
    const r = await api.post({ data: [{ type: "X", value: "1", source: "s" }] });
    expect(r.status).toBe(400);
  });

  it("rejects accountIds together with siteIds unless the option is off", async () => {
    const { api } = await startSim();
    const filter = { accountIds: [DEFAULT_ACCOUNT_ID], siteIds: [DEFAULT_SITE_ID] };
    const r = await api.post({ filter, data: ips(1) });
    expect(r.status).toBe(400);
    expect(details(r)).toEqual(["filter: accountIds and siteIds cannot be used together."]);
    const lenient = await startSim({ rejectAccountAndSite: false });
    const ok = await lenient.api.post({ filter, data: ips(1) });
    expect(ok.status).toBe(200);
    expect(ok.json.data[0]).toMatchObject({ scope: "site", scopeId: DEFAULT_SITE_ID });
  });
});
