/**
 * OpenCTI's recovery snapshot as an async iterable: the current version of every object the live stream lets
 * through, as OpenCTI itself computes it (its own filters, markings, inference switch). No second implementation
 * of stream filters: whatever the stream sends as `create` before the recover date is the snapshot.
 *
 * How: connect from `0-0` with `recover=<now>` (pycti's first run); OpenCTI lists the matching objects from its
 * database and sends each as `create` with an id derived from its `updated_at` (≤ the recover date), then tails
 * the live stream from the recover date. The snapshot is over at the first id past the recover date: a live event,
 * or the heartbeat an idle stream sends (`<now>-0`). Reconnects resume inside the snapshot (the live-stream
 * client's resume logic), so a long snapshot survives a cut connection.
 */
import { tlsFrom } from "../config/tls.js";
import type { BaseConfig } from "../config/types.js";
import type { HttpAgents, TlsSettings } from "../http/types.js";
import type { Logger } from "../logging/types.js";
import { AckTracker } from "../state/ack-tracker.js";
import { parseStreamId } from "../state/stream-ids.js";
import type { StixObject } from "./envelope.js";
import { LiveStream, type RawStreamMessage } from "./live-stream.js";
import { isMalformed, parseEnvelope } from "./parse-envelope.js";

export interface RecoverySnapshotOptions {
  /** OpenCTI base URL. */
  readonly url: string;
  /** The live stream collection id (`CONNECTOR_LIVE_STREAM_ID`); undefined = the generic `/stream` route. */
  readonly streamId: string | undefined;
  readonly token: string;
  readonly tls: TlsSettings;
  readonly agents: HttpAgents;
  readonly logger: Logger;
  readonly withInferences: boolean;
  /**
   * `no-dependencies` (default true): core relationships are not sent ahead of objects. Referenced objects the
   * connection has not sent yet (author, markings) still are, flagged `dependency`.
   */
  readonly noDependencies?: boolean;
  /** The recover date, epoch ms (default: now). Objects updated after it are not part of the snapshot. */
  readonly recoverUntilMs?: number;
  /** Silence after which the connection is replaced (ms, default 60 000; heartbeats come every 5 s). */
  readonly watchdogMs?: number;
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** Objects buffered before the socket stops being read (back-pressure; default 1,000). */
  readonly maxBuffered?: number;
  readonly signal?: AbortSignal;
}

/** One object of the snapshot. */
export interface SnapshotObject {
  /** The SSE id it came with (derived from its `updated_at`). */
  readonly streamId: string;
  /** The object's current STIX version. */
  readonly data: StixObject;
  /** Sent ahead of another object as a reference it needs (`origin.referer` `init-dependencies`), not matched. */
  readonly dependency: boolean;
}

export interface SnapshotStats {
  /** Id-bearing messages received (heartbeats included). */
  messages: number;
  /** Objects handed over. */
  objects: number;
  /** Messages that could not be parsed (logged and skipped). */
  malformed: number;
  /** Reconnections during the snapshot. */
  reconnects: number;
}

/** Reads the snapshot once; iterate it with `for await`. Breaking out of the loop closes the connection. */
export class RecoverySnapshot implements AsyncIterable<SnapshotObject> {
  readonly recoverUntilMs: number;
  readonly stats: SnapshotStats = { messages: 0, objects: 0, malformed: 0, reconnects: 0 };
  private started = false;

  constructor(private readonly options: RecoverySnapshotOptions) {
    this.recoverUntilMs = options.recoverUntilMs ?? Date.now();
  }

  /** The recover date as sent (`?recover=`). */
  get recoverUntil(): string {
    return new Date(this.recoverUntilMs).toISOString();
  }

  [Symbol.asyncIterator](): AsyncIterator<SnapshotObject> {
    if (this.started) throw new Error("a RecoverySnapshot is read once: create another one to read it again");
    this.started = true;
    return this.read();
  }

  private async *read(): AsyncGenerator<SnapshotObject> {
    const { options } = this;
    const noDependencies = options.noDependencies ?? true;
    const maxBuffered = Math.max(1, options.maxBuffered ?? 1000);
    const tracker = new AckTracker("0-0");
    const buffer: SnapshotObject[] = [];
    let head = 0;
    let over = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const finish = (error?: Error) => {
      if (over) return;
      over = true;
      failure = error;
      stream.stop();
      notify();
    };
    const onMessage = (message: RawStreamMessage) => {
      if (over || message.id === undefined) return; // `connected` carries no position
      this.stats.messages++;
      const position = parseStreamId(message.id);
      if (position !== undefined && position.ms > this.recoverUntilMs) {
        finish();
        return;
      }
      if (message.event === "heartbeat") {
        tracker.heartbeat(message.id);
        return;
      }
      tracker.ack(tracker.receive(message.id));
      // The snapshot only sends `create`; anything else comes from the live tail (same millisecond as the
      // recover date): the snapshot is over.
      if (message.event !== "create") {
        if (message.event === "update" || message.event === "delete" || message.event === "merge") finish();
        return;
      }
      const parsed = parseEnvelope(message.id, message.event, message.data);
      if (isMalformed(parsed)) {
        this.stats.malformed++;
        options.logger.warning("Skipping a malformed message of the recovery snapshot", {
          id: parsed.id,
          reason: parsed.reason,
        });
        return;
      }
      buffer.push({
        streamId: message.id,
        data: parsed.data,
        dependency: parsed.origin.referer === "init-dependencies",
      });
      if (buffer.length - head >= maxBuffered) stream.pause();
      notify();
    };
    const stream = new LiveStream({
      url: options.url,
      streamId: options.streamId,
      token: options.token,
      listenDelete: false,
      noDependencies,
      withInferences: options.withInferences,
      recoverUntil: this.recoverUntil,
      tls: options.tls,
      agents: options.agents,
      logger: options.logger,
      watchdogMs: options.watchdogMs ?? 60_000,
      reconnectBaseMs: options.reconnectBaseMs ?? 500,
      reconnectMaxMs: options.reconnectMaxMs ?? 30_000,
      resumePoint: () => tracker.resumePoint(),
      onMessage,
      onFatal: (message) => finish(new Error(message)),
      onReconnect: () => {
        this.stats.reconnects++;
      },
    });
    const onAbort = () => finish(abortError(options.signal));
    if (options.signal?.aborted) throw abortError(options.signal);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    stream.start();
    try {
      while (true) {
        if (head < buffer.length) {
          const next = buffer[head++];
          if (next === undefined) continue;
          if (head >= 1024 && head * 2 >= buffer.length) {
            buffer.splice(0, head);
            head = 0;
          }
          if (stream.paused && buffer.length - head <= maxBuffered / 2) stream.resume();
          this.stats.objects++;
          yield next;
          continue;
        }
        if (over) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (failure) throw failure;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      stream.stop();
    }
  }
}

function abortError(signal: AbortSignal | undefined): Error {
  return Object.assign(new Error("The recovery snapshot was aborted"), { name: "AbortError", cause: signal?.reason });
}

/** Snapshot options from a connector's configuration: the same stream, token, TLS and timings as a run. */
export function snapshotOptionsFromConfig(
  config: BaseConfig,
  deps: { readonly agents: HttpAgents; readonly logger: Logger; readonly signal?: AbortSignal },
): RecoverySnapshotOptions {
  const c = config.connector;
  return {
    url: config.opencti.url,
    streamId: c.live_stream_id,
    token: config.opencti.token,
    tls: tlsFrom(config.opencti.ssl_verify),
    agents: deps.agents,
    logger: deps.logger,
    withInferences: c.live_stream_with_inferences,
    watchdogMs: c.live_stream_watchdog_timeout * 1000,
    reconnectMaxMs: c.live_stream_reconnect_max_delay * 1000,
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
}
