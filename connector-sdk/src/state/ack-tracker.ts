import { compareStreamIds } from "./stream-ids.js";

/** One received stream message awaiting its acknowledgement. */
export interface AckEntry {
  readonly id: string;
  done: boolean;
}

/**
 * At-least-once bookkeeping of the stream position.
 *
 * - `committed` (what `start_from` is set to) only moves past an event once it and every earlier event
 *   are acknowledged, so a restart replays everything unfinished.
 * - Several messages may carry the same id (dependencies share their trigger's id), and resuming from id X
 *   skips every message carrying X. So X becomes a resume point only once it is "closed": a message with a
 *   later id arrived, or a heartbeat carrying X (or later) did.
 */
export class AckTracker {
  private queue: AckEntry[] = [];
  private head = 0;
  private committedId: string;
  /** Id of acknowledged entries whose id group may still grow. */
  private openGroup: string | undefined;
  private lastReceivedId: string | undefined;
  private previousDistinctId: string | undefined;
  private closedThrough: string | undefined;
  /** Set by `discard`: the position may no longer move past what was received. */
  private frozen = false;

  /**
   * Ids are never assumed unique: whatever `no-dependencies` says, OpenCTI sends the objects an event references
   * that the connection has not sent yet under the event's own id (decision 0001).
   */
  constructor(private readonly startFrom: string) {
    this.committedId = startFrom;
  }

  /** The safe resume point: every message up to it (inclusive) is finished. */
  get committed(): string {
    return this.committedId;
  }

  /** Messages received and not acknowledged yet. */
  get pending(): number {
    let count = 0;
    for (let i = this.head; i < this.queue.length; i++) if (!this.queue[i]?.done) count++;
    return count;
  }

  /** Entries between the oldest unacknowledged message and the newest (cheap upper bound of `pending`). */
  get window(): number {
    return this.queue.length - this.head;
  }

  receive(id: string): AckEntry {
    if (id !== this.lastReceivedId) {
      this.previousDistinctId = this.lastReceivedId;
      this.lastReceivedId = id;
      // A later id closes the previous group: it may now be committed.
      if (this.openGroup !== undefined) this.advance();
    }
    const entry: AckEntry = { id, done: false };
    this.queue.push(entry);
    return entry;
  }

  ack(entry: AckEntry): void {
    if (entry.done) return;
    entry.done = true;
    this.advance();
  }

  /**
   * True when every received message is acknowledged and committed: nothing to replay, no id group left open.
   */
  get settled(): boolean {
    return this.head === this.queue.length && this.openGroup === undefined;
  }

  /**
   * A message with `id` arrived that will not be handled (the run is stopping). An id later than the newest received
   * one proves that group complete (ids only grow), as a heartbeat carrying the group's id would. From then on nothing
   * closes a group any more: a later heartbeat would also cover the discarded message.
   */
  discard(id: string): void {
    if (this.frozen) return;
    if (this.lastReceivedId !== undefined && compareStreamIds(id, this.lastReceivedId) > 0) {
      this.heartbeat(this.lastReceivedId);
    }
    this.frozen = true;
  }

  /** A heartbeat (or any id-only message) says the server has sent everything up to `id`. */
  heartbeat(id: string): void {
    if (this.frozen) return;
    if (this.closedThrough === undefined || compareStreamIds(id, this.closedThrough) > 0) this.closedThrough = id;
    this.advance();
  }

  /**
   * Where a reconnect resumes without losing a message of a half-received id group: the last closed received
   * id, and the id of the open group whose re-sent messages the stream must sort out (`skipId`). The number of
   * messages in a group is not stable across connections (OpenCTI sends a dependency once per connection), so
   * which of them to skip is decided by content, in the live stream.
   */
  resumePoint(): { readonly from: string; readonly skipId: string | undefined } {
    if (this.lastReceivedId === undefined) {
      return { from: this.closedThrough ?? this.startFrom, skipId: undefined };
    }
    if (this.isClosed(this.lastReceivedId)) {
      const from =
        this.closedThrough && compareStreamIds(this.closedThrough, this.lastReceivedId) > 0
          ? this.closedThrough
          : this.lastReceivedId;
      return { from, skipId: undefined };
    }
    return { from: this.previousDistinctId ?? this.startFrom, skipId: this.lastReceivedId };
  }

  private isClosed(id: string): boolean {
    return (
      id !== this.lastReceivedId || (this.closedThrough !== undefined && compareStreamIds(this.closedThrough, id) >= 0)
    );
  }

  private advance(): void {
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head];
      if (!entry?.done) break;
      this.head++;
      if (this.openGroup !== undefined && this.openGroup !== entry.id) this.committedId = this.openGroup;
      this.openGroup = entry.id;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const next = this.queue[this.head];
    const groupStillPending = next !== undefined && next.id === this.openGroup;
    if (this.openGroup !== undefined && !groupStillPending && this.isClosed(this.openGroup)) {
      this.committedId = this.openGroup;
      this.openGroup = undefined;
    }
    if (
      this.head === this.queue.length &&
      this.openGroup === undefined &&
      this.closedThrough !== undefined &&
      compareStreamIds(this.closedThrough, this.committedId) > 0
    ) {
      this.committedId = this.closedThrough;
    }
  }
}
