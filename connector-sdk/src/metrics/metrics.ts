import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Metrics, SdkMetrics } from "./types.js";

export interface MetricsOptions {
  /** `CONNECTOR_METRICS_NAMESPACE` */
  readonly namespace?: string;
  /** `CONNECTOR_METRICS_SUBSYSTEM` */
  readonly subsystem?: string;
  /** Collect Node's process metrics into the registry (default true). */
  readonly processMetrics?: boolean;
}

/** A run's metrics on its own registry; names are `namespace_subsystem_name` with empty parts dropped (pycti). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const prefix = [options.namespace, options.subsystem].filter((p) => p !== undefined && p !== "").join("_");
  const fullName = (name: string) => (prefix === "" ? name : `${prefix}_${name}`);

  const counter = <L extends string = string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: fullName(name), help, labelNames, registers: [registry] });
  const gauge = <L extends string = string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: fullName(name), help, labelNames, registers: [registry] });
  const histogram = <L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets?: readonly number[],
  ) =>
    new Histogram<L>({
      name: fullName(name),
      help,
      labelNames,
      registers: [registry],
      ...(buckets ? { buckets: [...buckets] } : {}),
    });

  // prom-client does not append `_total`; the names below already carry it, so they match pycti's exposition.
  const sdk: SdkMetrics = {
    pingApi: counter("ping_api_total", "Number of pings to the API"),
    pingApiErrors: counter("ping_api_errors_total", "Number of errors when pinging the API"),
    errors: counter("errors_total", "Number of errors"),
    state: gauge("state", "State of connector", ["state"]),
    eventsReceived: counter("stream_events_received_total", "Live stream events received", ["event"]),
    eventsHandled: counter("stream_events_handled_total", "Live stream events acknowledged by the handler", ["event"]),
    eventsFailed: counter("stream_events_failed_total", "Live stream events whose handler failed (skipped)", ["reason"]),
    eventsMalformed: counter("stream_events_malformed_total", "Malformed live stream events (skipped)"),
    reconnects: counter("stream_reconnects_total", "Live stream reconnections"),
    inFlight: gauge("stream_in_flight_events", "Events received and not yet acknowledged"),
    lag: gauge("stream_lag_seconds", "Now minus the time of the last acknowledged event id"),
  };
  return { registry, counter, gauge, histogram, sdk };
}
