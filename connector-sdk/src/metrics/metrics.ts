import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { StreamTally } from "./stream-tally.js";
import type { Metrics, SdkMetrics } from "./types.js";

export interface MetricsOptions {
  /** `CONNECTOR_METRICS_NAMESPACE` */
  readonly namespace?: string;
  /** `CONNECTOR_METRICS_SUBSYSTEM` */
  readonly subsystem?: string;
  /** Collect Node's process metrics into the registry (default true). */
  readonly processMetrics?: boolean;
}

/** The values of the `state` gauge's label (pycti's Enum states). */
const SDK_STATES = ["idle", "running", "stopped"] as const;

/**
 * A run's metrics on its own prom-client registry (never the global one), with Node's process metrics in it.
 * Names are `namespace_subsystem_name` with empty parts dropped, as pycti. prom-client does not append `_total`
 * to counters, so the SDK counters are declared with it and expose exactly pycti's names (`ping_api_total`,
 * `ping_api_errors_total`, `errors_total`). The `state` gauge starts at `idle`.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const prefix = [options.namespace, options.subsystem].filter((p) => p !== undefined && p !== "").join("_");
  if (prefix !== "" && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw new Error(
      `Invalid metrics prefix "${prefix}" (CONNECTOR_METRICS_NAMESPACE / CONNECTOR_METRICS_SUBSYSTEM): use letters, digits and _`,
    );
  }
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

  const full = (name: string, help: string) => ({ name: fullName(name), help, registers: [registry] });
  const sampledGauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      ...full(name, help),
      collect() {
        this.set(read());
      },
    });

  // Per-event figures reach prom-client when it collects (stream-tally.ts).
  const stream = new StreamTally();
  // prom-client does not append `_total`; the names below already carry it, so they match pycti's exposition.
  const sdk: SdkMetrics = {
    pingApi: counter("ping_api_total", "Number of pings to the API"),
    pingApiErrors: counter("ping_api_errors_total", "Number of errors when pinging the API"),
    errors: counter("errors_total", "Number of errors"),
    state: gauge("state", "State of connector", ["state"]),
    eventsReceived: new Counter({
      ...full("stream_events_received_total", "Live stream events received"),
      labelNames: ["event"],
      collect() {
        stream.collectReceived(this);
      },
    }),
    eventsHandled: new Counter({
      ...full("stream_events_handled_total", "Live stream events acknowledged by the handler"),
      labelNames: ["event"],
      collect() {
        stream.collectHandled(this);
      },
    }),
    eventsFailed: counter("stream_events_failed_total", "Failed attempts at live stream events (handler threw)", [
      "reason",
    ]),
    eventsDeadLettered: counter(
      "stream_events_dead_lettered_total",
      "Live stream events whose handler kept failing, written to the dead-letter file",
    ),
    eventsMalformed: counter("stream_events_malformed_total", "Malformed live stream events (skipped)"),
    reconnects: counter("stream_reconnects_total", "Live stream reconnections"),
    inFlight: new Gauge({
      ...full("stream_in_flight_events", "Events received and not yet acknowledged"),
      collect() {
        stream.collectInFlight(this);
      },
    }),
    lag: new Gauge({
      ...full("stream_lag_seconds", "Now minus the time of the last acknowledged event id"),
      collect() {
        stream.collectLag(this);
      },
    }),
    stream,
  };
  // pycti's `state` is a prometheus Enum, which starts at its first state.
  for (const state of SDK_STATES) sdk.state.set({ state }, state === "idle" ? 1 : 0);
  return { registry, counter, gauge, sampledGauge, histogram, sdk };
}
