/**
 * The connector's Prometheus counters, created once per run in the run's registry (the SDK prefixes the names with
 * CONNECTOR_METRICS_NAMESPACE / _SUBSYSTEM).
 */
import { type Metrics, reportInProgress } from "@octi/connector-sdk";

type Counter = ReturnType<Metrics["counter"]>;

export class SentinelOneMetrics {
  /** `sentinelone_requests_total{method,status}`: status is the HTTP status, or `timeout` / `network`. */
  readonly requests: Counter;
  /** `sentinelone_iocs_created_total{type}` */
  readonly iocsCreated: Counter;
  /** `sentinelone_iocs_deleted_total`: IOCs SentinelOne reported as deleted (`affected`). */
  readonly iocsDeleted: Counter;
  /** `sentinelone_iocs_dead_lettered_total` */
  readonly iocsDeadLettered: Counter;
  /** `sentinelone_retries_total{reason}`: reason is the error kind (`rate_limited`, `unavailable`, …). */
  readonly retries: Counter;
  /** `indicators_skipped_total{reason}`: indicators not pushed, by skip reason. */
  readonly indicatorsSkipped: Counter;

  constructor(metrics: Metrics) {
    this.requests = metrics.counter("sentinelone_requests_total", "Requests sent to SentinelOne", ["method", "status"]);
    this.iocsCreated = metrics.counter("sentinelone_iocs_created_total", "IOCs created in SentinelOne", ["type"]);
    this.iocsDeleted = metrics.counter("sentinelone_iocs_deleted_total", "IOCs deleted from SentinelOne");
    this.iocsDeadLettered = metrics.counter(
      "sentinelone_iocs_dead_lettered_total",
      "IOCs SentinelOne refused, written to the dead-letter file",
    );
    this.retries = metrics.counter("sentinelone_retries_total", "SentinelOne requests retried", ["reason"]);
    this.indicatorsSkipped = metrics.counter("indicators_skipped_total", "Indicators not pushed to SentinelOne", [
      "reason",
    ]);
    // The SDK's periodic progress line shows these next to the events handled.
    reportInProgress(metrics, { key: "iocs_created", label: "IOCs created", metric: this.iocsCreated });
    reportInProgress(metrics, { key: "iocs_removed", label: "IOCs removed", metric: this.iocsDeleted });
    reportInProgress(metrics, { key: "skipped", label: "skipped", metric: this.indicatorsSkipped, by: "reason" });
    reportInProgress(metrics, { key: "dead_lettered", label: "dead-lettered", metric: this.iocsDeadLettered });
  }
}
