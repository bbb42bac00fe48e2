/** The sink's Prometheus metrics (names get the run's CONNECTOR_METRICS_NAMESPACE / _SUBSYSTEM prefixes). */
import type { Counter, Gauge, Histogram } from "prom-client";
import type { Metrics } from "../metrics/types.js";

export type RequestKind = "create" | "delete_ids" | "delete_key" | "list";

export class SinkMetrics {
  /** `sink_requests_total{kind,outcome}`: outcome `ok`, `retry`, `refused`, `fatal`. */
  readonly requests: Counter<"kind" | "outcome">;
  /** `sink_operations_per_request{kind}`: items created, ids deleted, records listed per successful request. */
  readonly operationsPerRequest: Histogram<"kind">;
  /** `sink_operations_total{kind}` */
  readonly operations: Counter<"kind">;
  /** `sink_changes_coalesced_total`: pending changes replaced by a later one for the same key before being sent. */
  readonly coalesced: Counter;
  /** `sink_changes_unchanged_total`: keys whose wanted records the target already held (nothing sent). */
  readonly unchanged: Counter;
  /** `sink_pending_keys` */
  readonly pending: Gauge;
  /** `target_index_records`: remote ids known. */
  readonly indexRecords: Gauge;
  /** `target_index_uncertain_keys`: keys whose remote ids are unknown (a create's answer was lost). */
  readonly indexUncertain: Gauge;
  /** `target_index_listed_records_total{listing}`: records read from the target (`full` rebuild or `since`). */
  readonly listed: Counter<"listing">;

  /** `pendingKeys`: read when the metrics are collected (it changes with every event). */
  constructor(metrics: Metrics, pendingKeys: () => number) {
    this.requests = metrics.counter("sink_requests_total", "Requests sent to the target, by kind and outcome", [
      "kind",
      "outcome",
    ]);
    this.operationsPerRequest = metrics.histogram(
      "sink_operations_per_request",
      "Items per successful request to the target",
      ["kind"],
      [1, 10, 100, 500, 1000, 2000, 5000],
    );
    this.operations = metrics.counter("sink_operations_total", "Items carried by successful requests", ["kind"]);
    this.coalesced = metrics.counter("sink_changes_coalesced_total", "Pending changes superseded before being sent");
    this.unchanged = metrics.counter("sink_changes_unchanged_total", "Changes the target already held");
    this.pending = metrics.sampledGauge(
      "sink_pending_keys",
      "Keys with changes not yet applied to the target",
      pendingKeys,
    );
    this.indexRecords = metrics.gauge("target_index_records", "Remote ids in the target index");
    this.indexUncertain = metrics.gauge("target_index_uncertain_keys", "Keys whose remote ids are not known");
    this.listed = metrics.counter("target_index_listed_records_total", "Records read from target listings", [
      "listing",
    ]);
  }
}
