import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.js";
import { createScrubber, scrubSecrets } from "../../src/logging/scrub.js";

const SECRET = "S3cr3tToken-abc";

function capture(level: string, secrets: string[] = [], json = true) {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => {
    text += c.toString();
  });
  const logger = createLogger({ name: "My Connector", level, secrets, stream, json });
  const lines = async () => {
    await new Promise((r) => setImmediate(r));
    return text.split("\n").filter(Boolean);
  };
  return { logger, lines };
}

describe("createLogger: pycti's JSON lines", () => {
  it("has pycti's keys in pycti's order, and attributes only when given", async () => {
    const { logger, lines } = capture("info");
    logger.info("Connector registered with ID", { id: "x", nested: { n: 1 } });
    logger.info("Starting PingAlive thread");
    const [first, second] = await lines();
    expect(Object.keys(JSON.parse(first!))).toEqual(["timestamp", "level", "name", "message", "attributes"]);
    expect(JSON.parse(first!)).toMatchObject({
      level: "INFO",
      name: "My Connector",
      message: "Connector registered with ID",
      attributes: { id: "x", nested: { n: 1 } },
    });
    expect(Object.keys(JSON.parse(second!))).toEqual(["timestamp", "level", "name", "message"]);
    expect(first!.startsWith('{"timestamp":"')).toBe(true);
  });

  it("stamps the time as Python's %Y-%m-%dT%H:%M:%S.%fZ in UTC, at logging time", async () => {
    const { logger, lines } = capture("info");
    const before = Date.now();
    logger.info("x");
    const timestamp = JSON.parse((await lines())[0]!).timestamp as string;
    expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const ms = Date.parse(timestamp.replace(/(\.\d{3})\d{3}Z$/, "$1Z"));
    expect(ms).toBeGreaterThanOrEqual(before - 1);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });

  it.each([
    ["debug", ["DEBUG", "INFO", "WARNING", "ERROR"]],
    ["info", ["INFO", "WARNING", "ERROR"]],
    ["INFO", ["INFO", "WARNING", "ERROR"]],
    ["warn", ["WARNING", "ERROR"]],
    ["warning", ["WARNING", "ERROR"]],
    ["error", ["ERROR"]],
    ["nonsense", ["ERROR"]],
  ])("level %s lets through %j", async (level, expected) => {
    const { logger, lines } = capture(level);
    logger.debug("d");
    logger.info("i");
    logger.warning("w");
    logger.error("e");
    expect((await lines()).map((l) => JSON.parse(l).level)).toEqual(expected);
  });

  it("child loggers change the name and share the stream and level", async () => {
    const { logger, lines } = capture("info");
    const api = logger.child("api");
    api.info("Health check (platform version)...");
    api.debug("hidden");
    logger.info("parent");
    expect((await lines()).map((l) => [JSON.parse(l).name, JSON.parse(l).message])).toEqual([
      ["api", "Health check (platform version)..."],
      ["My Connector", "parent"],
    ]);
  });

  it("plain mode writes Python's default LEVEL:name:message, attributes appended as JSON", async () => {
    const { logger, lines } = capture("debug", [SECRET], false);
    logger.child("api").info("Health check");
    logger.warning("Slow", { ms: 12, token: SECRET });
    expect(await lines()).toEqual([
      "INFO:api:Health check",
      'WARNING:My Connector:Slow {"ms":12,"token":"[REDACTED]"}',
    ]);
  });
});

describe("createLogger: secret scrubbing", () => {
  it("scrubs the message, nested attributes, arrays, keys and Errors, whatever the case or prefix", async () => {
    const { logger, lines } = capture("debug", [SECRET]);
    const error = new Error(`boom ${SECRET}`, {
      cause: Object.assign(new Error(`inner ${SECRET.toUpperCase()}`), { code: "E_INNER" }),
    });
    logger.error(`failed with ${SECRET}`, {
      nested: { header: `APIToken ${SECRET.toLowerCase()}`, list: [`x ${SECRET.toUpperCase()}`], [SECRET]: "as key" },
      auth: `Bearer ${SECRET}`,
      encoded: `?token=${encodeURIComponent(SECRET)}`,
      error,
    });
    const line = (await lines())[0]!;
    expect(line.toLowerCase()).not.toContain(SECRET.toLowerCase());
    const parsed = JSON.parse(line);
    expect(parsed.message).toBe("failed with [REDACTED]");
    // The scheme goes with the credential.
    expect(parsed.attributes.auth).toBe("[REDACTED]");
    expect(parsed.attributes.nested.header).toBe("[REDACTED]");
    expect(parsed.attributes.nested.list).toEqual(["x [REDACTED]"]);
    expect(parsed.attributes.nested["[REDACTED]"]).toBe("as key");
    expect(parsed.attributes.error).toMatchObject({
      name: "Error",
      message: "boom [REDACTED]",
      stack: expect.stringContaining("boom [REDACTED]"),
      cause: { name: "Error", message: "inner [REDACTED]", code: "E_INNER" },
    });
  });

  it("scrubs the bare value of a secret configured with its scheme (APIToken xyz)", async () => {
    const { logger, lines } = capture("info", ["APIToken key-0123456789"]);
    logger.info("sent key-0123456789 and ApiToken key-0123456789");
    expect(JSON.parse((await lines())[0]!).message).toBe("sent [REDACTED] and [REDACTED]");
  });

  it("never fails on attributes JSON cannot carry", async () => {
    const { logger, lines } = capture("info");
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    logger.info("odd", {
      cycle,
      big: 12345678901234567890n,
      when: new Date("2025-01-02T03:04:05.000Z"),
      url: new URL("https://example.com/x"),
      set: new Set([1]),
      map: new Map([["k", "v"]]),
      buf: Buffer.from("abc"),
      fn: () => 1,
      nan: Number.NaN,
    });
    expect(JSON.parse((await lines())[0]!).attributes).toEqual({
      cycle: { a: 1, self: "[Circular]" },
      big: "12345678901234567890",
      when: "2025-01-02T03:04:05.000Z",
      url: "https://example.com/x",
      set: [1],
      map: { k: "v" },
      buf: "[Buffer 3 bytes]",
      nan: "NaN",
    });
  });
});

describe("scrubSecrets / createScrubber().value", () => {
  it.each([
    ["token ABCDEFGH12 here", ["abcdefgh12"], "token [REDACTED] here"],
    ["Authorization: Bearer abcdefgh12", ["abcdefgh12"], "Authorization: [REDACTED]"],
    ["Authorization: bearer   abcdefgh12", ["abcdefgh12"], "Authorization: [REDACTED]"],
    ["APIToken abcdefgh12 / ApiToken abcdefgh12", ["abcdefgh12"], "[REDACTED] / [REDACTED]"],
    ["long-secret-1 contains long-secret", ["long-secret", "long-secret-1"], "[REDACTED] contains [REDACTED]"],
    ["embeddedabcdefgh12inside", ["abcdefgh12"], "embedded[REDACTED]inside"],
    // Short secrets are replaced only where they stand alone.
    ["the key is abc; monkey abcde", ["abc"], "the key is [REDACTED]; monkey abcde"],
    ["nothing to hide", [], "nothing to hide"],
    ["regex chars a.b*c+(x)", ["a.b*c+(x)"], "regex chars [REDACTED]"],
  ])("%j with %j → %j", (text, secrets, expected) => {
    expect(scrubSecrets(text, secrets)).toBe(expected);
  });

  it("deep-scrubs values", () => {
    expect(createScrubber(["abcdefgh12"]).value({ a: ["x abcdefgh12"], b: { c: "abcdefgh12" } })).toEqual({
      a: ["x [REDACTED]"],
      b: { c: "[REDACTED]" },
    });
  });
});
