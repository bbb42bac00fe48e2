import { describe, expect, it } from "vitest";
import { isMalformed, parseEnvelope } from "../../src/stream/parse-envelope.js";

const good = JSON.stringify({
  version: "4",
  type: "create",
  scope: "external",
  message: "creates a Indicator",
  origin: { user_id: "u" },
  data: { id: "indicator--1", type: "indicator", pattern: "[ipv4-addr:value = '1.2.3.4']" },
});

describe("parseEnvelope", () => {
  it("parses a create envelope", () => {
    const event = parseEnvelope("1-0", "create", good);
    expect(isMalformed(event)).toBe(false);
    expect(event).toMatchObject({ id: "1-0", event: "create", type: "create", data: { id: "indicator--1" } });
  });

  it("takes the SSE event name as the action, not the envelope type", () => {
    expect(parseEnvelope("1-0", "delete", good)).toMatchObject({ event: "delete", type: "create" });
  });

  it.each([
    ["not json", "create", "{", /not valid JSON/],
    ["array", "create", "[]", /not a JSON object/],
    ["no data", "create", '{"version":"4"}', /no `data` object/],
    ["no id", "create", '{"data":{"type":"indicator"}}', /no string `id`/],
    ["no type", "create", '{"data":{"id":"x"}}', /no string `type`/],
    ["bad context", "update", '{"data":{"id":"x","type":"t"},"context":5}', /context/],
    ["unknown event", "explode", good, /unknown event type/],
  ])("%s is reported as malformed with a reason", (_label, event, data, reason) => {
    const parsed = parseEnvelope("9-9", event, data);
    expect(isMalformed(parsed)).toBe(true);
    if (isMalformed(parsed)) {
      expect(parsed.id).toBe("9-9");
      expect(parsed.reason).toMatch(reason);
    }
  });

  it("keeps __proto__ keys as plain data", () => {
    const parsed = parseEnvelope("1-0", "create", '{"data":{"id":"x","type":"t","__proto__":{"polluted":true}}}');
    expect(isMalformed(parsed)).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
