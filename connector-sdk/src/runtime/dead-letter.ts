/**
 * The SDK's dead-letter file (`CONNECTOR_DEAD_LETTER_PATH`): stream events whose handler kept throwing, one JSON
 * object per line, appended; the file and its directory are created on first use. Each line is scrubbed of the
 * configured secrets (an error text may echo a credential). Decision 0006.
 *
 * `{"time":"…","event_id":"1711633413527-0","event_type":"create","entity_type":"indicator",
 *   "entity_id":"indicator--…","reason":"…","attempts":5,"data":{…STIX…}}`
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { createScrubber, type Scrubber } from "../logging/scrub.js";

export interface DeadLetterEvent {
  readonly time: string;
  /** The SSE id. */
  readonly event_id: string;
  /** The SSE event name (create, update, delete, merge). */
  readonly event_type: string;
  readonly entity_type: string;
  readonly entity_id: string;
  readonly reason: string;
  readonly attempts: number;
  /** The STIX object of the event. */
  readonly data: unknown;
}

/**
 * An append-only JSON-lines file, created with its directory on first use, every line scrubbed of the run's
 * secrets (an error text may echo a credential). The SDK's event dead letter is one; a connector's refused-item
 * dead letter (SentinelOne's refused IOCs) is another.
 */
export class JsonLinesFile<T> {
  private readonly scrubber: Scrubber;
  private ready: Promise<unknown> | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly location: string,
    secrets: readonly string[],
  ) {
    this.scrubber = createScrubber(secrets);
  }

  /** Appends the records; rejects when they could not be written. Writes are chained so lines never interleave. */
  write(records: readonly T[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const text = this.scrubber.text(records.map((record) => `${JSON.stringify(record)}\n`).join(""));
    const next = this.tail.then(async () => {
      this.ready ??= mkdir(dirname(this.location), { recursive: true });
      try {
        await this.ready;
      } catch (error) {
        this.ready = undefined;
        throw error;
      }
      await appendFile(this.location, text, { encoding: "utf8", mode: 0o640 });
    });
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** The SDK's event dead letter (`CONNECTOR_DEAD_LETTER_PATH`). */
export class EventDeadLetter extends JsonLinesFile<DeadLetterEvent> {}
