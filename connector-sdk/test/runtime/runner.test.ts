import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createEvent,
  deleteEvent,
  makeIdentity,
  makeIndicator,
  makeTlpMarking,
  OpenCtiSimulator,
} from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConnectorRun, startConnector } from "../../src/runtime/runner.js";
import { baseEnv, LogCapture, waitFor } from "./harness.js";
import { Recorder, recordingPlugin } from "./recording-plugin.js";

const STREAM = "runner-test-stream";
const TOKEN = "runner-test-token";

function indicator(n: number) {
  return makeIndicator({
    pattern: `[ipv4-addr:value = '10.0.${Math.floor(n / 250)}.${n % 250}']`,
    name: `ind-${n}`,
    seed: `runner-${n}`,
  });
}

describe("runner end-to-end against the OpenCTI simulator", () => {
  let sim: OpenCtiSimulator;
  let runs: ConnectorRun[] = [];

  beforeEach(async () => {
    sim = new OpenCtiSimulator({
      token: TOKEN,
      streams: [{ id: STREAM, name: "Runner test" }],
      heartbeatIntervalMs: 200,
    });
    await sim.start();
    runs = [];
  });

  afterEach(async () => {
    for (const run of runs) await run.stop("test end");
    await sim.stop();
  });

  async function start(recorder: Recorder, env: Record<string, string>, logs = new LogCapture()) {
    const run = await startConnector(recordingPlugin(recorder), {
      env,
      searchDirs: [],
      logStream: logs.stream,
      retryBaseMs: 50,
    });
    runs.push(run);
    return run;
  }

  it("registers, appears in the connectors list, and pings its state", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM);
    await start(new Recorder(), env);
    const connector = await waitFor(() => sim.connector(env.CONNECTOR_ID!), "registration");
    expect(connector.name).toBe("Recording connector");
    await waitFor(() => (sim.connector(env.CONNECTOR_ID!)?.pingCount ?? 0) >= 1, "a ping");
    const state = JSON.parse(sim.connector(env.CONNECTOR_ID!)!.state as string) as Record<string, unknown>;
    expect(state.start_from).toBeDefined();
    expect(state.recover_until).toBeDefined();
    const register = sim.graphqlRequests.find((r) => r.operationName === "RegisterConnector");
    expect(register?.variables).toMatchObject({ input: { id: env.CONNECTOR_ID, type: "STREAM" } });
  });

  it("delivers events in order, sends pycti's stream headers, and resumes after a restart from the pushed state", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_LIVE_STREAM_LISTEN_DELETE: "true" });
    for (let i = 0; i < 5; i++) sim.publish(createEvent(indicator(i)), STREAM);
    const first = new Recorder();
    const run = await start(first, env);
    await waitFor(() => first.events.length === 5, "5 events");
    expect(first.ids()).toEqual([0, 1, 2, 3, 4].map((i) => indicator(i).id));
    const request = sim.streamRequests[0]!;
    expect(request.headers["listen-delete"]).toBe("true");
    expect(request.headers["no-dependencies"]).toBe("true");
    expect(request.headers["with-inferences"]).toBe("false");
    expect(request.headers["last-event-id"]).toBe("0-0");
    const result = await run.stop("restart test");
    expect(result.exitCode).toBe(0);
    expect(first.drained).toBe(true);
    const stored = JSON.parse(sim.connector(env.CONNECTOR_ID!)!.state as string) as { start_from: string };
    expect(stored.start_from).toBe(result.state?.start_from);

    sim.publish(createEvent(indicator(5)), STREAM);
    sim.publish(deleteEvent(indicator(0)), STREAM);
    const second = new Recorder();
    await start(second, env);
    await waitFor(() => second.events.length >= 2, "2 new events");
    expect(second.events.map((e) => e.event)).toEqual(["create", "delete"]);
  });

  it("never advances the pushed state past an unacknowledged event", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM);
    const ids = [0, 1, 2].map((i) => sim.publish(createEvent(indicator(i)), STREAM));
    const recorder = new Recorder();
    recorder.deferAcks = true;
    const run = await start(recorder, env);
    await waitFor(() => recorder.events.length === 3, "3 events");
    const pingsBefore = sim.connector(env.CONNECTOR_ID!)!.pingCount;
    await waitFor(() => sim.connector(env.CONNECTOR_ID!)!.pingCount >= pingsBefore + 2, "two more pings");
    expect(run.state()?.start_from).toBe("0-0");
    recorder.pending[0]!();
    await waitFor(() => run.state()?.start_from === ids[0], "commit of the first event");
    recorder.ackAll();
    await waitFor(() => run.state()?.start_from === ids[2], "commit of the last event (closed by a heartbeat)");
  });

  it.for([4, 7, 11])(
    "with dependencies (a group of messages per id, each dependency sent once per connection), cuts every %i messages lose and repeat no event",
    async (k) => {
      const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_LIVE_STREAM_NO_DEPENDENCIES: "false" });
      // Few distinct dependencies: later groups on a connection are often the bare event, while the first group
      // after a resume always carries its dependencies again, so group sizes differ between connections.
      const authors = [0, 1, 2].map((a) => makeIdentity({ name: `Author ${a}` }));
      const markings = [makeTlpMarking("TLP:GREEN"), makeTlpMarking("TLP:AMBER")];
      for (let i = 0; i < 60; i++) {
        const event = { ...createEvent(indicator(i)), dependencies: [authors[i % 3]!, markings[i % 2]!] };
        sim.publish(event, STREAM);
      }
      sim.dropEvery(k);
      const recorder = new Recorder();
      await start(recorder, env);
      const indicators = () => recorder.events.filter((e) => e.data.type === "indicator");
      await waitFor(() => sim.streamRequests.length > 5 && indicators().length >= 60, "60 indicators", 30_000);
      expect(indicators().map((e) => e.data.id)).toEqual(Array.from({ length: 60 }, (_, i) => indicator(i).id));
      // Every dependency reaches the handler before the events that need it.
      const seen = new Set<string>();
      for (const event of recorder.events) {
        if (event.data.type !== "indicator") seen.add(event.data.id);
        else {
          const i = Number(String(event.data.name).replace("ind-", ""));
          expect(seen).toContain(authors[i % 3]!.id);
          expect(seen).toContain(markings[i % 2]!.id);
        }
      }
    },
  );

  it("a graceful stop under load, then a restart: every event exactly once, in order (the last handled id is closed)", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM);
    const N = 1500;
    const authors = [0, 1].map((a) => makeIdentity({ name: `Load author ${a}` }));
    for (let i = 0; i < N; i++) sim.publish({ ...createEvent(indicator(i)), dependencies: [authors[i % 2]!] }, STREAM);
    const first = new Recorder();
    first.delayMs = 1;
    const run = await start(first, env);
    await waitFor(() => first.events.length >= 300, "300 events handled");
    const stopped = await run.stop("stop under load");
    expect(stopped.exitCode).toBe(0);
    const second = new Recorder();
    await start(second, env);
    const indicators = (r: Recorder) => r.events.filter((e) => e.data.type === "indicator").map((e) => e.data.id);
    await waitFor(() => indicators(first).length + indicators(second).length >= N, `${N} indicators`, 30_000);
    expect([...indicators(first), ...indicators(second)]).toEqual(Array.from({ length: N }, (_, i) => indicator(i).id));
  });

  it("calls the handler's flush() when nothing more can arrive before it acknowledges events", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT: "10" });
    const N = 600; // several socket reads' worth: what one read carries is handed over even once paused
    for (let i = 0; i < N; i++) sim.publish(createEvent(indicator(i)), STREAM);
    const recorder = new Recorder();
    recorder.deferAcks = true;
    await start(recorder, env);
    await waitFor(() => recorder.flushes.length > 0, "the runner waiting for acknowledgements");
    expect(recorder.flushes).toHaveLength(1);
    const handed = recorder.events.length;
    expect(recorder.flushes[0]).toBe(handed); // called after the last event it read, not before
    expect(handed).toBeGreaterThanOrEqual(10);
    expect(handed).toBeLessThan(N); // reading stopped: the rest waits in OpenCTI
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(recorder.events.length).toBe(handed); // nothing more arrives before an acknowledgement
    expect(recorder.flushes).toHaveLength(1); // once per wait
    recorder.ackAll();
    await waitFor(() => recorder.events.length > handed, "more events after the acknowledgements");
    await waitFor(() => recorder.flushes.length === 2 || recorder.events.length === N, "the next wait, or the end");
    if (recorder.flushes.length === 2) expect(recorder.flushes[1]).toBeGreaterThan(handed);
    recorder.ackAll();
    await waitFor(() => {
      recorder.ackAll();
      return recorder.events.length === N;
    }, "every event");
    expect(recorder.ids()).toEqual(Array.from({ length: N }, (_, i) => indicator(i).id));
  });

  it("reconnects after dropped connections without losing or repeating events", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM);
    sim.dropEvery(7);
    for (let i = 0; i < 60; i++) sim.publish(createEvent(indicator(i)), STREAM);
    const recorder = new Recorder();
    const run = await start(recorder, env);
    await waitFor(() => recorder.events.length >= 60, "60 events", 30_000);
    expect(recorder.ids()).toEqual(Array.from({ length: 60 }, (_, i) => indicator(i).id));
    expect(sim.streamRequests.length).toBeGreaterThan(5);
    expect(await run.metrics.registry.getSingleMetricAsString("stream_reconnects_total")).toMatch(
      /stream_reconnects_total [1-9]/,
    );
  });

  it("skips a malformed event with a logged reason and delivers the ones around it", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM);
    const logs = new LogCapture();
    sim.publish(createEvent(indicator(1)), STREAM);
    const badId = sim.publishRaw("create", "{not json", STREAM);
    sim.publish(createEvent(indicator(2)), STREAM);
    const recorder = new Recorder();
    await start(recorder, env, logs);
    await waitFor(() => recorder.events.length === 2, "2 valid events");
    const line = logs.lines().find((l) => l.message === "Malformed stream event skipped");
    expect(line?.attributes).toMatchObject({ event_id: badId });
  });

  it("a handler error is retried; an event that keeps failing is dead-lettered, then acknowledged, and the run goes on", async () => {
    const dir = await mkdtemp(join(tmpdir(), "runner-dl-"));
    const deadLetterPath = join(dir, "events.dead-letter.jsonl");
    const env = baseEnv(sim.url, TOKEN, STREAM, {
      CONNECTOR_EVENT_MAX_ATTEMPTS: "3",
      CONNECTOR_DEAD_LETTER_PATH: deadLetterPath,
    });
    const logs = new LogCapture();
    const recorder = new Recorder();
    recorder.throwOn = (e) => e.data.id === indicator(1).id;
    const ids = [0, 1, 2].map((i) => sim.publish(createEvent(indicator(i)), STREAM));
    const run = await start(recorder, env, logs);
    await waitFor(() => recorder.ids().includes(indicator(2).id), "the event after the failing one");
    expect(recorder.ids()).toEqual([0, 1, 1, 1, 2].map((i) => indicator(i).id));
    expect(logs.lines().filter((l) => l.message === "Event handler failed, retrying")).toHaveLength(2);
    const line = logs
      .lines()
      .find((l) => l.message === "Event handler kept failing; event written to the dead-letter file");
    expect(line?.attributes).toMatchObject({
      event_id: ids[1],
      attempts: 3,
      reason: `handler refused ${indicator(1).id}`,
    });
    expect(readFileSync(deadLetterPath, "utf8").trim().split("\n")).toHaveLength(1);
    await waitFor(() => run.state()?.start_from === ids[2], "progress past the dead-lettered event");
  });

  it("honours a state reset made in OpenCTI without exiting: replays the stream from the beginning", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM);
    const logs = new LogCapture();
    for (let i = 0; i < 3; i++) sim.publish(createEvent(indicator(i)), STREAM);
    const recorder = new Recorder();
    await start(recorder, env, logs);
    await waitFor(() => recorder.events.length === 3, "3 events");
    sim.resetState(env.CONNECTOR_ID!);
    await waitFor(() => recorder.events.length === 6, "the 3 events again", 20_000);
    expect(logs.has("Connector state has been remotely reset")).toBe(true);
  });

  it("the watchdog replaces a silent connection", async () => {
    await sim.stop();
    sim = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 60_000 });
    await sim.start();
    const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_LIVE_STREAM_WATCHDOG_TIMEOUT: "1" });
    const logs = new LogCapture();
    await start(new Recorder(), env, logs);
    await waitFor(() => sim.streamRequests.length >= 2, "a second stream connection", 20_000);
    expect(logs.has(/watchdog/i)).toBe(true);
  });

  it("stops with exit code 1 and a clear message when the token is refused", async () => {
    const env = baseEnv(sim.url, "wrong-token", STREAM);
    const logs = new LogCapture();
    const run = await start(new Recorder(), env, logs);
    const result = await run.done;
    expect(result.exitCode).toBe(1);
    expect(logs.raw).toMatch(/AUTH_REQUIRED|token/i);
    expect(logs.raw).not.toContain("wrong-token");
  });

  it("waits for OpenCTI when it is absent at start-up", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM);
    sim.failGraphql(3, 502);
    const logs = new LogCapture();
    await start(new Recorder(), env, logs);
    await waitFor(() => sim.connector(env.CONNECTOR_ID!), "registration after the failures");
    expect(logs.has(/OpenCTI API is not reachable/)).toBe(true);
  });
});
