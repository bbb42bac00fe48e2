import { createEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConnectorRun, startConnector } from "../../src/runtime/runner.js";
import { parseState } from "../../src/state/stream-state.js";
import { baseEnv, LogCapture, waitFor } from "./harness.js";
import { Recorder, recordingPlugin } from "./recording-plugin.js";

const STREAM = "registration-reset-stream";
const TOKEN = "registration-reset-token";

function indicator(n: number) {
  return makeIndicator({ pattern: `[ipv4-addr:value = '10.6.0.${n}']`, name: `ind-${n}`, seed: `reset-${n}` });
}

/**
 * A state reset made in OpenCTI while the connector was down: registration returns the empty state (a fresh start),
 * and the first ping only clears OpenCTI's reset flag (it stores nothing and returns ''). That first ping is not a
 * reset made during the run: no "remotely reset", no second stream, each event once.
 */
describe("a state reset found at registration", () => {
  let sim: OpenCtiSimulator;
  let runs: ConnectorRun[] = [];

  beforeEach(async () => {
    sim = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 200 });
    await sim.start();
    runs = [];
  });

  afterEach(async () => {
    for (const run of runs) await run.stop("test end");
    await sim.stop();
  });

  async function start(recorder: Recorder, env: Record<string, string>, logs: LogCapture) {
    const run = await startConnector(recordingPlugin(recorder), { env, searchDirs: [], logStream: logs.stream });
    runs.push(run);
    return run;
  }

  it("is a fresh start from the registration's state, not a remote reset", async () => {
    const ids = [0, 1, 2].map((i) => sim.publish(createEvent(indicator(i)), STREAM));
    const env = baseEnv(sim.url, TOKEN, STREAM);
    const first = new Recorder();
    const run1 = await start(first, env, new LogCapture());
    await waitFor(() => first.events.length === 3, "3 events");
    const stopped = await run1.stop("down for maintenance");
    expect(stopped.state?.start_from).toBe(ids[2]);

    sim.resetState(env.CONNECTOR_ID!); // in the UI, while the connector is down
    const streamsBefore = sim.streamRequests.length;
    const logs = new LogCapture();
    const second = new Recorder();
    const run2 = await start(second, env, logs);
    await waitFor(() => second.events.length === 3, "the 3 events, from the beginning");
    // The new position reaches OpenCTI (the flag-clearing ping stored nothing).
    await waitFor(() => parseState(sim.connector(env.CONNECTOR_ID!)?.state ?? null)?.start_from === ids[2], "state");
    const pings = sim.connector(env.CONNECTOR_ID!)!.pingCount;
    await waitFor(() => sim.connector(env.CONNECTOR_ID!)!.pingCount >= pings + 2, "two more pings");
    expect(logs.has("Connector state has been remotely reset")).toBe(false);
    expect(logs.has(/reset in OpenCTI while the connector was stopped/)).toBe(true);
    expect(sim.streamRequests.length - streamsBefore).toBe(1);
    expect(sim.streamRequests.at(-1)?.headers["last-event-id"]).toBe("0-0");
    expect(second.ids()).toEqual([0, 1, 2].map((i) => indicator(i).id));
    expect(run2.state()?.start_from).toBe(ids[2]);
  });

  it("a reset made during the run is still a remote reset", async () => {
    for (const i of [0, 1]) sim.publish(createEvent(indicator(i)), STREAM);
    const env = baseEnv(sim.url, TOKEN, STREAM);
    const logs = new LogCapture();
    const recorder = new Recorder();
    await start(recorder, env, logs);
    await waitFor(() => recorder.events.length === 2, "2 events");
    sim.resetState(env.CONNECTOR_ID!);
    await waitFor(() => recorder.events.length === 4, "the 2 events again");
    expect(logs.has("Connector state has been remotely reset")).toBe(true);
  });
});
