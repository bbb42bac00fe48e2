import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.js";

function capture(level: string, secrets: string[] = [], json = true) {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => {
    text += c.toString();
  });
  const logger = createLogger({ name: "My Connector", level, secrets, stream, json });
  return { logger, lines: () => text.split("\n").filter(Boolean) };
}

describe("createLogger", () => {
  it("writes pycti's JSON line shape, key order included", async () => {
    const { logger, lines } = capture("info");
    logger.info("Connector registered with ID", { id: "x" });
    await new Promise((r) => setImmediate(r));
    const line = lines()[0]!;
    expect(Object.keys(JSON.parse(line))).toEqual(["timestamp", "level", "name", "message", "attributes"]);
    expect(JSON.parse(line)).toMatchObject({ level: "INFO", name: "My Connector", message: "Connector registered with ID", attributes: { id: "x" } });
    expect(JSON.parse(line).timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it("filters by level and names warnings WARNING", async () => {
    const { logger, lines } = capture("warn");
    logger.debug("no");
    logger.info("no");
    logger.warning("yes");
    logger.error("yes too");
    await new Promise((r) => setImmediate(r));
    expect(lines().map((l) => JSON.parse(l).level)).toEqual(["WARNING", "ERROR"]);
  });

  it("scrubs secrets from messages, nested attributes and errors, whatever the case or prefix", async () => {
    const { logger, lines } = capture("debug", ["S3cr3tToken-abc"]);
    logger.error("failed with S3cr3tToken-abc", {
      nested: { header: "APIToken s3cr3ttoken-ABC", list: ["x S3CR3TTOKEN-ABC"] },
      error: new Error("boom S3cr3tToken-abc"),
    });
    await new Promise((r) => setImmediate(r));
    expect(lines()[0]!.toLowerCase()).not.toContain("s3cr3ttoken-abc");
    expect(lines()[0]).toContain("[REDACTED]");
  });

  it("child loggers change the name; plain mode uses Python's default format", async () => {
    const { logger, lines } = capture("info", [], false);
    logger.child("api").info("Health check");
    await new Promise((r) => setImmediate(r));
    expect(lines()[0]).toBe("INFO:api:Health check");
  });
});
