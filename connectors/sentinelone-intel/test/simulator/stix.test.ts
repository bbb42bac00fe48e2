import { describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID, parseStixPattern } from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, type Json, startSim } from "./helpers.js";

const SHA = "b".repeat(64);

function indicator(id: string, pattern: string, extra: Record<string, unknown> = {}) {
  return {
    type: "indicator",
    spec_version: "2.1",
    id: `indicator--${id}`,
    created: "2026-01-01T00:00:00.000Z",
    modified: "2026-01-01T00:00:00.000Z",
    name: `ind ${id}`,
    pattern,
    pattern_type: "stix",
    valid_from: "2026-01-01T00:00:00.000Z",
    ...extra,
  };
}

describe("STIX endpoint (§3, §9.6)", () => {
  it("maps supported indicators and ignores everything else", async () => {
    const { api, sim } = await startSim();
    const objects = [
      { type: "identity", id: "identity--1", name: "ACME CTI", identity_class: "organization" },
      indicator("1", "[ipv4-addr:value = '198.51.100.7']", {
        created_by_ref: "identity--1",
        description: "d",
        labels: ["l1"],
        valid_until: "2026-02-01T00:00:00.000Z",
      }),
      indicator("2", `[file:hashes.'SHA-256' = '${SHA}']`),
      indicator("3", "[domain-name:value = 'bad.example']"),
      indicator("4", "[url:value = 'http://bad.example/it\\'s']"),
      indicator("5", "[ipv6-addr:value = '2001:db8::1']"), // no IPv6 STIX mapping
      indicator("6", "[ipv4-addr:value = '1.1.1.1' OR ipv4-addr:value = '2.2.2.2']"), // compound
      indicator("7", `[file:hashes.'SHA-512' = '${"c".repeat(128)}']`),
      indicator("8", "rule x { condition: true }", { pattern_type: "yara" }),
      { type: "malware", id: "malware--1", name: "EvilBot", is_family: true },
      { type: "threat-actor", id: "threat-actor--1", name: "APT Zero", threat_actor_types: ["nation-state"] },
      {
        type: "relationship",
        id: "relationship--1",
        relationship_type: "indicates",
        source_ref: "indicator--1",
        target_ref: "malware--1",
      },
      {
        type: "relationship",
        id: "relationship--2",
        relationship_type: "indicates",
        source_ref: "indicator--1",
        target_ref: "threat-actor--1",
      },
    ];
    const r = await api.stix({
      filter: { tenant: "false", accountIds: [Number(DEFAULT_ACCOUNT_ID.slice(0, 15))] },
      bundle: { objects },
    });
    // accountIds as a too-small number is a validation error; send the real id as a JSON integer instead.
    expect(r.status).toBe(400);
    const ok = await api.stix(
      `{"filter":{"tenant":"false","accountIds":[${DEFAULT_ACCOUNT_ID}]},"bundle":${JSON.stringify({ objects })}}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.json.errors).toBeNull();
    const data = ok.json.data;
    expect(data.map((d: Json) => [d.type, d.value, d.externalId])).toEqual([
      ["IPV4", "198.51.100.7", "indicator--1"],
      ["SHA256", SHA, "indicator--2"],
      ["DNS", "bad.example", "indicator--3"],
      ["URL", "http://bad.example/it's", "indicator--4"],
    ]);
    expect(data[0]).toMatchObject({
      name: "ind 1",
      description: "d",
      labels: ["l1"],
      source: "ACME CTI",
      validUntil: "2026-02-01T00:00:00.000000Z",
      creationTime: "2026-01-01T00:00:00.000000Z",
      pattern: "[ipv4-addr:value = '198.51.100.7']",
      patternType: "stix",
      malwareNames: ["EvilBot"],
      threatActors: ["APT Zero"],
      threatActorTypes: ["Nation-state"],
      scope: "account",
      scopeId: DEFAULT_ACCOUNT_ID,
      method: "EQUALS",
    });
    expect(data[1].source).toBe("STIX");
    expect(new Set(data.map((d: Json) => d.batchId)).size).toBe(1);
    expect(sim.iocs()).toHaveLength(4);
  });

  it("answers 200 with an empty list when nothing is supported", async () => {
    const { api } = await startSim();
    const r = await api.stix({ filter: ACCOUNT_FILTER, bundle: { objects: [{ type: "malware", id: "malware--1" }] } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: [], errors: null });
  });

  it("validates the bundle, the scope and the mapped values", async () => {
    const { api, sim } = await startSim({ stixDefaultSource: "OpenCTI" });
    const detail = async (body: unknown) => (await api.stix(body)).json.errors[0].detail;
    expect(await detail({ filter: ACCOUNT_FILTER })).toBe("bundle: Missing data for required field.");
    expect(await detail({ filter: ACCOUNT_FILTER, bundle: {} })).toBe(
      "bundle: objects: Missing data for required field.",
    );
    expect(await detail({ filter: ACCOUNT_FILTER, bundle: { objects: [] } })).toBe(
      "bundle: objects: Shorter than minimum length 1.",
    );
    const bad = await api.stix({
      filter: ACCOUNT_FILTER,
      bundle: { objects: [{ type: "note" }, indicator("1", "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']")] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].detail).toBe("bundle: objects: 1: value: hashes_empty_file");
    const noScope = await api.stix({ bundle: { objects: [indicator("1", "[domain-name:value = 'a.example']")] } });
    expect(noScope.status).toBe(500);
    expect(sim.iocs()).toHaveLength(0);
    const ok = await api.stix({
      filter: ACCOUNT_FILTER,
      bundle: { objects: [indicator("1", "[domain-name:value = 'a.example']")] },
    });
    expect(ok.json.data[0].source).toBe("OpenCTI");
  });

  it("parses the hash-key variants OpenCTI documents and rejects unsupported patterns", () => {
    for (const key of ["SHA-256", "'SHA-256'", "sha-256", "sha256", "SHA256"]) {
      expect(parseStixPattern(`[file:hashes.${key} = '${SHA}']`), key).toEqual({ type: "SHA256", value: SHA });
    }
    expect(parseStixPattern("[file:hashes.'SHA-1' = 'abc']")).toEqual({ type: "SHA1", value: "abc" });
    expect(parseStixPattern("[file:hashes.md5 = 'abc']")).toEqual({ type: "MD5", value: "abc" });
    expect(parseStixPattern("[IPV4-ADDR:value = '1.2.3.4']")).toBeUndefined();
    expect(parseStixPattern("[ipv4-addr:value = '1.2.3.4'] AND [url:value = 'x']")).toBeUndefined();
    expect(parseStixPattern("[ipv4-addr:value = '1.2.3.4' FOLLOWEDBY ipv4-addr:value = '1.2.3.5']")).toBeUndefined();
    expect(parseStixPattern("[ipv4-addr:value != '1.2.3.4']")).toBeUndefined();
    expect(parseStixPattern("[email-addr:value = 'a@b.c']")).toBeUndefined();
  });
});
