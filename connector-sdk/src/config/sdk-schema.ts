import type { ConfigSchema } from "./types.js";

/**
 * The SDK's part of every connector's config schema: pycti's `opencti` and `connector` namespaces
 * (pycti-stream-protocol.md §1.2), with pycti's names and defaults, plus the keys this SDK adds (their
 * descriptions start with "Ours"). Deliberate deviations from pycti, each said in its description:
 * `opencti.ssl_verify` defaults to true (pycti: false) and `connector.state_ping_interval` is 5 s (pycti: 40 s).
 * Keys pycti reads that make no sense for a stream connector (listen_protocol, queue_threshold, auto, send_to_*,
 * run_and_terminate…) are not declared; a config.yml that sets them only gets an "unknown key" warning.
 */
export const SDK_CONFIG_SCHEMA: ConfigSchema = {
  type: "object",
  required: ["opencti", "connector"],
  properties: {
    opencti: {
      type: "object",
      required: ["url", "token"],
      properties: {
        url: { type: "string", format: "uri", description: "The URL of the OpenCTI platform." },
        token: {
          type: "string",
          writeOnly: true,
          description: "The token of the OpenCTI user the connector runs as (a dedicated [C] user is best).",
        },
        ssl_verify: {
          type: "boolean",
          default: true,
          "x-or-path": true,
          description:
            "Verify OpenCTI's TLS certificate: true, false, or the path of a CA bundle (PEM). Defaults to true (pycti defaults to false).",
        },
        custom_headers: {
          type: "string",
          "x-header-list": true,
          description: "Extra headers for GraphQL requests, pycti syntax: `header1:value1;header2:value2`.",
        },
        json_logging: {
          type: "boolean",
          default: true,
          description: "Log JSON lines (pycti's shape) rather than plain text.",
        },
      },
    },
    connector: {
      type: "object",
      required: ["id", "name", "live_stream_id"],
      properties: {
        id: { type: "string", format: "uuid", description: "A unique UUIDv4 identifier for this connector instance." },
        name: { type: "string", minLength: 2, description: "Name of the connector, as listed in OpenCTI." },
        type: {
          type: "string",
          enum: ["STREAM"],
          default: "STREAM",
          description: "Always `STREAM` for a stream connector.",
        },
        scope: {
          type: "array",
          items: { type: "string" },
          default: ["not-applicable"],
          description: "The scope the connector registers with (comma-separated list).",
        },
        log_level: {
          type: "string",
          enum: ["debug", "info", "warn", "warning", "error"],
          default: "info",
          description:
            "Log verbosity: `debug`, `info`, `warn`, or `error`. Defaults to `info` (pycti: `error`): start-up, a periodic progress line, warnings; every event's outcome at `debug`.",
        },
        live_stream_id: {
          type: "string",
          description: "ID of the live stream created in OpenCTI (Data sharing > Live streams).",
        },
        live_stream_listen_delete: {
          type: "boolean",
          default: true,
          description: "Receive delete events (the stream then also sends objects leaving its filters as deletes).",
        },
        live_stream_no_dependencies: {
          type: "boolean",
          default: true,
          description:
            "Do not receive the objects an entity depends on before it. Keep true unless you synchronise two platforms.",
        },
        live_stream_with_inferences: {
          type: "boolean",
          default: false,
          description: "Also receive inferred entities and relationships.",
        },
        live_stream_recover_iso_date: {
          type: "string",
          format: "date-time",
          description:
            "On a first start (no state), recover objects updated until this ISO date before tailing the stream.",
        },
        live_stream_start_timestamp: {
          type: "integer",
          minimum: 0,
          description: "On a first start (no state), start the stream at this time (Unix ms) instead of the beginning.",
        },
        expose_metrics: {
          type: "boolean",
          default: false,
          description: "Serve Prometheus metrics and a health endpoint.",
        },
        metrics_port: {
          type: "integer",
          minimum: 0,
          maximum: 65535,
          default: 9095,
          description: "Port of the metrics endpoint.",
        },
        metrics_namespace: {
          type: "string",
          default: "",
          description: "Prefix of metric names (`namespace_subsystem_name`).",
        },
        metrics_subsystem: { type: "string", default: "", description: "Second prefix of metric names." },
        state_ping_interval: {
          type: "integer",
          minimum: 1,
          default: 5,
          description:
            "Ours: longest time, in seconds, between two pings (pycti: 40). While events are acknowledged the state is pushed about every second.",
        },
        live_stream_watchdog_timeout: {
          type: "integer",
          minimum: 1,
          default: 45,
          description:
            "Ours: seconds without any stream message (heartbeats included) before the connection is replaced.",
        },
        live_stream_reconnect_max_delay: {
          type: "integer",
          minimum: 1,
          default: 60,
          description: "Ours: longest wait, in seconds, between reconnection attempts to OpenCTI.",
        },
        live_stream_max_in_flight: {
          type: "integer",
          minimum: 1,
          default: 4000,
          description:
            "Ours: events received but not yet finished before the connector stops reading the stream (back-pressure). At least twice a batching connector's batch size lets the next batch be read while one is in flight.",
        },
        progress_interval: {
          type: "integer",
          minimum: 0,
          default: 300,
          description:
            "Ours: seconds between progress lines logged at `info` (events handled, the connector's own counts, stream position, lag); 0 turns them off.",
        },
        event_max_attempts: {
          type: "integer",
          minimum: 1,
          default: 5,
          description:
            "Ours: times an event is handed to the connector when its handler throws (retried with backoff) before it goes to the dead-letter file and is acknowledged.",
        },
        event_retry_max_delay: {
          type: "integer",
          minimum: 1,
          default: 30,
          description: "Ours: longest wait, in seconds, between two attempts at an event whose handler threw.",
        },
        dead_letter_path: {
          type: "string",
          minLength: 1,
          default: "stream-events.dead-letter.jsonl",
          description:
            "Ours: JSON-lines file where events whose handler kept failing are written (id, type, reason, attempts, time, data; secrets scrubbed).",
        },
        shutdown_timeout: {
          type: "integer",
          minimum: 0,
          default: 30,
          description: "Ours: seconds a graceful stop waits for in-flight work before pushing the state and exiting.",
        },
      },
    },
  },
};
