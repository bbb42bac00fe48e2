/**
 * The dead-letter file (`dead_letter_path`, opened with the SDK's `ctx.deadLetter`: appended, created on first use,
 * the run's secrets scrubbed): IOCs (and deletes) SentinelOne refused for their content (400 and friends), one JSON
 * object per line. A record holds the IOC payload we built from the indicator and the server's error text.
 *
 * `{"time":"2025-01-01T00:00:00.000Z","eventId":"1711633413527-0","indicatorId":"indicator--…",
 *   "ioc":{"type":"IPV4","value":"…",…},"status":400,"reason":"Validation Error: data: 3: value: …"}`
 */
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
