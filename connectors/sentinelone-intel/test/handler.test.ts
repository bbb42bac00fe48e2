/** Stream events → queued operations (handler.ts), with a recording queue. */
import type { EventContext, StixObject, StreamEvent } from "@octi/connector-sdk";
import { describe, expect, it } from "vitest";
import { changedFields, type OperationQueue, SentinelOneIntelHandler } from "../src/handler.js";
import { fingerprintIoc } from "../src/sentinelone/fingerprint.js";
import type { IocChange } from "../src/sentinelone/push-queue.js";
import { FakeLogger, probedMetrics } from "./helpers/fakes.js";
import { indicator, OPENCTI_EXT } from "./helpers/indicators.js";

const GOOD = "[ipv4-addr:value = '203.0.113.7']";
const YARA = "rule x { condition: true }";

class RecordingQueue implements OperationQueue {
  readonly calls: { ops: readonly IocChange[]; eventId: string; done: () => void }[] = [];
  drained: number | undefined;
  stopped = false;
  flushes = 0;
  async enqueue(ops: readonly IocChange[], eventId: string, done: () => void): Promise<void> {
    this.calls.push({ ops, eventId, done });
  }
  flush(): void {
    this.flushes++;
  }
  async drain(deadline: number): Promise<void> {
    this.drained = deadline;
  }
  stop(): void {
    this.stopped = true;
  }
}

function setup(options: { skipScoreOnlyUpdates?: boolean } = {}) {
  const queue = new RecordingQueue();
  const logger = new FakeLogger();
  const { probe: metrics, metrics: s1metrics } = probedMetrics();
  const settings = {
    source: "OpenCTI",
    apiUrl: "https://s1.example",
    scope: { siteId: "2" },
    deadLetterPath: "dl.jsonl",
    indexPath: "data/index.sqlite",
    skipScoreOnlyUpdates: options.skipScoreOnlyUpdates ?? false,
  };
  const handler = new SentinelOneIntelHandler(queue, settings, s1metrics, logger, () =>
    Date.parse("2025-01-01T00:00:00Z"),
  );
  let seq = 0;
  const run = async (action: StreamEvent["event"], data: StixObject, context?: StreamEvent["context"]) => {
    const acks: number[] = [];
    let deferred = false;
    const ctx: EventContext = {
      defer: () => {
        deferred = true;
        return () => acks.push(1);
      },
      signal: new AbortController().signal,
    };
    const event: StreamEvent = {
      id: `${1700000000000 + seq++}-0`,
      event: action,
      data,
      message: "",
      origin: {},
      version: "4",
      ...(context ? { context } : {}),
    };
    await handler.handle(event, ctx);
    return { event, deferred, acks };
  };
  /** The operations queued for the last event, as short strings. */
  const ops = () => (queue.calls.at(-1)?.ops ?? []).map(describeOp);
  return { handler, queue, logger, metrics, run, ops };
}

/** `delete:<id>` for "no IOCs any more", `iocs:<type>=<value>,…` for the IOCs an indicator should have. */
function describeOp(op: IocChange): string {
  return op.items.length === 0
    ? `delete:${op.key}`
    : `iocs:${op.items.map((i) => `${i.payload.type}=${i.payload.value}`).join(",")}`;
}

const patch = (...paths: string[]) => ({
  patch: paths.map((path) => ({ op: "replace", path, value: "x" })),
  reverse_patch: paths.map((path) => ({ op: "replace", path, value: "y" })),
});

describe("create", () => {
  it("queues the IOCs and defers the acknowledgement to the queue", async () => {
    const { run, queue, ops } = setup();
    const data = indicator(GOOD);
    const { event, deferred, acks } = await run("create", data);
    expect(ops()).toEqual(["iocs:IPV4=203.0.113.7"]);
    expect(queue.calls[0]?.eventId).toBe(event.id);
    expect(deferred).toBe(true);
    expect(acks).toEqual([]);
    queue.calls[0]?.done();
    expect(acks).toEqual([1]);
    const change = queue.calls[0]?.ops[0];
    expect(change?.key).toBe(data.id);
    expect(change?.items[0]?.payload.externalId).toBe(data.id);
    expect(change?.items[0]?.fingerprint).toBe(fingerprintIoc(change!.items[0]!.payload));
  });

  it("ignores non-indicators at once", async () => {
    const { run, queue } = setup();
    const { deferred } = await run("create", { id: "malware--1", type: "malware", name: "x" });
    expect(deferred).toBe(false);
    expect(queue.calls).toEqual([]);
  });

  it.each([
    ["yara pattern", indicator(YARA, { pattern_type: "yara" }), "unsupported_pattern_type", "info"],
    ["compound pattern", indicator(`${GOOD} AND [url:value = 'http://x/']`), "compound_and", "info"],
    ["revoked 'True'", indicator(GOOD, { revoked: "True" }), "revoked", "debug"],
    ["expired", indicator(GOOD, { valid_until: "2020-01-01T00:00:00Z" }), "expired", "debug"],
    ["bad hash", indicator("[file:hashes.MD5 = 'not-a-hash']"), "invalid_value", "info"],
    ["unparsable pattern", indicator("[ipv4-addr:value = "), "pattern_parse_error", "info"],
  ] as const)(
    "skips a %s with a reason counted and logged (what cannot be pushed at info, revoked/expired at debug)",
    async (_name, data, reason, level) => {
      const { run, queue, logger, metrics } = setup();
      const { event, deferred } = await run("create", data);
      expect(queue.calls).toEqual([]);
      expect(deferred).toBe(false);
      expect(await metrics.value("indicators_skipped_total", { reason })).toBe(1);
      expect(logger.at(level)[0]?.attributes).toMatchObject({ event_id: event.id, indicator_id: data.id, reason });
      expect(logger.at(level === "info" ? "debug" : "info")).toEqual([]);
    },
  );

  it("hands an unexpected error back to the SDK (retried, then dead-lettered there) instead of acknowledging", async () => {
    const { run, queue } = setup();
    const data = indicator(GOOD);
    Object.defineProperty(data, "labels", {
      get() {
        throw new Error("broken labels");
      },
    });
    await expect(run("create", data)).rejects.toThrow("broken labels");
    expect(queue.calls).toEqual([]);
  });
});

describe("update", () => {
  it.each([
    ["pattern", "/pattern"],
    ["name", "/name"],
    ["description", "/description"],
    ["valid_until", "/valid_until"],
    ["labels item", "/labels/0"],
    ["score in the OpenCTI extension", `/extensions/${OPENCTI_EXT}/score`],
    ["x_opencti_score", "/x_opencti_score"],
  ])("replaces the IOCs when %s changed", async (_name, path) => {
    const { run, ops } = setup();
    const data = indicator(GOOD);
    await run("update", data, patch(path));
    expect(ops()).toEqual(["iocs:IPV4=203.0.113.7"]);
  });

  it.each([
    ["score in the OpenCTI extension", `/extensions/${OPENCTI_EXT}/score`],
    ["x_opencti_score", "/x_opencti_score"],
  ])("with skip_score_only_updates, sends nothing when only the %s changed", async (_name, path) => {
    const { run, queue, logger } = setup({ skipScoreOnlyUpdates: true });
    const { deferred } = await run("update", indicator(GOOD), patch(path));
    expect(queue.calls).toEqual([]);
    expect(deferred).toBe(false);
    expect(logger.at("debug").map((l) => l.message)).toContain(
      "Score-only indicator update skipped (skip_score_only_updates)",
    );
  });

  it("with skip_score_only_updates, still replaces when the score changed with another field", async () => {
    const { run, ops } = setup({ skipScoreOnlyUpdates: true });
    await run("update", indicator(GOOD), patch(`/extensions/${OPENCTI_EXT}/score`, "/valid_until"));
    expect(ops()).toEqual(["iocs:IPV4=203.0.113.7"]);
  });

  it("replaces when there is no usable patch", async () => {
    const { run, ops } = setup();
    const data = indicator(GOOD);
    await run("update", data);
    expect(ops()).toEqual(["iocs:IPV4=203.0.113.7"]);
  });

  it.each([
    ["modified / confidence", ["/modified", "/confidence"]],
    ["another extension", ["/extensions/extension-definition--other/score"]],
    ["OpenCTI extension fields other than score", [`/extensions/${OPENCTI_EXT}/updated_at`]],
  ])("does nothing when only %s changed", async (_name, paths) => {
    const { run, queue } = setup();
    const { deferred } = await run("update", indicator(GOOD), patch(...paths));
    expect(queue.calls).toEqual([]);
    expect(deferred).toBe(false);
  });

  it.each([
    ["revoked", { revoked: true }, "/revoked"],
    ["expired", { valid_until: "2020-01-01T00:00:00Z" }, "/valid_until"],
    ["no longer mappable", { pattern: `${GOOD} AND [url:value = 'http://x/']` }, "/pattern"],
    ["now yara", { pattern: YARA, pattern_type: "yara" }, "/pattern_type"],
  ])("only deletes when the indicator is now %s", async (_name, overrides, path) => {
    const { run, ops } = setup();
    const data = indicator(GOOD, overrides);
    await run("update", data, patch(path));
    expect(ops()).toEqual([`delete:${data.id}`]);
  });

  it("sends nothing for an indicator that did not map before the update either", async () => {
    const { run, queue, metrics } = setup();
    await run("update", indicator(YARA, { pattern_type: "yara" }), patch("/description"));
    await run("update", indicator(GOOD, { revoked: true }), patch("/name"));
    expect(queue.calls).toEqual([]);
    expect(await metrics.value("indicators_skipped_total", { reason: "unsupported_pattern_type" })).toBe(1);
  });
});

describe("delete", () => {
  it("deletes by externalId", async () => {
    const { run, ops } = setup();
    const data = indicator(GOOD);
    await run("delete", data);
    expect(ops()).toEqual([`delete:${data.id}`]);
  });

  it("deletes an expired indicator (SentinelOne may still hold it)", async () => {
    const { run, ops } = setup();
    const data = indicator(GOOD, { valid_until: "2020-01-01T00:00:00Z" });
    await run("delete", data);
    expect(ops()).toEqual([`delete:${data.id}`]);
  });

  it.each([
    ["a yara indicator", indicator(YARA, { pattern_type: "yara" })],
    ["a revoked indicator", indicator(GOOD, { revoked: true })],
    ["an unsupported pattern", indicator("[file:name = 'x.exe']")],
  ])("sends nothing for the genuine deletion of %s", async (_name, data) => {
    const { run, queue } = setup();
    const { deferred } = await run("delete", data);
    expect(queue.calls).toEqual([]);
    expect(deferred).toBe(false);
  });

  it("deletes when an update made the indicator leave the stream (delete with patches)", async () => {
    const { run, ops } = setup();
    const data = indicator(GOOD, { revoked: true });
    await run("delete", data, patch("/revoked"));
    expect(ops()).toEqual([`delete:${data.id}`]);
  });
});

describe("merge", () => {
  it("replaces the target and deletes the merged-away indicator sources", async () => {
    const { run, ops } = setup();
    const target = indicator(GOOD);
    const mappable = indicator("[domain-name:value = 'evil.example']");
    const yara = indicator(YARA, { pattern_type: "yara" });
    await run("merge", target, {
      ...patch("/labels/1"),
      sources: [mappable, yara, { id: "malware--x", type: "malware" }],
    });
    expect(ops()).toEqual(["iocs:IPV4=203.0.113.7", `delete:${mappable.id}`]);
  });

  it("deletes the sources even when the target needs nothing", async () => {
    const { run, ops } = setup();
    const source = indicator("[domain-name:value = 'evil.example']");
    await run("merge", indicator(GOOD), { ...patch("/modified"), sources: [source] });
    expect(ops()).toEqual([`delete:${source.id}`]);
  });
});

describe("lifecycle", () => {
  it("logs where it pushes on start, without the API key", async () => {
    const { handler, logger } = setup();
    await handler.start();
    expect(logger.at("info")[0]?.attributes).toMatchObject({
      api_url: "https://s1.example",
      site_id: "2",
      source: "OpenCTI",
    });
  });

  it("forwards the runner's flush() to the queue (decision 0005)", () => {
    const { handler, queue } = setup();
    handler.flush();
    expect(queue.flushes).toBe(1);
  });

  it("drains and stops the queue", async () => {
    const { handler, queue } = setup();
    await handler.drain(1234);
    await handler.stop();
    expect(queue.drained).toBe(1234);
    expect(queue.stopped).toBe(true);
  });
});

describe("changedFields", () => {
  it.each([
    [undefined, "unknown"],
    [{}, "unknown"],
    [{ patch: [], reverse_patch: [] }, "unknown"],
    [{ patch: [{ op: "replace", path: "" }] }, "unknown"],
    [{ patch: ["garbage"] }, "unknown"],
    [{ patch: [{ op: "replace", path: "/name" }] }, ["name"]],
    [{ patch: [{ op: "add", path: "/labels/-" }], reverse_patch: [{ op: "remove", path: "/labels/1" }] }, ["labels"]],
    [{ patch: [{ op: "move", path: "/name", from: "/description" }] }, ["name", "description"]],
    [{ patch: [{ op: "replace", path: "/extensions" }] }, ["score"]],
    [{ patch: [{ op: "replace", path: `/extensions/${OPENCTI_EXT}` }] }, ["score"]],
    [
      {
        patch: [
          { op: "replace", path: "/modified" },
          { op: "replace", path: "/x_opencti_stix_ids/0" },
        ],
      },
      [],
    ],
  ] as const)("%j → %j", (context, expected) => {
    const result = changedFields(context as never);
    expect(result === "unknown" ? result : [...result].sort()).toEqual(
      expected === "unknown" ? expected : [...expected].sort(),
    );
  });
});
