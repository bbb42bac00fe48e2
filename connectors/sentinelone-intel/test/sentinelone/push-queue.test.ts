/** The ordered push queue (sentinelone/push-queue.ts) against a scripted API seam. */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StreamFlow } from "@octi/connector-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { DeadLetterFile, type DeadLetterSink } from "../../src/sentinelone/dead-letter.js";
import { SentinelOneApiError, type SentinelOneApiErrorInit } from "../../src/sentinelone/errors.js";
import { PushQueue, type PushQueueOptions, type QueueOp } from "../../src/sentinelone/push-queue.js";
import type { IocPayload } from "../../src/sentinelone/types.js";
import {
  type ApiCall,
  deferred,
  FakeApi,
  FakeLifecycle,
  FakeLogger,
  fakeMetrics,
  tick,
  until,
} from "../helpers/fakes.js";

const queues: PushQueue[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.stop();
});

function ioc(value: string, externalId = `indicator--${value}`): IocPayload {
  return { type: "IPV4", value, method: "EQUALS", source: "OpenCTI", externalId };
}

const create = (...values: string[]): QueueOp => ({ kind: "create", iocs: values.map((v) => ioc(v)) });
const del = (value: string): QueueOp => ({ kind: "delete", externalId: `indicator--${value}` });

function apiError(message: string, init: Partial<SentinelOneApiErrorInit> & Pick<SentinelOneApiErrorInit, "kind">) {
  return new SentinelOneApiError(message, { method: "POST", path: "/threat-intelligence/iocs", ...init });
}

async function setup(options: Partial<PushQueueOptions> = {}, sink?: DeadLetterSink) {
  const api = new FakeApi();
  const logger = new FakeLogger();
  const { fake: metrics, metrics: s1metrics } = fakeMetrics();
  const lifecycle = new FakeLifecycle();
  const flow = new StreamFlow();
  const dir = await mkdtemp(join(tmpdir(), "s1-queue-"));
  const deadLetterPath = join(dir, "nested", "dead-letter.jsonl");
  const deadLetter = sink ?? new DeadLetterFile({ deadLetterPath });
  const queue = new PushQueue(
    { batchSize: 100, flushIntervalMs: 5, maxPendingIocs: 1000, retryBaseMs: 5, retryMaxDelayMs: 40, ...options },
    api,
    deadLetter,
    s1metrics,
    logger,
    lifecycle,
    () => Date.now(),
    flow,
  );
  queues.push(queue);
  const acked: string[] = [];
  const push = (eventId: string, ...ops: QueueOp[]) => queue.enqueue(ops, eventId, () => acked.push(eventId));
  const readDeadLetters = async () =>
    (await readFile(deadLetterPath, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { api, logger, metrics, lifecycle, flow, queue, acked, push, deadLetterPath, readDeadLetters };
}

describe("batching", () => {
  it("coalesces consecutive creates of several events into one request", async () => {
    const { api, push, acked, metrics } = await setup({ flushIntervalMs: 30 });
    await push("1-0", create("10.0.0.1"));
    await push("2-0", create("10.0.0.2", "10.0.0.3"));
    await push("3-0", create("10.0.0.4"));
    await until(() => acked.length === 3);
    expect(api.summary()).toEqual(["create:10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4"]);
    expect(acked).toEqual(["1-0", "2-0", "3-0"]);
    expect(metrics.value("sentinelone_iocs_created_total", { type: "IPV4" })).toBe(4);
  });

  it("sends full batches at once and never more than batchSize per request", async () => {
    const { api, push, queue, acked } = await setup({ batchSize: 2, flushIntervalMs: 60_000 });
    await push("1-0", create("a1", "a2", "a3", "a4", "a5"));
    await until(() => api.calls.length === 2);
    expect(api.summary()).toEqual(["create:a1,a2", "create:a3,a4"]);
    expect(acked).toEqual([]); // a5 still waits for its batch to fill
    await queue.drain(Date.now() + 5000);
    expect(api.summary()).toEqual(["create:a1,a2", "create:a3,a4", "create:a5"]);
    expect(acked).toEqual(["1-0"]);
  });

  it("sends a partial batch at once when the runner waits for acknowledgements (nothing more can arrive)", async () => {
    const { api, push, flow, acked } = await setup({ batchSize: 100, flushIntervalMs: 60_000 });
    await push("1-0", create("a1", "a2"));
    await push("2-0", create("a3"));
    await tick();
    expect(api.calls).toHaveLength(0); // the batch would wait a minute to fill
    flow.setWaitingForAcks(true);
    await until(() => acked.length === 2);
    expect(api.summary()).toEqual(["create:a1,a2,a3"]);
    // While it lasts, later partial batches go at once too.
    await push("3-0", create("a4"));
    await until(() => acked.length === 3);
    expect(api.summary()).toEqual(["create:a1,a2,a3", "create:a4"]);
  });

  it("sends a partial batch at once when enqueue waits for room (max pending IOCs below the batch size)", async () => {
    const { api, push, acked } = await setup({ batchSize: 100, flushIntervalMs: 60_000, maxPendingIocs: 3 });
    await push("1-0", create("a1", "a2"));
    const third = push("2-0", create("a3")); // 3 pending: resolves once there is room again
    await until(() => acked.length === 2);
    await third;
    expect(api.summary()).toEqual(["create:a1,a2,a3"]);
  });

  it("grows the next batch while a request is in flight", async () => {
    const { api, push, acked } = await setup({ flushIntervalMs: 0 });
    const held = deferred();
    api.respond(() => held.promise);
    await push("1-0", create("first"));
    await until(() => api.calls.length === 1);
    for (let i = 0; i < 5; i++) await push(`${i + 2}-0`, create(`next${i}`));
    await tick();
    expect(api.calls).toHaveLength(1);
    held.resolve();
    await until(() => acked.length === 6);
    expect(api.summary()).toEqual(["create:first", "create:next0,next1,next2,next3,next4"]);
  });
});

describe("ordering", () => {
  it("keeps create → delete → create of one indicator in order, one request at a time", async () => {
    const { api, push, acked } = await setup({ flushIntervalMs: 50 });
    await push("1-0", create("x"), create("y"));
    await push("2-0", del("x"));
    await push("3-0", create("x"), create("z"));
    await push("4-0", del("z"), create("z"));
    await until(() => acked.length === 4);
    expect(api.summary()).toEqual([
      "create:x,y",
      "delete:indicator--x",
      "create:x,z",
      "delete:indicator--z",
      "create:z",
    ]);
    expect(api.maxInFlight).toBe(1);
    expect(acked).toEqual(["1-0", "2-0", "3-0", "4-0"]);
  });

  it("acknowledges an event only when all its operations succeeded", async () => {
    const { api, push, acked } = await setup({ flushIntervalMs: 0 });
    const held = deferred();
    api.respond(
      () => 1,
      () => held.promise,
    ); // the delete passes, the create is held
    await push("1-0", del("x"), create("x"));
    await until(() => api.calls.length === 2);
    await tick();
    expect(acked).toEqual([]);
    held.resolve();
    await until(() => acked.length === 1);
    expect(api.summary()).toEqual(["delete:indicator--x", "create:x"]);
  });

  it("acknowledges at once an event with nothing to send", async () => {
    const { api, push, acked } = await setup();
    await push("1-0");
    await push("2-0", { kind: "create", iocs: [] });
    expect(acked).toEqual(["1-0", "2-0"]);
    expect(api.calls).toEqual([]);
  });
});

describe("retries", () => {
  it("honours Retry-After on 429 and retries the same batch", async () => {
    const { api, push, acked, logger, metrics } = await setup();
    api.respond(() => {
      throw apiError("HTTP 429", { kind: "rate_limited", status: 429, retryAfterMs: 30 });
    });
    await push("1-0", create("a", "b"));
    await until(() => acked.length === 1);
    expect(api.summary()).toEqual(["create:a,b", "create:a,b"]);
    const waits = logger.at("warning");
    expect(waits).toHaveLength(1);
    expect(waits[0]?.attributes).toMatchObject({ kind: "rate_limited", status: 429, retry_in_ms: 30 });
    expect(metrics.value("sentinelone_retries_total", { reason: "rate_limited" })).toBe(1);
  });

  it("caps Retry-After at retryMaxDelayMs", async () => {
    const { api, push, acked, logger } = await setup({ retryMaxDelayMs: 20 });
    api.respond(() => {
      throw apiError("HTTP 429", { kind: "rate_limited", status: 429, retryAfterMs: 3_600_000 });
    });
    await push("1-0", create("a"));
    await until(() => acked.length === 1);
    expect(logger.at("warning")[0]?.attributes?.retry_in_ms).toBe(20);
  });

  it.each([
    ["5xx", { kind: "unavailable" as const, status: 503 }],
    ["timeout", { kind: "timeout" as const }],
    ["network error", { kind: "network" as const, code: "ECONNREFUSED" }],
    ["429 without Retry-After", { kind: "rate_limited" as const, status: 429 }],
  ])("retries %s with growing backoff until it succeeds", async (_name, init) => {
    const { api, push, acked, logger, metrics } = await setup({ retryBaseMs: 2, retryMaxDelayMs: 10_000 });
    const fail = () => {
      throw apiError("transient", init);
    };
    api.respond(fail, fail, fail, fail);
    await push("1-0", create("a"));
    await until(() => acked.length === 1);
    expect(api.calls).toHaveLength(5);
    const delays = logger.at("warning").map((line) => line.attributes?.retry_in_ms as number);
    expect(delays).toHaveLength(4);
    expect(delays[3]).toBeGreaterThan(delays[0]!);
    expect(metrics.value("sentinelone_retries_total", { reason: init.kind })).toBe(4);
  });

  it("retries deletes too, and acknowledges after success", async () => {
    const { api, push, acked } = await setup();
    api.respond(() => {
      throw apiError("HTTP 502", { kind: "unavailable", status: 502, method: "DELETE" });
    });
    await push("1-0", del("x"));
    await until(() => acked.length === 1);
    expect(api.summary()).toEqual(["delete:indicator--x", "delete:indicator--x"]);
  });
});

describe("refused content (400)", () => {
  it("dead-letters the items a 400 names and resends the rest", async () => {
    const { api, push, acked, readDeadLetters, metrics } = await setup({ flushIntervalMs: 20 });
    api.respond(() => {
      throw apiError("HTTP 400 Validation Error", {
        kind: "invalid",
        status: 400,
        itemIndices: [1, 3],
        errors: [
          { code: 4000010, title: "Validation Error", detail: "data: 1: value: Not a valid IPv4 address." },
          { code: 4000010, title: "Validation Error", detail: "data: 3: value: hashes_empty_file" },
        ],
      });
    });
    await push("1-0", create("ok0"));
    await push("2-0", create("bad1"));
    await push("3-0", create("ok2"));
    await push("4-0", create("bad3"));
    await until(() => acked.length === 4);
    expect(api.summary()).toEqual(["create:ok0,bad1,ok2,bad3", "create:ok0,ok2"]);
    const records = await readDeadLetters();
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      eventId: "2-0",
      indicatorId: "indicator--bad1",
      ioc: ioc("bad1"),
      status: 400,
      reason: "Validation Error: data: 1: value: Not a valid IPv4 address.",
    });
    expect(Date.parse(records[0]?.time as string)).not.toBeNaN();
    expect(records[1]).toMatchObject({ eventId: "4-0", reason: "Validation Error: data: 3: value: hashes_empty_file" });
    expect(metrics.value("sentinelone_iocs_dead_lettered_total")).toBe(2);
    expect(metrics.value("sentinelone_iocs_created_total", { type: "IPV4" })).toBe(2);
  });

  it("bisects a refused batch without indices until the bad item is alone", async () => {
    const { api, push, acked, readDeadLetters } = await setup({ flushIntervalMs: 20 });
    api.fallback = (call: ApiCall) => {
      if (call.iocs?.some((i) => i.value === "bad")) throw apiError("HTTP 400", { kind: "invalid", status: 400 });
    };
    await push("1-0", create("a", "bad"));
    await push("2-0", create("c", "d"));
    await until(() => acked.length === 2);
    expect(api.summary()).toEqual(["create:a,bad,c,d", "create:a,bad", "create:a", "create:bad", "create:c,d"]);
    const records = await readDeadLetters();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventId: "1-0",
      indicatorId: "indicator--bad",
      status: 400,
      ioc: { value: "bad" },
    });
  });

  it("keeps order: a split batch is finished before the delete queued behind it", async () => {
    const { api, push, acked } = await setup({ flushIntervalMs: 0 });
    const held = deferred();
    api.respond(async () => {
      await held.promise;
      throw apiError("HTTP 400", { kind: "invalid", status: 400 });
    });
    api.fallback = (call) => {
      if (call.iocs?.some((i) => i.value === "bad")) throw apiError("HTTP 400", { kind: "invalid", status: 400 });
    };
    await push("1-0", create("a", "bad"));
    await until(() => api.calls.length === 1);
    await push("2-0", del("a"));
    held.resolve();
    await until(() => acked.length === 2);
    expect(api.summary()).toEqual(["create:a,bad", "create:a", "create:bad", "delete:indicator--a"]);
  });

  it("dead-letters a refused delete", async () => {
    const { api, push, acked, readDeadLetters } = await setup();
    api.respond(() => {
      throw apiError("HTTP 400 filter: externalId: Not a valid string.", {
        kind: "invalid",
        status: 400,
        method: "DELETE",
      });
    });
    await push("1-0", del("x"));
    await until(() => acked.length === 1);
    expect(await readDeadLetters()).toEqual([
      expect.objectContaining({
        eventId: "1-0",
        indicatorId: "indicator--x",
        ioc: { operation: "delete", externalId: "indicator--x" },
        status: 400,
      }),
    ]);
  });

  it("still acknowledges when the dead-letter file cannot be written, logging the record", async () => {
    const failing: DeadLetterSink = {
      location: "/nowhere",
      write: () => Promise.reject(new Error("EACCES")),
    };
    const { api, push, acked, logger } = await setup({}, failing);
    api.respond(() => {
      throw apiError("HTTP 400", { kind: "invalid", status: 400 });
    });
    await push("1-0", create("a"));
    await until(() => acked.length === 1);
    expect(logger.text()).toContain("Could not write the dead-letter file");
    expect(logger.text()).toContain('"value":"a"');
  });
});

describe("fatal errors", () => {
  it.each([401, 403])("stops the run on %i and acknowledges nothing", async (status) => {
    const { api, push, acked, lifecycle, queue } = await setup();
    api.respond(() => {
      throw apiError(`HTTP ${status}`, { kind: "auth", status, errors: [{ title: "Authentication Failed" }] });
    });
    await push("1-0", create("a"));
    await until(() => lifecycle.fatals.length === 1);
    expect(lifecycle.fatals[0]?.message).toMatch(
      new RegExp(
        `^SentinelOne rejected the API key \\(${status} Authentication Failed\\).*check SENTINELONE_INTEL_API_KEY and its scope`,
      ),
    );
    expect(queue.stopped).toBe(true);
    await push("2-0", create("b"));
    await tick();
    expect(api.calls).toHaveLength(1);
    expect(acked).toEqual([]);
  });

  it("stops the run on an unexpected answer (404: wrong URL)", async () => {
    const { api, push, lifecycle, acked } = await setup();
    api.respond(() => {
      throw apiError("SentinelOne POST /threat-intelligence/iocs failed: HTTP 404 Not Found", {
        kind: "other",
        status: 404,
      });
    });
    await push("1-0", create("a"));
    await until(() => lifecycle.fatals.length === 1);
    expect(lifecycle.fatals[0]?.message).toContain("SENTINELONE_INTEL_API_URL");
    expect(acked).toEqual([]);
  });
});

describe("back-pressure and shutdown", () => {
  it("enqueue resolves only when fewer than maxPendingIocs are pending", async () => {
    const { api, push, acked } = await setup({ maxPendingIocs: 3, flushIntervalMs: 0 });
    const held = deferred();
    api.respond(() => held.promise);
    await push("1-0", create("a"));
    await until(() => api.calls.length === 1);
    await push("2-0", create("b"));
    let third = false;
    const pushed = push("3-0", create("c")).then(() => {
      third = true;
    });
    await tick();
    expect(third).toBe(false);
    held.resolve();
    await pushed;
    expect(third).toBe(true);
    await until(() => acked.length === 3);
  });

  it("drain flushes a partial batch at once and waits for it", async () => {
    const { api, push, acked, queue } = await setup({ flushIntervalMs: 60_000 });
    await push("1-0", create("a"));
    await tick();
    expect(api.calls).toHaveLength(0);
    await queue.drain(Date.now() + 5000);
    expect(api.summary()).toEqual(["create:a"]);
    expect(acked).toEqual(["1-0"]);
  });

  it("drain gives up at the deadline, leaving the event unacknowledged", async () => {
    const { api, push, acked, queue } = await setup({ flushIntervalMs: 0 });
    api.fallback = () => {
      throw apiError("HTTP 503", { kind: "unavailable", status: 503 });
    };
    await push("1-0", create("a"));
    await queue.drain(Date.now() + 50);
    expect(queue.stopped).toBe(true);
    const calls = api.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.calls.length).toBe(calls);
    expect(acked).toEqual([]);
  });

  it("the abort signal ends retry and back-pressure waits", async () => {
    const { api, push, lifecycle, queue, acked } = await setup({
      maxPendingIocs: 1,
      retryBaseMs: 60_000,
      retryMaxDelayMs: 60_000,
    });
    api.fallback = () => {
      throw apiError("HTTP 503", { kind: "unavailable", status: 503 });
    };
    const first = push("1-0", create("a"));
    await until(() => api.calls.length === 1);
    lifecycle.controller.abort();
    await first; // resolved although the queue is full
    expect(queue.stopped).toBe(true);
    await tick();
    expect(api.calls).toHaveLength(1);
    expect(acked).toEqual([]);
  });
});
