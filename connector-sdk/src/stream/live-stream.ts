import { EventSource } from "eventsource";
import type { HttpAgents, TlsSettings } from "../http/types.js";
import type { Logger } from "../logging/types.js";
import { ownCopy } from "../text/own-copy.js";
import { Gate } from "./gate.js";
import { createNodeFetch } from "./node-fetch.js";

/** One SSE message as received (data still raw). */
export interface RawStreamMessage {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

export interface ResumePoint {
  readonly from: string;
  /** The half-received id group a resume from `from` sends again: its messages already handed over are dropped. */
  readonly skipId: string | undefined;
}

/** Messages of one id group remembered for a resume; past this, re-sent ones are delivered again (at-least-once). */
const GROUP_MEMORY_LIMIT = 10_000;

export interface LiveStreamOptions {
  /** OpenCTI base URL (no trailing slash needed). */
  readonly url: string;
  /** `CONNECTOR_LIVE_STREAM_ID`; undefined means the generic `/stream` route (BYPASS only). */
  readonly streamId: string | undefined;
  readonly token: string;
  readonly listenDelete: boolean;
  readonly noDependencies: boolean;
  readonly withInferences: boolean;
  /** pycti's `recover_until`: sent as `?recover=` unless false. */
  readonly recoverUntil: string | false;
  readonly tls: TlsSettings;
  readonly agents: HttpAgents;
  readonly logger: Logger;
  /** Silence (no message at all) after which the connection is considered dead and replaced. */
  readonly watchdogMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  /** Where to resume on each (re)connection. */
  readonly resumePoint: () => ResumePoint;
  readonly onMessage: (message: RawStreamMessage) => void;
  /** Unrecoverable: a bad token or an unknown stream (OpenCTI answers 401 for both). */
  readonly onFatal: (message: string) => void;
  readonly onReconnect?: () => void;
}

/** The fields of eventsource's MessageEvent we read. */
interface SseMessage {
  readonly type: string;
  readonly data: string;
  readonly lastEventId: string;
}

const EVENT_NAMES = ["connected", "heartbeat", "create", "update", "delete", "merge", "message"] as const;

/** States a watcher (health endpoint) can read. */
export type LiveStreamStatus = "connecting" | "open" | "paused" | "backoff" | "stopped";

/**
 * The live stream, pycti's ListenStream + StreamAlive done without killing the process: reconnects with
 * backoff from the last safe id, a watchdog replaces a silent connection, and reading pauses while the
 * handler is behind.
 */
export class LiveStream {
  private source: EventSource | undefined;
  private readonly gate = new Gate();
  private attempt = 0;
  private lastActivity = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastStatus: { status: number; statusText: string } | undefined;
  private resumeAt: ResumePoint = { from: "0-0", skipId: undefined };
  /**
   * The messages handed over for the newest id. Ids may be shared whatever `no-dependencies` says (OpenCTI sends
   * the objects an event references under its id), so this is always kept; only references, so the per-message
   * cost is a comparison and a push. Keys are built only when a connection resumes inside the group.
   */
  private groupId: string | undefined;
  private readonly groupMessages: RawStreamMessage[] = [];
  /** What the current connection must not hand over again (by content), when it resumes inside `groupId`. */
  private skipping: Map<string, number> | undefined;
  private currentStatus: LiveStreamStatus = "connecting";
  private readonly streamUrl: string;

  constructor(private readonly options: LiveStreamOptions) {
    const base = options.url.replace(/\/+$/, "");
    const path = options.streamId === undefined ? "/stream" : `/stream/${encodeURIComponent(options.streamId)}`;
    const recover = recoverParameter(options.recoverUntil);
    this.streamUrl = `${base}${path}${recover === undefined ? "" : `?recover=${encodeURIComponent(recover)}`}`;
  }

  get url(): string {
    return this.streamUrl;
  }

  get status(): LiveStreamStatus {
    return this.currentStatus;
  }

  start(): void {
    this.options.logger.info("Starting to listen stream events", {
      live_stream_url: this.streamUrl,
      listen_delete: String(this.options.listenDelete),
      no_dependencies: String(this.options.noDependencies),
      with_inferences: String(this.options.withInferences),
    });
    const period = Math.max(50, Math.min(5000, Math.floor(this.options.watchdogMs / 4)));
    this.watchdog = setInterval(() => this.checkWatchdog(), period);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.currentStatus = "stopped";
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
    this.gate.release();
  }

  /** Stop reading the socket (back-pressure). The watchdog does not count paused time. */
  pause(): void {
    if (!this.gate.open) return;
    this.gate.close();
    if (this.currentStatus === "open") this.currentStatus = "paused";
  }

  resume(): void {
    if (this.gate.open) return;
    this.lastActivity = Date.now();
    this.gate.release();
    if (this.currentStatus === "paused") this.currentStatus = "open";
  }

  get paused(): boolean {
    return !this.gate.open;
  }

  private connect(): void {
    if (this.stopped) return;
    this.currentStatus = "connecting";
    this.resumeAt = this.options.resumePoint();
    this.skipping = undefined;
    if (this.groupId !== undefined && this.groupId === this.resumeAt.skipId && this.groupMessages.length > 0) {
      const skipping = new Map<string, number>();
      for (const message of this.groupMessages) {
        const key = contentKey(message.event, message.data);
        skipping.set(key, (skipping.get(key) ?? 0) + 1);
      }
      this.skipping = skipping;
    }
    this.lastActivity = Date.now();
    this.lastStatus = undefined;
    const fetchImpl = createNodeFetch({
      agentFor: (url) => this.options.agents.forUrl(url, this.options.tls),
      gate: this.gate,
      headers: () => ({
        authorization: `Bearer ${this.options.token}`,
        "listen-delete": String(this.options.listenDelete),
        "no-dependencies": String(this.options.noDependencies),
        "with-inferences": String(this.options.withInferences),
        "cache-control": "no-cache",
        accept: "text/event-stream",
        "last-event-id": this.resumeAt.from,
      }),
      onResponse: (status, statusText) => {
        this.lastStatus = { status, statusText };
      },
    });
    const source = new EventSource(this.streamUrl, { fetch: fetchImpl });
    this.source = source;
    const listener = (event: SseMessage) => {
      if (source !== this.source) return;
      this.onEvent(event);
    };
    for (const name of EVENT_NAMES)
      source.addEventListener(name, listener as unknown as Parameters<EventSource["addEventListener"]>[1]);
    // EventSource only delivers the names it is listening to; a message with any other name would vanish
    // silently. Catch those too, so the runner logs them (with their id) as malformed instead.
    const dispatch = source.dispatchEvent.bind(source);
    source.dispatchEvent = (event: Event): boolean => {
      const known = (EVENT_NAMES as readonly string[]).includes(event.type);
      if (!known && event.type !== "open" && event.type !== "error" && "data" in event) {
        listener(event as unknown as SseMessage);
      }
      return dispatch(event);
    };
    source.addEventListener("open", () => {
      if (source === this.source) this.currentStatus = this.gate.open ? "open" : "paused";
    });
    source.addEventListener("error", (event) => {
      if (source !== this.source) return;
      this.onError(event as Event & { code?: number; message?: string });
    });
  }

  private onEvent(event: SseMessage): void {
    this.lastActivity = Date.now();
    this.attempt = 0;
    // A copy, not a slice of the network chunk: acknowledgements and pending changes keep ids long (text/own-copy.ts).
    const id = event.lastEventId === "" ? undefined : ownCopy(event.lastEventId);
    const message: RawStreamMessage = { id, event: event.type, data: event.data };
    if (id !== undefined && event.type !== "heartbeat" && event.type !== "connected") {
      if (this.skipping !== undefined) {
        // A resume inside a half-received group gets the whole group again, with its referenced objects re-sent
        // (their number differs per connection): drop exactly the messages already handed over, by content.
        if (id === this.resumeAt.skipId) {
          const key = contentKey(event.type, event.data);
          const count = this.skipping.get(key);
          if (count !== undefined) {
            if (count > 1) this.skipping.set(key, count - 1);
            else this.skipping.delete(key);
            return;
          }
        } else this.skipping = undefined;
      }
      if (id !== this.groupId) {
        this.groupId = id;
        this.groupMessages.length = 0;
      }
      if (this.groupMessages.length < GROUP_MEMORY_LIMIT) this.groupMessages.push(message);
    }
    this.options.onMessage(message);
  }

  private onError(event: { code?: number; message?: string }): void {
    this.source?.close();
    this.source = undefined;
    if (this.stopped) return;
    const status = this.lastStatus?.status ?? event.code;
    const reason = this.lastStatus?.statusText || event.message || "connection lost";
    if (status === 401) {
      this.options.onFatal(
        `OpenCTI refused the live stream (401 ${reason}): check OPENCTI_TOKEN, and that CONNECTOR_LIVE_STREAM_ID names a live stream this user may read`,
      );
      return;
    }
    let hint = "";
    if (status === 410) hint = ": the live stream is stopped; start it in Data sharing > Live streams";
    else if (status === 404) hint = ": no such stream; check CONNECTOR_LIVE_STREAM_ID";
    this.scheduleReconnect(`${status ? `HTTP ${status} ` : ""}${reason}${hint}`, status === 410 || status === 404);
  }

  private scheduleReconnect(reason: string, severe: boolean): void {
    if (this.stopped) return;
    this.currentStatus = "backoff";
    const delay = Math.min(this.options.reconnectMaxMs, this.options.reconnectBaseMs * 2 ** this.attempt);
    const jittered = Math.round(delay / 2 + Math.random() * (delay / 2));
    this.attempt = Math.min(this.attempt + 1, 30);
    const attributes = { reason, retry_in_ms: jittered, resume_from: this.options.resumePoint().from };
    if (severe) this.options.logger.error("Live stream unavailable, reconnecting", attributes);
    else this.options.logger.warning("Live stream connection lost, reconnecting", attributes);
    this.options.onReconnect?.();
    this.retryTimer = setTimeout(() => this.connect(), jittered);
  }

  private checkWatchdog(): void {
    if (this.stopped || this.currentStatus === "backoff" || !this.gate.open) return;
    const silentMs = Date.now() - this.lastActivity;
    if (silentMs <= this.options.watchdogMs) return;
    this.options.logger.error("Time since last heartbeat exceeded the watchdog timeout, reconnecting", {
      silent_ms: silentMs,
      watchdog_ms: this.options.watchdogMs,
    });
    this.source?.close();
    this.source = undefined;
    this.scheduleReconnect("watchdog timeout", false);
  }
}

/** pycti appends `?recover=` unless recover_until is false or a "no"-like string. */
function recoverParameter(recoverUntil: string | false): string | undefined {
  if (recoverUntil === false) return undefined;
  if (["no", "none", "No", "None", "false", "False", ""].includes(recoverUntil)) return undefined;
  return recoverUntil;
}

/** What identifies a re-sent message inside one id group: its event name and exact data. */
function contentKey(event: string, data: string): string {
  return `${event}\n${data}`;
}
