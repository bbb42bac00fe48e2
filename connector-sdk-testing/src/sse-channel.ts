import type { ServerResponse } from "node:http";
import type { StixObject } from "@octi/connector-sdk";
import { STIX_EXT_OCTI } from "./constants.js";
import { compareIds, EventLog, type LogCursor, parseStreamIdParts, type Segment } from "./event-log.js";
import { applyPatch } from "./json-patch.js";
import { createMessage, type PublishedEvent } from "./stix-factory.js";

/** What a connection serves: a stream collection (`/stream/:id`), `/stream/live`, or the raw `/stream`. */
export interface ChannelRoute {
  readonly kind: "collection" | "live" | "raw";
  /** Collection id, `live`, or undefined for the raw stream. */
  readonly streamId: string | undefined;
  /** The collection's filter (none for `live`/`raw`). */
  readonly filter: ((stix: StixObject) => boolean) | undefined;
}

export interface ChannelOptions {
  readonly route: ChannelRoute;
  /** Log index where tailing starts. */
  readonly tailFrom: number;
  /** Recovery range [from, to) of log indexes, when `recover` is later than the start. */
  readonly recovery: { readonly from: number; readonly to: number } | undefined;
  readonly listenDelete: boolean;
  readonly noDependencies: boolean;
  readonly withInferences: boolean;
  readonly heartbeatIntervalMs: number;
  /** After an idle heartbeat period, heartbeats carry `<now>-0` (see `OpenCtiSimulatorOptions`). */
  readonly idleHeartbeatsAdvance: boolean;
  readonly connectionId: string;
}

/** Fault switches shared by every connection (owned by the simulator). */
export interface ChannelFaults {
  /** Destroy each connection after this many events (0 = off). */
  dropEvery: number;
  /** Write half of the next event, then destroy the connection (once). */
  dropMidEventOnce: boolean;
}

const DEFAULT_ORIGIN: Readonly<Record<string, unknown>> = {
  socket: "query",
  ip: "::ffff:127.0.0.1",
  user_id: "88ec0c6a-13ce-5e39-b486-354fe4a7084f",
  referer: "http://localhost:8080/dashboard/observations/indicators",
};

const DEFAULT_ORIGIN_JSON = JSON.stringify(DEFAULT_ORIGIN);

/**
 * `JSON.stringify(liveEnvelope(event))`, built from pieces so constant parts (default origin, version, scope)
 * are not re-serialized for every event of a large backlog.
 */
export function serializeLiveEnvelope(event: PublishedEvent): string {
  const version = event.version === undefined ? '"4"' : JSON.stringify(event.version);
  const type = JSON.stringify(event.type ?? event.event);
  const scope = event.scope === undefined ? '"external"' : JSON.stringify(event.scope);
  const message = JSON.stringify(event.message ?? createMessage(event.data));
  const origin = event.origin === undefined ? DEFAULT_ORIGIN_JSON : JSON.stringify(event.origin);
  let text = `{"version":${version},"type":${type},"scope":${scope},"message":${message},"origin":${origin},"data":${JSON.stringify(event.data)}`;
  if (event.context !== undefined) text += `,"context":${JSON.stringify(event.context)}`;
  if (event.extra) {
    const extra = JSON.stringify(event.extra);
    if (extra.length > 2) text += `,${extra.slice(1, -1)}`;
  }
  return `${text}}`;
}

/** Bytes buffered before a write: many events per `write()` for throughput. */
const BATCH_BYTES = 64 * 1024;
/** OpenCTI's per-connection cache of objects already sent (events and dependencies). */
const SENT_CACHE_SIZE = 5000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What `no-dependencies` suppresses: the core relationships sent ahead of an object. */
function isCoreRelationship(stix: StixObject): boolean {
  return stix.type === "relationship" || stix.type === "sighting";
}

function isInferred(event: PublishedEvent): boolean {
  if (event.inferred === true) return true;
  const ext = (event.data.extensions as Record<string, unknown> | undefined)?.[STIX_EXT_OCTI];
  return isObject(ext) && (ext.is_inferred === true || ext.is_inferred === "True" || ext.is_inferred === "true");
}

/** The live envelope (`data:` JSON) of a stored event, keys in OpenCTI's order. */
export function liveEnvelope(event: PublishedEvent): Record<string, unknown> {
  const envelope: Record<string, unknown> = {
    version: event.version ?? "4",
    type: event.type ?? event.event,
    scope: event.scope ?? "external",
    message: event.message ?? createMessage(event.data),
    origin: event.origin ?? DEFAULT_ORIGIN,
    data: event.data,
  };
  if (event.context !== undefined) envelope.context = event.context;
  if (event.extra) Object.assign(envelope, event.extra);
  return envelope;
}

/**
 * One open SSE connection. Reads the log from its start point, writes batches of messages, waits for
 * `drain` when the socket is full (so a million-event backlog streams without piling up in memory), then
 * waits for new events, sending heartbeats while idle.
 */
export class SseChannel {
  private buffer = "";
  private closed = false;
  private cutAfterFlush = false;
  private lastId: string | undefined;
  /** The id the previous heartbeat carried. */
  private lastHeartbeatId: string | undefined;
  private eventsWritten = 0;
  private idle = false;
  private wake: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Ids of the objects this connection sent (OpenCTI's LRU cache): a referenced object is sent once. */
  private readonly sentObjects = new Map<string, true>();
  private cursor: LogCursor = { segment: 0, offset: 0 };

  constructor(
    private readonly log: EventLog,
    private readonly res: ServerResponse,
    private readonly options: ChannelOptions,
    private readonly faults: ChannelFaults,
  ) {
    // Fires when the response ends or its connection is lost.
    res.on("close", () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get streamId(): string | undefined {
    return this.options.route.streamId;
  }

  /** Destroys the socket now (pending data is lost): a network cut. */
  destroy(): void {
    this.close();
    this.res.destroy();
  }

  /** Ends the response cleanly (e.g. the collection was stopped). */
  end(): void {
    if (this.closed) return;
    this.close();
    this.res.end();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.wake?.();
  }

  async run(): Promise<void> {
    const { res, options } = this;
    res.writeHead(200, {
      Connection: "keep-alive",
      "Content-Type": "text/event-stream; charset=utf-8",
      "Access-Control-Allow-Origin": "*",
      "Cache-Control": "no-cache, no-transform",
    });
    res.socket?.setNoDelay(true);
    this.buffer += `event: connected\ndata: ${JSON.stringify({ ...this.log.info(), connectionId: options.connectionId })}\n\n`;
    await this.flush();
    this.heartbeat = setInterval(() => this.sendHeartbeat(), options.heartbeatIntervalMs);
    const unsubscribe = this.log.onAppend(() => this.wake?.());
    try {
      if (options.recovery) await this.recover(options.recovery.from, options.recovery.to);
      this.cursor = this.log.cursorAt(options.tailFrom);
      while (!this.closed) {
        while (!this.closed && this.log.positionOf(this.cursor) < this.log.length) {
          const segment = this.log.segmentAt(this.cursor)!;
          this.tail(segment, this.cursor.offset);
          this.log.advance(this.cursor);
          if (this.cutAfterFlush || this.buffer.length >= BATCH_BYTES) await this.flush();
        }
        await this.flush();
        if (this.closed) break;
        if (this.log.positionOf(this.cursor) >= this.log.length) await this.waitForEvents();
      }
    } finally {
      unsubscribe();
      this.close();
    }
  }

  private waitForEvents(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.idle = true;
      this.wake = () => {
        this.wake = undefined;
        this.idle = false;
        resolve();
      };
      if (this.closed) this.wake();
    });
  }

  /** Writes what is buffered; waits for `drain` when the socket is full; performs a pending cut. */
  private async flush(): Promise<void> {
    if (this.closed || this.buffer === "") {
      if (this.cutAfterFlush && !this.closed) this.destroy();
      return;
    }
    const chunk = this.buffer;
    this.buffer = "";
    if (this.cutAfterFlush) {
      await new Promise<void>((resolve) => {
        this.res.write(chunk, () => resolve());
        this.res.once("close", resolve);
      });
      this.destroy();
      return;
    }
    if (!this.res.write(chunk)) await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  }

  private sendHeartbeat(): void {
    if (this.closed || !this.idle || this.log.positionOf(this.cursor) < this.log.length) return;
    // OpenCTI's reader sets the last id to `<now>-0` after an empty read: an idle heartbeat never stays behind
    // events this connection read but did not send (e.g. deletes skipped by a recovery snapshot).
    const newest = this.log.lastId;
    // With `idleHeartbeatsAdvance`, as OpenCTI: the first idle heartbeat may still carry the last event id (its
    // heartbeat timer and its blocking read run side by side); once a period went by without events, the read came
    // back empty and the id is `<now>-0`.
    const stale =
      this.options.idleHeartbeatsAdvance && this.lastId !== undefined && this.lastId === this.lastHeartbeatId;
    if (this.lastId === undefined || stale || (newest !== undefined && compareIds(this.lastId, newest) < 0)) {
      this.lastId = this.log.reserveIdleId();
    }
    this.lastHeartbeatId = this.lastId;
    const ms = parseStreamIdParts(this.lastId)?.ms ?? Date.now();
    this.res.write(`id: ${this.lastId}\nevent: heartbeat\ndata: ${JSON.stringify(new Date(ms).toISOString())}\n\n`);
  }

  /** Queues one id-bearing message, applying the drop faults. */
  private emit(id: string, event: string, payload: unknown): void {
    if (this.cutAfterFlush || this.closed) return;
    const json = typeof payload === "string" ? payload : JSON.stringify(payload);
    const text = `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`;
    this.lastId = id;
    if (this.faults.dropMidEventOnce) {
      this.faults.dropMidEventOnce = false;
      this.buffer += text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      this.cutAfterFlush = true;
      return;
    }
    this.buffer += text;
    this.eventsWritten++;
    if (this.faults.dropEvery > 0 && this.eventsWritten >= this.faults.dropEvery) this.cutAfterFlush = true;
  }

  private emitRaw(id: string, text: string): void {
    if (this.cutAfterFlush || this.closed) return;
    this.lastId = id;
    this.buffer += `id: ${id}\n${text}`;
    this.eventsWritten++;
    if (this.faults.dropEvery > 0 && this.eventsWritten >= this.faults.dropEvery) this.cutAfterFlush = true;
  }

  private visibleHere(segment: Segment): boolean {
    const { route } = this.options;
    return segment.streamId === undefined || route.kind !== "collection" || segment.streamId === route.streamId;
  }

  /**
   * OpenCTI's `resolveAndPublishDependencies`: the objects the event references that this connection has not sent
   * yet go first, under the event's id, whatever `no-dependencies` says; core relationships (relationships,
   * sightings) only without `no-dependencies`.
   */
  private emitDependencies(id: string, event: PublishedEvent): void {
    if (!event.dependencies) return;
    for (const dependency of event.dependencies) {
      if (this.options.noDependencies && isCoreRelationship(dependency)) continue;
      if (this.sentObjects.has(dependency.id)) continue;
      this.markSent(dependency.id);
      this.emit(id, "create", {
        data: dependency,
        message: createMessage(dependency),
        origin: { referer: "init-dependencies" },
        version: "4",
      });
    }
  }

  private markSent(objectId: string): void {
    if (this.sentObjects.has(objectId)) return;
    if (this.sentObjects.size >= SENT_CACHE_SIZE) {
      const oldest = this.sentObjects.keys().next().value;
      if (oldest !== undefined) this.sentObjects.delete(oldest);
    }
    this.sentObjects.set(objectId, true);
  }

  /** An event of the live path: its dependencies, then itself; its object counts as sent. */
  private emitWithDependencies(id: string, name: string, event: PublishedEvent): void {
    this.emitDependencies(id, event);
    this.emit(id, name, serializeLiveEnvelope(event));
    this.markSent(event.data.id);
  }

  /** One log event on the live path: filters, inference/deletion switches, update translation. */
  private tail(segment: Segment, offset: number): void {
    const id = EventLog.idOf(segment, offset);
    this.lastId = id;
    if (!this.visibleHere(segment)) return;
    if (segment.kind === "raw") {
      this.emitRaw(id, segment.text);
      return;
    }
    const event = segment.kind === "feed" ? segment.make(offset) : segment.event;
    const { route, listenDelete, withInferences } = this.options;
    if (route.kind === "raw") {
      this.emit(id, event.event, serializeLiveEnvelope(event));
      return;
    }
    if (Number.parseInt(event.version ?? "4", 10) < 4 || (event.scope ?? "external") !== "external") return;
    if (!withInferences && isInferred(event)) return;
    const filter = route.filter;
    const matches = (stix: StixObject) => filter === undefined || filter(stix);
    switch (event.event) {
      case "create":
      case "merge":
        if (!matches(event.data)) return;
        this.emitWithDependencies(id, event.event, event);
        return;
      case "delete":
        if (listenDelete && matches(event.data)) this.emit(id, "delete", serializeLiveEnvelope(event));
        return;
      case "update": {
        const now = matches(event.data);
        const before = filter === undefined ? now : matches(previousVersion(event));
        if (before && now) this.emitWithDependencies(id, "update", event);
        else if (before && !now) {
          if (listenDelete) this.emit(id, "delete", serializeLiveEnvelope(event));
        } else if (!before && now) {
          this.emitWithDependencies(id, "create", event);
        }
        return;
      }
      default:
        this.emit(id, String(event.event), serializeLiveEnvelope(event));
    }
  }

  /** Recovery: the current version of each matching object updated in the range, as `init-create` events. */
  private async recover(from: number, to: number): Promise<void> {
    const cursor = this.log.cursorAt(from);
    const { withInferences, route } = this.options;
    while (!this.closed && this.log.positionOf(cursor) < to) {
      const segment = this.log.segmentAt(cursor)!;
      const offset = cursor.offset;
      this.log.advance(cursor);
      if (!this.visibleHere(segment)) continue;
      const id = EventLog.idOf(segment, offset);
      if (segment.kind === "raw") {
        this.emitRaw(id, segment.text);
      } else {
        const current = segment.kind === "entry" ? this.log.isCurrentVersion(segment) : true;
        const event = segment.kind === "feed" ? segment.make(offset) : segment.event;
        const eligible =
          current &&
          event.event !== "delete" &&
          Number.parseInt(event.version ?? "4", 10) >= 4 &&
          (event.scope ?? "external") === "external" &&
          (withInferences || !isInferred(event)) &&
          (route.filter === undefined || route.filter(event.data));
        if (eligible) {
          this.emitDependencies(id, event);
          this.emit(id, "create", {
            data: event.data,
            message: createMessage(event.data),
            origin: { referer: "init-create" },
            version: "4",
          });
          this.markSent(event.data.id);
        }
      }
      if (this.cutAfterFlush || this.buffer.length >= BATCH_BYTES) await this.flush();
    }
    await this.flush();
  }
}

/** The object before an update: `data` with `context.reverse_patch` applied (OpenCTI's "previously visible"). */
function previousVersion(event: PublishedEvent): StixObject {
  const reverse = event.context?.reverse_patch;
  if (!Array.isArray(reverse) || reverse.length === 0) return event.data;
  try {
    return applyPatch(event.data, reverse);
  } catch {
    return event.data;
  }
}
