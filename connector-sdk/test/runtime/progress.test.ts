/** Issue 13 item 5: the periodic progress line, from the run's metrics plus the connector's own counters. */

import { createEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/index.js";
import { createMetrics } from "../../src/metrics/index.js";
import { reportInProgress, startProgress } from "../../src/runtime/progress.js";
import { type ConnectorRun, startConnector } from "../../src/runtime/runner.js";
import { baseEnv, LogCapture, waitFor } from "./harness.js";
import { Recorder, recordingPlugin } from "./recording-plugin.js";

describe("progress line", () => {
  it("counts handled events since the last line, the connector's counters with their breakdown, position and lag", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const created = metrics.counter("iocs_created_total", "c", ["type"]);
    const skipped = metrics.counter("skipped_total", "s", ["reason"]);
    reportInProgress(metrics, { key: "iocs_created", label: "IOCs created", metric: created });
    reportInProgress(metrics, { key: "skipped", label: "skipped", metric: skipped, by: "reason" });
    const logs = new LogCapture();
    const logger = createLogger({ name: "t", level: "info", stream: logs.stream });
    const progress = startProgress({ logger, metrics, intervalSeconds: 0, position: () => "1700000000000-3" });

    metrics.sdk.eventsHandled.inc({ event: "create" }, 5);
    created.inc({ type: "IPV4" }, 3);
    created.inc({ type: "DNS" }, 1);
    skipped.inc({ reason: "revoked" }, 1);
    skipped.inc({ reason: "compound_and" }, 2);
    metrics.sdk.lag.set(1.26);
    const first = await progress.line();
    expect(first.message).toBe(
      "Progress: 5 events handled (+5), IOCs created 4, skipped 3 (compound_and 2, revoked 1), position 1700000000000-3, lag 1.3 s",
    );
    expect(first.attributes).toEqual({
      events_handled: 5,
      events_handled_since_last: 5,
      events_failed: 0,
      events_malformed: 0,
      iocs_created: 4,
      skipped: { total: 3, revoked: 1, compound_and: 2 },
      position: "1700000000000-3",
      lag_seconds: 1.3,
    });
    metrics.sdk.eventsHandled.inc({ event: "update" }, 2);
    metrics.sdk.eventsFailed.inc({ reason: "TypeError" });
    expect((await progress.line()).message).toMatch(/^Progress: 7 events handled \(\+2\), 1 failed \(TypeError 1\), /);
    await progress.stop();
    expect(logs.lines()).toEqual([]); // interval 0: no line at all, not even at stop
  });

  it("a connector's counters do not leak into another run's line", async () => {
    const a = createMetrics({ processMetrics: false });
    reportInProgress(a, { key: "x", label: "x", metric: a.counter("x_total", "x") });
    const b = createMetrics({ processMetrics: false });
    const logger = createLogger({ name: "t", level: "error" });
    const line = await startProgress({ logger, metrics: b, intervalSeconds: 0, position: () => undefined }).line();
    expect(line.message).toBe("Progress: 0 events handled (+0), position none yet, lag 0 s");
  });
});

describe("runner: a healthy connector logs progress at info", () => {
  let sim: OpenCtiSimulator | undefined;
  let run: ConnectorRun | undefined;
  afterEach(async () => {
    await run?.stop("test end");
    await sim?.stop();
  });

  it("every connector.progress_interval seconds, and once more at stop", async () => {
    sim = new OpenCtiSimulator({ token: "t", streams: [{ id: "s", name: "S" }], heartbeatIntervalMs: 200 });
    await sim.start();
    for (let i = 0; i < 3; i++) {
      sim.publish(createEvent(makeIndicator({ pattern: `[ipv4-addr:value = '10.9.0.${i}']`, seed: `p-${i}` })), "s");
    }
    const logs = new LogCapture();
    const recorder = new Recorder();
    run = await startConnector(recordingPlugin(recorder), {
      env: baseEnv(sim.url, "t", "s", { CONNECTOR_LOG_LEVEL: "info", CONNECTOR_PROGRESS_INTERVAL: "1" }),
      searchDirs: [],
      logStream: logs.stream,
      retryBaseMs: 50,
    });
    const line = await waitFor(
      () => logs.lines().find((l) => l.message.startsWith("Progress: 3 events handled")),
      "a progress line with 3 events",
    );
    expect(line.level).toBe("INFO");
    expect(line.attributes).toMatchObject({ events_handled: 3, position: run.state()?.start_from });
    await run.stop("test end");
    const last = logs.lines().at(-1);
    expect(last?.message).toMatch(/^Progress: 3 events handled \(\+0\)/);
  });
});
