import type { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { StreamTally } from "./stream-tally.js";

/**
 * Per-run metrics. Every run has its own prom-client Registry (never the global one), so two connector
 * runs in one process (tests, demo) do not share counters. Names get `CONNECTOR_METRICS_NAMESPACE` /
 * `_SUBSYSTEM` prefixes as pycti does (`namespace_subsystem_name`, empty parts dropped).
 */
export interface Metrics {
  readonly registry: Registry;
  counter<L extends string = string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string = string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  /** A gauge whose value is read when prom-client collects (a value that changes per event: no per-event call). */
  sampledGauge(name: string, help: string, read: () => number): Gauge;
  histogram<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: readonly number[],
  ): Histogram<L>;
  /** The SDK's own metrics: pycti's names plus stream counters. */
  readonly sdk: SdkMetrics;
}

export interface SdkMetrics {
  /** pycti `ping_api_total` */
  readonly pingApi: Counter;
  /** pycti `ping_api_errors_total` */
  readonly pingApiErrors: Counter;
  /** pycti `errors_total` */
  readonly errors: Counter;
  /** pycti `state` (idle / running / stopped), as a 0/1 gauge per label. */
  readonly state: Gauge<"state">;
  /** `stream_events_received_total{event}` */
  readonly eventsReceived: Counter<"event">;
  /** `stream_events_handled_total{event}`: acknowledged by the handler. */
  readonly eventsHandled: Counter<"event">;
  /** `stream_events_failed_total{reason}`: failed attempts (the handler threw); the event is retried. */
  readonly eventsFailed: Counter<"reason">;
  /** `stream_events_dead_lettered_total`: events whose handler kept failing, written to the dead-letter file. */
  readonly eventsDeadLettered: Counter;
  /** `stream_events_malformed_total`: unparseable messages, logged and skipped. */
  readonly eventsMalformed: Counter;
  /** `stream_reconnects_total` */
  readonly reconnects: Counter;
  /** `stream_in_flight_events`: received and not yet acknowledged. */
  readonly inFlight: Gauge;
  /** `stream_lag_seconds`: the age of the last acknowledged event id when it was acknowledged. */
  readonly lag: Gauge;
  /**
   * Where the runner counts per event: the four stream metrics above read it when prom-client collects, so the
   * hot path does no label hashing.
   */
  readonly stream: StreamTally;
}
