/**
 * The runner tells the handler where a full recovery snapshot starts and ends (issue 12: a start without state is a
 * reconciliation): `snapshotStarted` before the stream opens, `snapshotEnded` in stream order after the snapshot's
 * last object, at the first id past the recover date (here an idle heartbeat, as OpenCTI sends), and never for a
 * start with state or a partial window.
 */

import { createEvent, makeIndicator, OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ConnectorPlugin,
  definePlugin,
  type EventContext,
  type StreamEventHandler,
} from "../../src/runtime/plugin.js";
import { type ConnectorRun, startConnector } from "../../src/runtime/runner.js";
import type { StreamEvent } from "../../src/stream/envelope.js";
import { baseEnv, LogCapture, waitFor } from "./harness.js";

const STREAM = "snapshot-hooks-stream";
const TOKEN = "snapshot-hooks-token";

/** What the handler saw, in order: "start", object ids, "end". */
class Seen {
  readonly marks: string[] = [];
  /** Acknowledgement of the end, held back while set. */
  holdEnd = false;
  endAck: (() => void) | undefined;
}

class MarkingHandler implements StreamEventHandler {
  constructor(private readonly seen: Seen) {}
  snapshotStarted(): void {
    this.seen.marks.push("start");
  }
  async snapshotEnded(_id: string, context: EventContext): Promise<void> {
    this.seen.marks.push("end");
    if (this.seen.holdEnd) this.seen.endAck = context.defer();
  }
  async handle(event: StreamEvent): Promise<void> {
    this.seen.marks.push(event.data.id);
  }
}

function plugin(seen: Seen): ConnectorPlugin {
  return definePlugin({
    manifest: {
      slug: "marking",
      namespace: "marking",
      version: "0.0.0",
      connectorDefaults: { name: "Marking connector" },
    },
    configSchema: { type: "object", properties: {} },
    createHandler: () => new MarkingHandler(seen),
  });
}

const indicator = (n: number) => makeIndicator({ pattern: `[ipv4-addr:value = '10.9.0.${n}']`, seed: `snap-${n}` });

describe("recovery snapshot hooks", () => {
  let sim: OpenCtiSimulator;
  const runs: ConnectorRun[] = [];

  beforeEach(async () => {
    sim = new OpenCtiSimulator({
      token: TOKEN,
      streams: [{ id: STREAM }],
      heartbeatIntervalMs: 200,
      idleHeartbeatsAdvance: true,
    });
    await sim.start();
  });

  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop("test end");
    await sim.stop();
  });

  async function start(seen: Seen, env: Record<string, string>) {
    const run = await startConnector(plugin(seen), { env, searchDirs: [], logStream: new LogCapture().stream });
    runs.push(run);
    return run;
  }

  it("a start without state: start, the snapshot's objects, then end at an idle heartbeat; the end holds the state", async () => {
    for (let i = 0; i < 3; i++) sim.publish(createEvent(indicator(i)), STREAM);
    // The recover date has a one-second resolution (pycti's): objects updated in its second come live, after it.
    await new Promise((r) => setTimeout(r, 1100));
    const seen = new Seen();
    seen.holdEnd = true;
    const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_STATE_PING_INTERVAL: "1" });
    await start(seen, env);
    await waitFor(() => seen.endAck, "the end of the snapshot", 10_000);
    expect(seen.marks).toEqual(["start", ...[0, 1, 2].map((i) => indicator(i).id), "end"]);
    // Held: the stored position stays at or before the last object until the end is acknowledged.
    const state = () => JSON.parse(String(sim.connector(env.CONNECTOR_ID!)?.state ?? "null"))?.start_from as string;
    await new Promise((r) => setTimeout(r, 1500));
    const held = state();
    seen.endAck?.();
    await waitFor(() => state() !== held && state() !== undefined, "the state past the end", 10_000);
  });

  it("a start with state, or from a start timestamp (a partial window), has no snapshot hooks", async () => {
    sim.publish(createEvent(indicator(0)), STREAM);
    const seen = new Seen();
    const env = baseEnv(sim.url, TOKEN, STREAM, { CONNECTOR_LIVE_STREAM_START_TIMESTAMP: "1" });
    await start(seen, env);
    await waitFor(() => seen.marks.length >= 1, "the object", 10_000);
    await new Promise((r) => setTimeout(r, 800));
    expect(seen.marks).toEqual([indicator(0).id]);
  });
});
