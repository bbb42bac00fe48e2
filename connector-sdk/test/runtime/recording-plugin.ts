import {
  type ConnectorPlugin,
  definePlugin,
  type EventContext,
  type StreamEventHandler,
} from "../../src/runtime/plugin.js";
import type { StreamEvent } from "../../src/stream/envelope.js";

/** What the recording handler saw; tests drive its behaviour through these switches. */
export class Recorder {
  readonly events: StreamEvent[] = [];
  /** Acknowledge later: pending acks are kept here until `ackAll()`. */
  deferAcks = false;
  readonly pending: (() => void)[] = [];
  throwOn: ((event: StreamEvent) => boolean) | undefined;
  /** A slow handler: each event takes this long (a backlog builds up). */
  delayMs = 0;
  drained = false;
  stopped = false;
  /** How many events had been handed over at each `flush()` call. */
  readonly flushes: number[] = [];

  ackAll(): void {
    for (const ack of this.pending.splice(0)) ack();
  }

  ids(): string[] {
    return this.events.map((e) => e.data.id);
  }
}

class RecordingHandler implements StreamEventHandler {
  constructor(private readonly recorder: Recorder) {}

  async handle(event: StreamEvent, context: EventContext): Promise<void> {
    if (this.recorder.delayMs > 0) await new Promise((r) => setTimeout(r, this.recorder.delayMs));
    this.recorder.events.push(event);
    if (this.recorder.throwOn?.(event)) throw new Error(`handler refused ${event.data.id}`);
    if (this.recorder.deferAcks) this.recorder.pending.push(context.defer());
  }

  flush(): void {
    this.recorder.flushes.push(this.recorder.events.length);
  }

  async drain(): Promise<void> {
    this.recorder.drained = true;
  }

  async stop(): Promise<void> {
    this.recorder.stopped = true;
  }
}

/** A minimal connector: records every event. */
export function recordingPlugin(recorder: Recorder): ConnectorPlugin {
  return definePlugin({
    manifest: {
      slug: "recording",
      namespace: "recording",
      version: "0.0.0",
      connectorDefaults: { name: "Recording connector" },
    },
    configSchema: { type: "object", properties: {} },
    createHandler: () => new RecordingHandler(recorder),
  });
}
