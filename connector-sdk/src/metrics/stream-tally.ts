import type { Counter, Gauge } from "prom-client";
import { parseStreamId } from "../state/stream-ids.js";

/**
 * The stream's per-event figures, kept as plain numbers and handed to prom-client only when it collects (a scrape,
 * a progress line). prom-client hashes the labels of every labelled `inc`: per event, that was about 45 MB of
 * garbage per 100,000 events in the backfill bench's heap profile (its CPU is below the bench's noise).
 */
export class StreamTally {
  private readonly received = new Map<string, number>();
  private readonly handled = new Map<string, number>();
  private window: number | undefined;
  private lastAck: { readonly id: string; readonly at: number } | undefined;

  /** An event read from the stream (`stream_events_received_total{event}`). */
  receive(event: string): void {
    this.received.set(event, (this.received.get(event) ?? 0) + 1);
  }

  /** An event the handler acknowledged (`stream_events_handled_total{event}`). */
  handle(event: string): void {
    this.handled.set(event, (this.handled.get(event) ?? 0) + 1);
  }

  /** Events received and not yet acknowledged (`stream_in_flight_events`). */
  inFlight(window: number): void {
    this.window = window;
  }

  /** The position just acknowledged: `stream_lag_seconds` is its age at the time it was acknowledged. */
  acknowledged(id: string): void {
    this.lastAck = { id, at: Date.now() };
  }

  /** prom-client `collect` hooks: each moves what was counted since the last collection into its metric. */
  collectReceived(counter: Counter<"event">): void {
    drain(this.received, counter);
  }

  collectHandled(counter: Counter<"event">): void {
    drain(this.handled, counter);
  }

  collectInFlight(gauge: Gauge): void {
    if (this.window !== undefined) gauge.set(this.window);
  }

  collectLag(gauge: Gauge): void {
    const ms = this.lastAck === undefined ? undefined : parseStreamId(this.lastAck.id)?.ms;
    if (this.lastAck !== undefined && ms !== undefined) gauge.set(Math.max(0, (this.lastAck.at - ms) / 1000));
  }
}

function drain(counts: Map<string, number>, counter: Counter<"event">): void {
  for (const [event, n] of counts) counter.inc({ event }, n);
  counts.clear();
}
