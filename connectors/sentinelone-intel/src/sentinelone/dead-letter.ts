/**
 * The dead-letter file: IOCs (and deletes) SentinelOne refused for their content (400 and friends), one JSON
 * object per line, appended; the file and its directory are created on first use. Nothing secret is written:
 * a record holds the IOC payload we built from the indicator and the server's error text.
 *
 * `{"time":"2025-01-01T00:00:00.000Z","eventId":"1711633413527-0","indicatorId":"indicator--…",
 *   "ioc":{"type":"IPV4","value":"…",…},"status":400,"reason":"Validation Error: data: 3: value: …"}`
 */
import { JsonLinesFile } from "@octi/connector-sdk";
import type { SentinelOneSettings } from "../settings.js";

export interface DeadLetterRecord {
  readonly time: string;
  /** The stream event id the operation came from. */
  readonly eventId: string;
  readonly indicatorId: string;
  /** The refused IOC payload, or `{operation: "delete", filter}` for a refused delete. */
  readonly ioc: unknown;
  readonly status?: number;
  readonly reason: string;
}

export interface DeadLetterSink {
  /** Appends the records; rejects when they could not be written. */
  write(records: readonly DeadLetterRecord[]): Promise<void>;
  /** Where the records go (for logs). */
  readonly location: string;
}

export class DeadLetterFile extends JsonLinesFile<DeadLetterRecord> implements DeadLetterSink {
  constructor(
    settings: Pick<SentinelOneSettings, "deadLetterPath">,
    // SentinelOne's error details may echo what was sent, including a key pasted into the wrong field.
    secrets: readonly string[] = [],
  ) {
    super(settings.deadLetterPath, secrets);
  }
}
