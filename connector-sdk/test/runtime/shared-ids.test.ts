import {
  createEvent,
  makeIdentity,
  makeIndicator,
  makeTlpMarking,
  OpenCtiSimulator,
} from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConnectorRun, startConnector } from "../../src/runtime/runner.js";
import type { StixObject } from "../../src/stream/envelope.js";
import { baseEnv, LogCapture, waitFor } from "./harness.js";
import { Recorder, recordingPlugin } from "./recording-plugin.js";

const STREAM = "shared-ids-stream";
const TOKEN = "shared-ids-token";
const N = 40;

function indicator(n: number) {
  return makeIndicator({ pattern: `[ipv4-addr:value = '10.7.0.${n}']`, name: `ind-${n}`, seed: `shared-${n}` });
}

/**
 * OpenCTI sends the objects an event references that the connection has not sent yet (author, markings) under the
 * event's own id, whatever `no-dependencies` says (sseMiddleware.js `resolveAndPublishMissingRefs`); only core
 * relationships are gated by the flag. A cut or a stop between such an object and its event must not skip the event.
 */
describe.each([true, false])("ids shared by an event and its referenced objects (no-dependencies=%s)", (noDeps) => {
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

  it("a cut right after a referenced object, a restart, then cuts every 7 messages: every event once, in order", async () => {
    const authors = [0, 1, 2].map((a) => makeIdentity({ name: `Shared author ${a}` }));
    const markings = [makeTlpMarking("TLP:GREEN"), makeTlpMarking("TLP:AMBER")];
    const relation = (i: number): StixObject => ({
      id: `relationship--00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      type: "relationship",
      spec_version: "2.1",
      relationship_type: "indicates",
      source_ref: indicator(i).id,
      target_ref: "malware--00000000-0000-4000-8000-000000000000",
    });
    let lastId = "";
    for (let i = 0; i < N; i++) {
      const event = { ...createEvent(indicator(i)), dependencies: [authors[i % 3]!, markings[i % 2]!, relation(i)] };
      lastId = sim.publish(event, STREAM);
    }
    const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_LIVE_STREAM_NO_DEPENDENCIES: String(noDeps) });
    // First connection: event 0 with its dependencies (2 referenced objects, + its relationship without the flag),
    // then the author of event 1, then the cut: event 1 has not arrived.
    const beforeCut = (noDeps ? 3 : 4) + 1;
    sim.dropEvery(beforeCut);
    const first = new Recorder();
    const run1 = await startConnector(recordingPlugin(first), {
      env,
      searchDirs: [],
      logStream: new LogCapture().stream,
      retryBaseMs: 5000, // still waiting to reconnect when stopped
    });
    runs.push(run1);
    await waitFor(() => first.events.length === beforeCut, `the ${beforeCut} messages before the cut`);
    expect(first.events.at(-1)?.data.id).toBe(authors[1]!.id);
    const stopped = await run1.stop("restart");
    expect(stopped.exitCode).toBe(0);

    sim.dropEvery(7);
    const second = new Recorder();
    const run2 = await startConnector(recordingPlugin(second), {
      env,
      searchDirs: [],
      logStream: new LogCapture().stream,
      retryBaseMs: 20,
    });
    runs.push(run2);
    const indicators = (r: Recorder) => r.events.filter((e) => e.data.type === "indicator").map((e) => e.data.id);
    await waitFor(() => indicators(second).length >= N - 1, `the other ${N - 1} indicators`, 30_000);
    expect(sim.streamRequests.length).toBeGreaterThan(5);
    expect([...indicators(first), ...indicators(second)]).toEqual(Array.from({ length: N }, (_, i) => indicator(i).id));
    // Every referenced object reaches the handler before the event that needs it, on each run.
    for (const recorder of [first, second]) {
      const seen = new Set<string>();
      for (const event of recorder.events) {
        if (event.data.type !== "indicator") seen.add(event.data.id);
        else {
          const i = Number(String(event.data.name).replace("ind-", ""));
          expect(seen).toContain(authors[i % 3]!.id);
          expect(seen).toContain(markings[i % 2]!.id);
        }
      }
    }
    const relations = second.events.filter((e) => e.data.type === "relationship");
    if (noDeps) expect(relations).toHaveLength(0);
    else expect(relations.length).toBeGreaterThanOrEqual(N - 1);
    // The position reaches the last event once a heartbeat closed its id: a restart repeats nothing.
    await waitFor(() => run2.state()?.start_from === lastId, "the position of the last event");
  });
});
