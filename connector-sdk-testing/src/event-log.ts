import type { StixObject } from "@octi/connector-sdk";
import type { PublishedEvent } from "./stix-factory.js";

/**
 * The simulator's equivalent of OpenCTI's Redis stream: one append-only log of events with `<ms>-<seq>` ids,
 * strictly increasing. Stream collections are filtered views over it. A synthetic feed occupies a range of
 * the log but its events are produced on demand by `make(i)`, so a million of them cost no memory.
 * The log also keeps the "database": the latest event of each object, for recovery (`recover`) snapshots.
 */

export interface StreamIdParts {
  readonly ms: number;
  readonly seq: number;
}

export const formatStreamId = (ms: number, seq: number): string => `${ms}-${seq}`;

const STREAM_ID = /^(\d+)-(\d+)$/;

export function parseStreamIdParts(id: string): StreamIdParts | undefined {
  const match = STREAM_ID.exec(id);
  return match ? { ms: Number(match[1]), seq: Number(match[2]) } : undefined;
}

const compareParts = (a: StreamIdParts, b: StreamIdParts): number => (a.ms !== b.ms ? a.ms - b.ms : a.seq - b.seq);

/** Orders two ids as Redis does (ms, then sequence); an id that does not parse sorts first. */
export function compareIds(a: string, b: string): number {
  const pa = parseStreamIdParts(a);
  const pb = parseStreamIdParts(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  return compareParts(pa, pb);
}

interface SegmentBase {
  /** Index of the segment's first event in the whole log. */
  readonly start: number;
  /** Restricts the events to one stream collection (`/stream` and `/stream/live` still see them). */
  readonly streamId: string | undefined;
  readonly ms: number;
}

/** One published event. */
export interface EntrySegment extends SegmentBase {
  readonly kind: "entry";
  readonly seq: number;
  readonly id: string;
  readonly event: PublishedEvent;
}

/** Raw SSE text (malformed-event tests): written as is after its `id:` line, on every route. */
export interface RawSegment extends SegmentBase {
  readonly kind: "raw";
  readonly seq: number;
  readonly id: string;
  readonly eventName: string;
  /** The message text after the `id:` line, ending with a blank line. */
  readonly text: string;
}

/** A synthetic feed: `count` events with ids `<ms>-<seqStart + i>`, made on demand. */
export interface FeedSegment extends SegmentBase {
  readonly kind: "feed";
  readonly seqStart: number;
  readonly count: number;
  readonly make: (index: number) => PublishedEvent;
}

export type Segment = EntrySegment | RawSegment | FeedSegment;

const segmentLength = (s: Segment): number => (s.kind === "feed" ? s.count : 1);
const segmentLastId = (s: Segment): StreamIdParts =>
  s.kind === "feed" ? { ms: s.ms, seq: s.seqStart + s.count - 1 } : { ms: s.ms, seq: s.seq };

/** A read position: segment index + offset inside it. */
export interface LogCursor {
  segment: number;
  offset: number;
}

interface StoredObject {
  /** The object's latest event. */
  readonly entry: EntrySegment;
  readonly deleted: boolean;
}

export interface StreamInfo {
  readonly lastEventId: string;
  readonly firstEventId: string;
  readonly firstEventDate: string;
  readonly lastEventDate: string;
  readonly streamSize: number;
}

export class EventLog {
  private readonly segments: Segment[] = [];
  private total = 0;
  private lastMs = 0;
  private lastSeq = -1;
  private readonly objects = new Map<string, StoredObject>();
  private readonly listeners = new Set<() => void>();

  /** Number of events in the log (a feed counts all its events). */
  get length(): number {
    return this.total;
  }

  get lastId(): string | undefined {
    const last = this.segments[this.segments.length - 1];
    if (!last) return undefined;
    const parts = segmentLastId(last);
    return formatStreamId(parts.ms, parts.seq);
  }

  /** Redis XADD's `*`: now, or the last ms with the next sequence when the clock did not move. */
  private nextId(count = 1): StreamIdParts {
    const now = Date.now();
    const id = now > this.lastMs ? { ms: now, seq: 0 } : { ms: this.lastMs, seq: this.lastSeq + 1 };
    this.lastMs = id.ms;
    this.lastSeq = id.seq + count - 1;
    return id;
  }

  /**
   * An id for a heartbeat of a connection that has read everything: `<now>-0`, reserved so that every later
   * event gets a greater id (what OpenCTI does on an idle stream, without its same-millisecond race).
   */
  reserveIdleId(): string {
    const id = this.nextId();
    return formatStreamId(id.ms, id.seq);
  }

  append(event: PublishedEvent, streamId: string | undefined): EntrySegment {
    const { ms, seq } = this.nextId();
    const entry: EntrySegment = {
      kind: "entry",
      start: this.total,
      streamId,
      ms,
      seq,
      id: formatStreamId(ms, seq),
      event,
    };
    this.push(entry);
    this.remember(entry);
    return entry;
  }

  appendRaw(eventName: string, text: string, streamId: string | undefined): RawSegment {
    const { ms, seq } = this.nextId();
    const raw: RawSegment = {
      kind: "raw",
      start: this.total,
      streamId,
      ms,
      seq,
      id: formatStreamId(ms, seq),
      eventName,
      text,
    };
    this.push(raw);
    return raw;
  }

  appendFeed(count: number, make: (index: number) => PublishedEvent, streamId: string | undefined): FeedSegment {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`a synthetic feed needs a positive integer count, got ${count}`);
    const { ms, seq } = this.nextId(count);
    const feed: FeedSegment = { kind: "feed", start: this.total, streamId, ms, seqStart: seq, count, make };
    this.push(feed);
    return feed;
  }

  private push(segment: Segment): void {
    this.segments.push(segment);
    this.total += segmentLength(segment);
    for (const listener of [...this.listeners]) listener();
  }

  private remember(entry: EntrySegment): void {
    const { event, data } = entry.event;
    this.objects.set(data.id, { entry, deleted: event === "delete" });
    if (event === "merge") {
      const sources = entry.event.context?.sources;
      if (Array.isArray(sources)) {
        for (const source of sources as StixObject[]) {
          if (typeof source?.id === "string") this.objects.set(source.id, { entry, deleted: true });
        }
      }
    }
  }

  /** Is `entry` the latest event of a live (not deleted) object, i.e. what the database holds? */
  isCurrentVersion(entry: EntrySegment): boolean {
    const stored = this.objects.get(entry.event.data.id);
    return stored !== undefined && stored.entry === entry && !stored.deleted;
  }

  /** Calls `listener` on every append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Index of the first event whose id is strictly greater than `after` (XREAD semantics). */
  positionAfter(after: StreamIdParts): number {
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareParts(segmentLastId(this.segments[mid]!), after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const segment = this.segments[lo];
    if (!segment) return this.total;
    if (segment.kind !== "feed") return segment.start;
    const skip = segment.ms === after.ms ? Math.max(0, after.seq - segment.seqStart + 1) : 0;
    return segment.start + skip;
  }

  cursorAt(position: number): LogCursor {
    let lo = 0;
    let hi = this.segments.length - 1;
    if (position >= this.total || hi < 0) return { segment: this.segments.length, offset: 0 };
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid]!.start <= position) lo = mid;
      else hi = mid - 1;
    }
    return { segment: lo, offset: position - this.segments[lo]!.start };
  }

  segmentAt(cursor: LogCursor): Segment | undefined {
    return this.segments[cursor.segment];
  }

  advance(cursor: LogCursor): void {
    const segment = this.segments[cursor.segment];
    if (!segment) return;
    cursor.offset++;
    if (cursor.offset >= segmentLength(segment)) {
      cursor.segment++;
      cursor.offset = 0;
    }
  }

  positionOf(cursor: LogCursor): number {
    const segment = this.segments[cursor.segment];
    return segment ? segment.start + cursor.offset : this.total;
  }

  static idOf(segment: Segment, offset: number): string {
    return segment.kind === "feed" ? formatStreamId(segment.ms, segment.seqStart + offset) : segment.id;
  }

  /** What OpenCTI's `connected` event reports (XINFO STREAM). */
  info(): StreamInfo {
    const first = this.segments[0];
    const firstId = first ? EventLog.idOf(first, 0) : "0-0";
    const lastId = this.lastId ?? "0-0";
    const dateOf = (id: string) => new Date(parseStreamIdParts(id)?.ms ?? 0).toISOString();
    return {
      lastEventId: lastId,
      firstEventId: firstId,
      firstEventDate: dateOf(firstId),
      lastEventDate: dateOf(lastId),
      streamSize: this.total,
    };
  }
}
