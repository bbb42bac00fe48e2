import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FatalConnectorError } from "../../src/runtime/plugin.js";
import { type ConnectorRun, startConnector } from "../../src/runtime/runner.js";
import { baseEnv, LogCapture, waitFor } from "./harness.js";
import { Recorder, recordingPlugin } from "./recording-plugin.js";

const STREAM = "handler-errors-stream";
const TOKEN = "Handler-Errors-0ctiT0ken-5ecret-9f8e7d";

function indicator(n: number) {
  return makeIndicator({ pattern: `[ipv4-addr:value = '10.8.0.${n}']`, name: `ind-${n}`, seed: `errors-${n}` });
}

interface DeadLetterLine {
  time: string;
  event_id: string;
  event_type: string;
  entity_type: string;
  entity_id: string;
  reason: string;
  attempts: number;
  data: { id: string; name: string };
}

/**
 * Decision 0006: a handler throw is retried with backoff; an event that keeps failing goes to the SDK's dead-letter
 * file (counted, logged at error with its id and reason) and only then is acknowledged. Nothing is acknowledged
 * silently; a stop during the retries leaves the event unacknowledged (replayed on the next start).
 */
describe("handler errors: retry, then dead-letter; never acknowledged silently", () => {
  let sim: OpenCtiSimulator;
  let runs: ConnectorRun[] = [];
  let dir: string;

  beforeEach(async () => {
    sim = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 200 });
    await sim.start();
    runs = [];
    dir = await mkdtemp(join(tmpdir(), "handler-errors-"));
  });

  afterEach(async () => {
    for (const run of runs) await run.stop("test end");
    await sim.stop();
  });

  async function start(recorder: Recorder, extra: Record<string, string>, retryBaseMs = 20, logs = new LogCapture()) {
    const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_DEAD_LETTER_PATH: join(dir, "dl.jsonl"), ...extra });
    const run = await startConnector(recordingPlugin(recorder), {
      env,
      searchDirs: [],
      logStream: logs.stream,
      retryBaseMs,
    });
    runs.push(run);
    return { run, env, logs };
  }

  const count = (r: Recorder, n: number) => r.ids().filter((id) => id === indicator(n).id).length;

  it("a transient throw is retried with backoff, in order, and acknowledged once it succeeds", async () => {
    const ids = [0, 1, 2].map((i) => sim.publish(createEvent(indicator(i)), STREAM));
    const recorder = new Recorder();
    let failures = 0;
    recorder.throwOn = (e) => e.data.id === indicator(1).id && failures++ < 2;
    const { run, logs } = await start(recorder, { CONNECTOR_EVENT_MAX_ATTEMPTS: "5" });
    await waitFor(() => run.state()?.start_from === ids[2], "every event acknowledged");
    expect(recorder.ids()).toEqual([0, 1, 1, 1, 2].map((i) => indicator(i).id));
    const retries = logs.lines().filter((l) => l.message === "Event handler failed, retrying");
    expect(retries.map((l) => l.attributes?.attempt)).toEqual([1, 2]);
    expect(retries[0]?.attributes).toMatchObject({ event_id: ids[1], max_attempts: 5 });
    expect((await run.metrics.sdk.eventsFailed.get()).values.reduce((n, v) => n + v.value, 0)).toBe(2);
    expect((await run.metrics.sdk.eventsDeadLettered.get()).values[0]?.value ?? 0).toBe(0);
  });

  it("an event that keeps failing goes to the dead-letter file (secrets scrubbed), is counted and logged, then acknowledged", async () => {
    const ids = [0, 1, 2].map((i) => sim.publish(createEvent(indicator(i)), STREAM));
    const recorder = new Recorder();
    // A failing call whose error text echoes a credential must not leak it.
    recorder.throwOn = (e) => {
      if (e.data.id === indicator(1).id) throw new Error(`target refused (token ${TOKEN})`);
      return false;
    };
    const { run, logs } = await start(recorder, { CONNECTOR_EVENT_MAX_ATTEMPTS: "3" });
    await waitFor(() => run.state()?.start_from === ids[2], "every event acknowledged");
    expect(count(recorder, 1)).toBe(3);
    const lines = readFileSync(join(dir, "dl.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as DeadLetterLine;
    expect(record).toMatchObject({
      event_id: ids[1],
      event_type: "create",
      entity_type: "indicator",
      entity_id: indicator(1).id,
      attempts: 3,
      reason: "target refused (token [REDACTED])",
      data: { id: indicator(1).id, name: "ind-1" },
    });
    expect(Number.isNaN(Date.parse(record.time))).toBe(false);
    expect(readFileSync(join(dir, "dl.jsonl"), "utf8")).not.toContain(TOKEN);
    const line = logs
      .lines()
      .find((l) => l.message === "Event handler kept failing; event written to the dead-letter file");
    expect(line?.level).toBe("ERROR");
    expect(line?.attributes).toMatchObject({
      event_id: ids[1],
      attempts: 3,
      reason: "target refused (token [REDACTED])",
    });
    expect(logs.raw).not.toContain(TOKEN);
    expect((await run.metrics.sdk.eventsDeadLettered.get()).values[0]?.value).toBe(1);
  });

  it("a stop during the retries ends them at once and leaves the event unacknowledged: the next start replays it", async () => {
    const ids = [0, 1].map((i) => sim.publish(createEvent(indicator(i)), STREAM));
    const recorder = new Recorder();
    recorder.throwOn = (e) => e.data.id === indicator(1).id;
    const { run, env } = await start(recorder, { CONNECTOR_EVENT_MAX_ATTEMPTS: "100" }, 10_000);
    await waitFor(() => count(recorder, 1) === 1, "the first attempt");
    const before = Date.now();
    const result = await run.stop("stop during retries");
    expect(Date.now() - before).toBeLessThan(5000); // CONNECTOR_SHUTDOWN_TIMEOUT is 5 s: the wait was aborted
    expect(result.state?.start_from).toBe(ids[0]);
    expect(() => readFileSync(join(dir, "dl.jsonl"))).toThrow(/ENOENT/);

    const again = new Recorder();
    const second = await startConnector(recordingPlugin(again), {
      env,
      searchDirs: [],
      logStream: new LogCapture().stream,
      retryBaseMs: 20,
    });
    runs.push(second);
    await waitFor(() => again.ids().includes(indicator(1).id), "the unacknowledged event, replayed");
    expect(again.ids()[0]).toBe(indicator(1).id);
  });

  it("a dead-letter file that cannot be written stops the run (exit 1) without acknowledging the event", async () => {
    const ids = [0, 1, 2].map((i) => sim.publish(createEvent(indicator(i)), STREAM));
    const blocker = join(dir, "not-a-directory");
    writeFileSync(blocker, "");
    const recorder = new Recorder();
    recorder.throwOn = (e) => e.data.id === indicator(1).id;
    const logs = new LogCapture();
    const { run } = await start(
      recorder,
      { CONNECTOR_EVENT_MAX_ATTEMPTS: "2", CONNECTOR_DEAD_LETTER_PATH: join(blocker, "dl.jsonl") },
      20,
      logs,
    );
    const result = await run.done;
    expect(result.exitCode).toBe(1);
    expect(result.reason).toMatch(/Cannot write the dead-letter file .*CONNECTOR_DEAD_LETTER_PATH/);
    expect(result.state?.start_from).toBe(ids[0]);
    expect(recorder.ids()).not.toContain(indicator(2).id);
  });

  it("FatalConnectorError still stops the run at once (exit 1), without retries", async () => {
    const ids = [0, 1].map((i) => sim.publish(createEvent(indicator(i)), STREAM));
    const recorder = new Recorder();
    recorder.throwOn = (e) => {
      if (e.data.id === indicator(1).id) throw new FatalConnectorError("API key revoked");
      return false;
    };
    const { run } = await start(recorder, {});
    const result = await run.done;
    expect(result.exitCode).toBe(1);
    expect(result.reason).toBe("API key revoked");
    expect(count(recorder, 1)).toBe(1);
    expect(result.state?.start_from).toBe(ids[0]);
  });
});
