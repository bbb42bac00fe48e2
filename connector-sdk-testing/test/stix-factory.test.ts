import { describe, expect, it } from "vitest";
import {
  applyPatch,
  comparePatch,
  createEvent,
  deleteEvent,
  indicatorStandardId,
  liveEnvelope,
  makeIndicator,
  mergeEvent,
  STIX_EXT_OCTI,
  serializeLiveEnvelope,
  syntheticIndicatorFeed,
  updateEvent,
  uuidV5,
} from "../src/index.js";

const NOW = new Date("2024-04-09T06:58:40.678Z");

describe("makeIndicator", () => {
  it("builds an indicator shaped like OpenCTI's stream data (opencti-platform.md §2)", () => {
    const ind = makeIndicator({
      pattern: "[ipv4-addr:value = '42.194.210.177']",
      labels: ["threat lead"],
      score: 50,
      now: NOW,
      validUntil: "2024-04-29T12:33:20.098Z",
    });
    expect(Object.keys(ind)).toEqual([
      "id",
      "spec_version",
      "type",
      "extensions",
      "created",
      "modified",
      "revoked",
      "confidence",
      "lang",
      "labels",
      "name",
      "description",
      "indicator_types",
      "pattern",
      "pattern_type",
      "pattern_version",
      "valid_from",
      "valid_until",
      "object_marking_refs",
      "kill_chain_phases",
    ]);
    expect(ind).toMatchObject({
      spec_version: "2.1",
      type: "indicator",
      created: "2024-04-09T06:58:40.678Z",
      modified: "2024-04-09T06:58:40.678Z",
      revoked: false,
      confidence: 100,
      lang: "en",
      labels: ["threat lead"],
      name: "42.194.210.177",
      description: "Simple indicator of observable {42.194.210.177}",
      indicator_types: ["malicious-activity"],
      pattern_type: "stix",
      pattern_version: "2.1",
      valid_from: "2024-04-09T06:58:40.678Z",
      valid_until: "2024-04-29T12:33:20.098Z",
    });
    expect(ind.id).toMatch(/^indicator--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ext = ind.extensions[STIX_EXT_OCTI];
    expect(Object.keys(ind.extensions)).toEqual(["extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba"]);
    expect(ext).toMatchObject({
      extension_type: "property-extension",
      type: "Indicator",
      created_at: "2024-04-09T06:58:40.678Z",
      updated_at: "2024-04-09T06:58:40.678Z",
      is_inferred: false,
      creator_ids: ["88ec0c6a-13ce-5e39-b486-354fe4a7084f"],
      detection: false,
      score: 50,
      main_observable_type: "IPv4-Addr",
      observable_values: [{ type: "IPv4-Addr", value: "42.194.210.177" }],
    });
    expect(ext.labels_ids).toHaveLength(1);
    expect(ext.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect("x_opencti_score" in ind).toBe(false);
  });

  it("is reproducible: same seed → same ids, other seed → other ids; no seed → the pattern's standard id", () => {
    const a = makeIndicator({ pattern: "[domain-name:value = 'a.example']", seed: "s1" });
    const b = makeIndicator({ pattern: "[domain-name:value = 'a.example']", seed: "s1" });
    const c = makeIndicator({ pattern: "[domain-name:value = 'a.example']", seed: "s2" });
    expect(a.id).toBe(b.id);
    expect(a.extensions[STIX_EXT_OCTI].id).toBe(b.extensions[STIX_EXT_OCTI].id);
    expect(c.id).not.toBe(a.id);
    const plain = makeIndicator({ pattern: "[domain-name:value = 'a.example']" });
    expect(plain.id).toBe(indicatorStandardId("[domain-name:value = 'a.example']"));
    expect(makeIndicator({ pattern: "[x:y = 'z']", id: "indicator--fixed" }).id).toBe("indicator--fixed");
  });

  it("computes UUIDv5 per RFC 4122 (known vector)", () => {
    // DNS namespace, "www.example.com" → 2ed6657d-e927-568b-95e1-2665a8aea6a2 (RFC 4122 errata / common test vector).
    expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe(
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
  });

  it("pushes valid_until one second past valid_from when they are equal", () => {
    const ind = makeIndicator({
      pattern: "[url:value = 'http://x']",
      validFrom: "2024-01-01T00:00:00.000Z",
      validUntil: "2024-01-01T00:00:00.000Z",
    });
    expect(ind.valid_until).toBe("2024-01-01T00:00:01.000Z");
  });

  it("derives file hashes observables and accepts non-STIX pattern types (pattern_type alias)", () => {
    const file = makeIndicator({ pattern: "[file:hashes.'SHA-256' = 'abc' OR file:hashes.md5 = 'def']" });
    expect(file.extensions[STIX_EXT_OCTI]).toMatchObject({
      main_observable_type: "StixFile",
      observable_values: [
        { type: "StixFile", hashes: { "SHA-256": "abc" } },
        { type: "StixFile", hashes: { md5: "def" } },
      ],
    });
    const yara = makeIndicator({ pattern: "rule x { condition: true }", pattern_type: "yara" });
    expect(yara.pattern_type).toBe("yara");
    expect(yara.extensions[STIX_EXT_OCTI].main_observable_type).toBe("Unknown");
    expect(yara.extensions[STIX_EXT_OCTI].observable_values).toBeUndefined();
  });
});

describe("event helpers", () => {
  const before = makeIndicator({ pattern: "[ipv4-addr:value = '1.2.3.4']", now: NOW, seed: "u" });
  const after = makeIndicator({
    pattern: "[ipv4-addr:value = '1.2.3.4']",
    now: NOW,
    seed: "u",
    revoked: true,
    score: 80,
  });

  it("createEvent / deleteEvent carry OpenCTI's messages", () => {
    expect(createEvent(before)).toMatchObject({
      event: "create",
      data: before,
      message: "creates a Indicator `1.2.3.4`",
    });
    expect(deleteEvent(before)).toMatchObject({
      event: "delete",
      data: before,
      message: "deletes a Indicator `1.2.3.4`",
    });
  });

  it("updateEvent computes RFC 6902 patch / reverse_patch and a readable message", () => {
    const event = updateEvent(before, after);
    expect(event.event).toBe("update");
    expect(event.data).toBe(after);
    const patch = event.context!.patch as unknown[];
    const reverse = event.context!.reverse_patch as unknown[];
    expect(patch).toContainEqual({ op: "replace", path: "/revoked", value: true });
    expect(patch).toContainEqual({ op: "replace", path: `/extensions/${STIX_EXT_OCTI}/score`, value: 80 });
    expect(reverse).toContainEqual({ op: "replace", path: "/revoked", value: false });
    expect(applyPatch(before, patch)).toEqual(after);
    expect(applyPatch(after, reverse)).toEqual(before);
    expect(event.message).toContain("replaces `false` with `true` in `Revoked`");
    expect(event.message).toContain("replaces `50` with `80` in `Score`");
    expect(updateEvent(before, after, "custom").message).toBe("custom");
  });

  it("comparePatch handles added / removed keys and escapes pointer tokens", () => {
    const ops = comparePatch({ a: 1, "x/y": 1, gone: true }, { a: 1, "x/y": 2, added: [1] });
    expect(ops).toEqual([
      { op: "replace", path: "/x~1y", value: 2 },
      { op: "remove", path: "/gone" },
      { op: "add", path: "/added", value: [1] },
    ]);
    expect(applyPatch({ a: 1, "x/y": 1, gone: true }, ops)).toEqual({ a: 1, "x/y": 2, added: [1] });
    expect(() => applyPatch({ a: 1 }, [{ op: "replace", path: "/missing", value: 1 }])).toThrow();
  });

  it("mergeEvent lists the sources in context", () => {
    const source = makeIndicator({ pattern: "[ipv4-addr:value = '9.9.9.9']" });
    const event = mergeEvent(before, [source]);
    expect(event.event).toBe("merge");
    expect(event.context?.sources).toEqual([source]);
  });

  it("serializeLiveEnvelope writes exactly JSON.stringify(liveEnvelope(event))", () => {
    const events = [
      createEvent(before),
      updateEvent(before, after),
      deleteEvent(before, { origin: { user_id: "u", referer: "x" }, scope: "external", version: "4" }),
      createEvent(before, { extra: { event_id: "e-1", commit: { message: "m" } } }),
      createEvent(before, { extra: {} }),
    ];
    for (const event of events) expect(serializeLiveEnvelope(event)).toBe(JSON.stringify(liveEnvelope(event)));
    expect(Object.keys(liveEnvelope(updateEvent(before, after)))).toEqual([
      "version",
      "type",
      "scope",
      "message",
      "origin",
      "data",
      "context",
    ]);
  });

  it("syntheticIndicatorFeed indicators have makeIndicator's exact shape, and unique ids", () => {
    const feed = syntheticIndicatorFeed({ count: 50_000, seed: "shape", now: NOW });
    for (const n of [0, 1, 2, 3]) {
      const fast = feed.make(n).data as unknown as Record<string, unknown>;
      const reference = makeIndicator({ pattern: String(fast.pattern), now: NOW, score: 50 + n }) as unknown as Record<
        string,
        unknown
      >;
      expect(Object.keys(fast)).toEqual(Object.keys(reference));
      const ext = (o: Record<string, unknown>) =>
        (o.extensions as Record<string, Record<string, unknown>>)[STIX_EXT_OCTI]!;
      expect(Object.keys(ext(fast))).toEqual(Object.keys(ext(reference)));
      expect({ ...fast, id: "", extensions: { ...ext(fast), id: "" } }).toEqual({
        ...reference,
        id: "",
        extensions: { ...ext(reference), id: "" },
      });
      expect(fast.id).toMatch(/^indicator--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    const ids = new Set<string>();
    const internal = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const data = feed.make(i).data as unknown as Record<string, unknown>;
      ids.add(data.id as string);
      internal.add((data.extensions as Record<string, { id: string }>)[STIX_EXT_OCTI]!.id);
    }
    expect(ids.size).toBe(50_000);
    expect(internal.size).toBe(50_000);
    expect(syntheticIndicatorFeed({ count: 1, seed: "other", now: NOW }).make(0).data.id).not.toBe(
      feed.make(0).data.id,
    );
  });

  it("syntheticIndicatorFeed is deterministic and mixes actions on demand", () => {
    const feed = syntheticIndicatorFeed({ count: 20, actions: "mixed", seed: "x", now: NOW });
    const again = syntheticIndicatorFeed({ count: 20, actions: "mixed", seed: "x", now: NOW });
    expect(feed.make(3)).toEqual(again.make(3));
    expect([0, 7, 8, 9].map((i) => feed.make(i).event)).toEqual(["create", "update", "delete", "create"]);
    expect(feed.make(7).data.id).toBe(feed.make(0).data.id);
    // The hand-written update of slot 7 is exactly what the generic updateEvent computes.
    expect(feed.make(17)).toEqual(updateEvent(feed.make(10).data, feed.make(17).data));
    expect(feed.make(8).data.id).toBe(feed.make(1).data.id);
    expect(feed.make(9).data.pattern_type).toBe("yara");
  });
});
