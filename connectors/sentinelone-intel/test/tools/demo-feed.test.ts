import { describe, expect, it } from "vitest";
import {
  buildDemoFeed,
  compareIocs,
  expectedIocs,
  type FeedStep,
  SUPPORTED_KINDS,
  UNSUPPORTED_KINDS,
} from "../../dev/tools/demo-feed.js";

describe("demo feed", () => {
  const feed = buildDemoFeed({ size: 400 });

  it("has every supported and unsupported kind, malformed messages, and every kind of change", () => {
    const kinds = new Set(feed.indicators.map((i) => i.kind));
    for (const kind of [...SUPPORTED_KINDS, ...UNSUPPORTED_KINDS]) expect(kinds).toContain(kind);
    const actions = new Set(feed.steps.map((s) => (s.action === "update" && s.change.revoked ? "revoke" : s.action)));
    expect([...actions].sort()).toEqual(["create", "delete", "malformed", "merge", "revoke", "update"]);
    expect(feed.steps.filter((s) => s.action === "malformed")).toHaveLength(3);
    // Several hash-key spellings are used for SHA-256.
    const sha256Keys = new Set(
      feed.indicators.filter((i) => i.kind === "sha256").map((i) => /hashes\.([^ ]+) =/.exec(i.pattern)?.[1]),
    );
    expect(sha256Keys.size).toBeGreaterThanOrEqual(3);
  });

  it("is deterministic and every value is unique", () => {
    expect(buildDemoFeed({ size: 400 })).toEqual(feed);
    const values = feed.indicators.flatMap((i) => i.iocs.map((ioc) => `${ioc.type}:${ioc.value}`));
    expect(new Set(values).size).toBe(values.length);
    expect(new Set(feed.indicators.map((i) => i.id)).size).toBe(feed.indicators.length);
  });

  it("expects no IOC for revoked, deleted, merged-away or unsupported indicators, and every other one", () => {
    const expected = expectedIocs(feed);
    const ids = new Set(expected.map((e) => e.externalId));
    const gone = (step: FeedStep) =>
      step.action === "delete" || (step.action === "update" && step.change.revoked === true);
    for (const step of feed.steps) {
      if (gone(step) && "indicator" in step) expect(ids.has(step.indicator.id)).toBe(false);
      if (step.action === "merge") {
        for (const source of step.sources) expect(ids.has(source.id)).toBe(false);
        if (step.indicator.iocs.length > 0) expect(ids.has(step.indicator.id)).toBe(true);
      }
    }
    for (const indicator of feed.indicators) if (indicator.iocs.length === 0) expect(ids.has(indicator.id)).toBe(false);
    const removed = new Set(
      feed.steps.flatMap((s) =>
        gone(s) && "indicator" in s ? [s.indicator.id] : s.action === "merge" ? s.sources.map((x) => x.id) : [],
      ),
    );
    const live = feed.indicators.filter((i) => !removed.has(i.id));
    expect(expected).toHaveLength(live.reduce((n, i) => n + i.iocs.length, 0));
    // OR patterns give two IOCs with the same externalId.
    const orIndicator = live.find((i) => i.kind === "or-observation")!;
    expect(
      expected
        .filter((e) => e.externalId === orIndicator.id)
        .map((e) => e.type)
        .sort(),
    ).toEqual(["DNS", "URL"]);
  });

  it("comparison finds missing, unexpected and duplicated IOCs", () => {
    const expected = expectedIocs(feed);
    expect(compareIocs(expected, expected).equal).toBe(true);
    const [first, second, ...rest] = expected;
    const actual = [...rest, { ...first!, value: "10.255.0.1" }, second!, second!];
    const result = compareIocs(expected, actual);
    expect(result.equal).toBe(false);
    expect(result.missing).toEqual([first]);
    expect(result.unexpected).toEqual([{ ...first!, value: "10.255.0.1" }, second]);
  });
});
