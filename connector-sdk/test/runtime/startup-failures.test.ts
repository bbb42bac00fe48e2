import { createServer, type Server } from "node:net";
import { createEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { definePlugin, type StreamEventHandler } from "../../src/runtime/plugin.js";
import { type ConnectorRun, startConnector } from "../../src/runtime/runner.js";
import { baseEnv, LogCapture, waitFor } from "./harness.js";
import { Recorder, recordingPlugin } from "./recording-plugin.js";

const STREAM = "startup-failures-stream";
const TOKEN = "startup-failures-token";

class FailingStartHandler implements StreamEventHandler {
  async start(): Promise<void> {
    throw new Error("cannot reach the target: ECONNREFUSED 127.0.0.1:1");
  }
  async handle(): Promise<void> {}
}

const failingStartPlugin = definePlugin({
  manifest: {
    slug: "failing-start",
    namespace: "failing_start",
    version: "0.0.0",
    connectorDefaults: { name: "Failing start" },
  },
  configSchema: { type: "object", properties: {} },
  createHandler: () => new FailingStartHandler(),
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "0.0.0.0", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
}

describe("start-up failures end the run with exit code 1 and their cause logged", () => {
  let sim: OpenCtiSimulator;
  let runs: ConnectorRun[] = [];
  let blocker: Server | undefined;

  beforeEach(async () => {
    sim = new OpenCtiSimulator({ token: TOKEN, streams: [{ id: STREAM }], heartbeatIntervalMs: 200 });
    await sim.start();
    sim.publish(createEvent(makeIndicator({ pattern: "[ipv4-addr:value = '10.9.9.9']", seed: "startup" })), STREAM);
    runs = [];
  });

  afterEach(async () => {
    for (const run of runs) await run.stop("test end");
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
    await sim.stop();
  });

  /** After the run ended: no more pings, and the stream was never opened. */
  async function expectQuiet(connectorId: string): Promise<void> {
    const pings = sim.connector(connectorId)?.pingCount ?? 0;
    await new Promise((r) => setTimeout(r, 1500)); // CONNECTOR_STATE_PING_INTERVAL is 1 s in baseEnv
    expect(sim.connector(connectorId)?.pingCount ?? 0).toBe(pings);
    expect(sim.streamRequests).toHaveLength(0);
  }

  it("the metrics port is taken", async () => {
    blocker = createServer();
    const port = await listen(blocker);
    const env = baseEnv(sim.url, TOKEN, STREAM, {
      CONNECTOR_EXPOSE_METRICS: "true",
      CONNECTOR_METRICS_PORT: String(port),
    });
    const logs = new LogCapture();
    const recorder = new Recorder();
    const run = await startConnector(recordingPlugin(recorder), { env, searchDirs: [], logStream: logs.stream });
    runs.push(run);
    await expect(run.started).rejects.toThrow(/EADDRINUSE/);
    const result = await waitFor(
      () => Promise.race([run.done, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]),
      "the run to end",
    );
    expect(result.exitCode).toBe(1);
    expect(result.reason).toMatch(new RegExp(`port ${port} \\(CONNECTOR_METRICS_PORT\\).*EADDRINUSE`));
    const line = logs.lines().find((l) => l.level === "ERROR" && /Connector failed to start/.test(l.message));
    expect(line?.message).toMatch(/EADDRINUSE/);
    expect(recorder.events).toHaveLength(0);
    expect(recorder.stopped).toBe(true);
    await expectQuiet(env.CONNECTOR_ID!);
  });

  it("the handler's start() throws", async () => {
    const env = baseEnv(sim.url, TOKEN, STREAM);
    const logs = new LogCapture();
    const run = await startConnector(failingStartPlugin, { env, searchDirs: [], logStream: logs.stream });
    runs.push(run);
    await expect(run.started).rejects.toThrow(/ECONNREFUSED/);
    const result = await waitFor(
      () => Promise.race([run.done, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]),
      "the run to end",
    );
    expect(result.exitCode).toBe(1);
    const line = logs.lines().find((l) => l.level === "ERROR" && /Connector failed to start/.test(l.message));
    expect(line?.message).toMatch(/start\(\) failed: cannot reach the target: ECONNREFUSED/);
    await expectQuiet(env.CONNECTOR_ID!);
  });
});
