import { createEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConnectorRun, type StartOptions, startConnector } from "../../src/runtime/runner.js";
import { compareStreamIds } from "../../src/state/stream-ids.js";
import { parseState } from "../../src/state/stream-state.js";
import { baseEnv, LogCapture, waitFor } from "./harness.js";
import { Recorder, recordingPlugin } from "./recording-plugin.js";

const STREAM = "state-cadence-stream";
const TOKEN = "state-cadence-token";

function indicator(n: number) {
  return makeIndicator({
    pattern: `[ipv4-addr:value = '10.5.${n >> 8}.${n & 255}']`,
    name: `ind-${n}`,
    seed: `cad-${n}`,
  });
}

/**
 * Decision 0007: the position saved in OpenCTI follows acknowledged work (about a second behind while work flows, and
 * sooner after N acknowledged events), so a SIGKILL replays little; about one push a second at most, and none while
 * nothing changes (only the keep-alive ping, here every 30 s).
 */
describe("state cadence", () => {
  let sim: OpenCtiSimulator;
  let runs: ConnectorRun[] = [];

  beforeEach(async () => {
    sim = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 100 });
    await sim.start();
    runs = [];
  });

  afterEach(async () => {
    for (const run of runs) await run.stop("test end");
    await sim.stop();
  });

  async function start(recorder: Recorder, env: Record<string, string>, options: Partial<StartOptions> = {}) {
    const run = await startConnector(recordingPlugin(recorder), {
      env,
      searchDirs: [],
      logStream: new LogCapture().stream,
      ...options,
    });
    runs.push(run);
    return run;
  }

  const stored = (connectorId: string) => {
    const from = parseState(sim.connector(connectorId)?.state ?? null)?.start_from;
    return typeof from === "string" ? from : "0-0";
  };

  it("follows acknowledged work within about a second while events flow, at about one push a second", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_STATE_PING_INTERVAL: "30" });
    const recorder = new Recorder();
    const run = await start(recorder, env);
    const id = env.CONNECTOR_ID!;
    await waitFor(() => (sim.connector(id)?.pingCount ?? 0) === 1, "the ping at start-up");
    const startedAt = Date.now();
    const pingsAtStart = sim.connector(id)!.pingCount;
    // 30 events, one every 100 ms; the saved position is sampled as they go.
    const storedDuring = new Set<string>();
    let lastId = "";
    for (let i = 0; i < 30; i++) {
      lastId = sim.publish(createEvent(indicator(i)), STREAM);
      await new Promise((r) => setTimeout(r, 100));
      storedDuring.add(stored(id));
    }
    await waitFor(() => run.state()?.start_from === lastId, "the last event acknowledged and its id closed");
    const committedAt = Date.now();
    await waitFor(() => stored(id) === lastId, "the saved position to reach the last event", 3000);
    expect(Date.now() - committedAt).toBeLessThan(1600);
    // The position moved in OpenCTI several times while events flowed, not only at the end.
    expect(storedDuring.size).toBeGreaterThanOrEqual(2);
    const seconds = (Date.now() - startedAt) / 1000;
    expect(sim.connector(id)!.pingCount - pingsAtStart).toBeLessThanOrEqual(Math.ceil(seconds) + 1);

    // Nothing changes now: no push until the keep-alive (30 s).
    const pingsIdle = sim.connector(id)!.pingCount;
    await new Promise((r) => setTimeout(r, 2500));
    expect(sim.connector(id)!.pingCount).toBe(pingsIdle);
  });

  it("pushes after N acknowledged events without waiting for the interval", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_STATE_PING_INTERVAL: "30" });
    const recorder = new Recorder();
    const run = await start(recorder, env, { stateCadence: { intervalMs: 60_000, everyEvents: 50, minGapMs: 100 } });
    const id = env.CONNECTOR_ID!;
    await waitFor(() => (sim.connector(id)?.pingCount ?? 0) === 1, "the ping at start-up");
    const ids = Array.from({ length: 200 }, (_, i) => sim.publish(createEvent(indicator(i)), STREAM));
    await waitFor(() => recorder.events.length === 200, "200 events");
    await waitFor(() => compareStreamIds(stored(id), ids[149]!) >= 0, "a push by count", 5000);
    expect(compareStreamIds(run.state()!.start_from, ids[149]!)).toBeGreaterThanOrEqual(0);
    expect(sim.connector(id)!.pingCount).toBeLessThanOrEqual(6);
  });
});
