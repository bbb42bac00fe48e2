/**
 * Config schema format. One JSON Schema per connector is the single source of truth for its
 * configuration: the SDK part (namespaces `opencti` and `connector`) plus the connector's own namespace.
 * The env var of `ns.key` is `NS_KEY` (upper case), its config.yml path is `ns: { key: … }`.
 */

export type ConfigValueType = "string" | "integer" | "number" | "boolean" | "array";

export interface ConfigPropertySchema {
  readonly type: ConfigValueType;
  readonly description: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  /** JSON Schema formats: `uri`, `uuid`, `date-time`… */
  readonly format?: string;
  /** A secret: redacted in logs, errors and dumps; `format: password` in the generated schema. */
  readonly writeOnly?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  /**
   * What a value failing `pattern` is told, after the variable name (`must be a SentinelOne id: …`). Without it,
   * digit-only patterns read `must be a number (digits only)` and others `must match the pattern …`.
   */
  readonly errorMessage?: string;
  /** For `array`: item type. Env/yaml strings are split on commas and trimmed. */
  readonly items?: { readonly type: "string" | "integer" };
  /** Older env var names that are also read (only when the main name is unset), e.g. `SENTINELONE_INTEL_URL`. */
  readonly "x-env-aliases"?: readonly string[];
  /** Older keys of the same namespace in config.yml, e.g. `url` for `api_url`. */
  readonly "x-yaml-aliases"?: readonly string[];
  /** Shown in the generated doc. */
  readonly deprecated?: boolean;
  /** A boolean that may also be a file path (pycti's `ssl_verify`: true/false or a CA bundle). */
  readonly "x-or-path"?: boolean;
  /** A string naming a file the connector reads (e.g. a CA bundle): checked readable at start-up. */
  readonly "x-file"?: boolean;
  /**
   * A pycti header list (`h1:v1;h2:v2`, e.g. `OPENCTI_CUSTOM_HEADERS`): header values often carry credentials,
   * so each value is scrubbed from logs and redacted in dumps (the header names stay visible).
   */
  readonly "x-header-list"?: boolean;
}

export interface NamespaceSchema {
  readonly type: "object";
  readonly properties: Readonly<Record<string, ConfigPropertySchema>>;
  readonly required?: readonly string[];
}

/** What the config layer needs of a plugin (`definePlugin`): its namespace, its schema, its defaults for SDK keys. */
export interface ConfigSpec {
  readonly manifest: {
    /** The connector's config namespace (`sentinelone_intel`): env `SENTINELONE_INTEL_*`, config.yml key. */
    readonly namespace: string;
    /** Defaults for the SDK's `connector.*` keys, e.g. `{ name: "SentinelOne Intel", scope: ["sentinelone"] }`. */
    readonly connectorDefaults?: Readonly<Record<string, unknown>>;
  };
  readonly configSchema: NamespaceSchema;
}

export interface ConfigSchema {
  readonly type: "object";
  readonly properties: Readonly<Record<string, NamespaceSchema>>;
  readonly required?: readonly string[];
}

export type LogLevel = "debug" | "info" | "warn" | "warning" | "error";

/** The SDK's own namespaces, resolved (defaults applied, types coerced). */
export interface OpenCtiConfig {
  readonly url: string;
  readonly token: string;
  /** true/false, or a path to a CA bundle (PEM) as pycti allows. Default true (pycti defaults to false). */
  readonly ssl_verify: boolean | string;
  readonly custom_headers?: string;
  readonly json_logging: boolean;
}

export interface ConnectorBaseConfig {
  readonly id: string;
  readonly name: string;
  readonly type: "STREAM";
  readonly scope: readonly string[];
  readonly log_level: LogLevel;
  readonly live_stream_id: string;
  readonly live_stream_listen_delete: boolean;
  readonly live_stream_no_dependencies: boolean;
  readonly live_stream_with_inferences: boolean;
  readonly live_stream_recover_iso_date?: string;
  readonly live_stream_start_timestamp?: number;
  readonly expose_metrics: boolean;
  readonly metrics_port: number;
  readonly metrics_namespace: string;
  readonly metrics_subsystem: string;
  /** Longest time between two pings, seconds (pycti: 40); the state is pushed more often while work flows, and on shutdown. */
  readonly state_ping_interval: number;
  /** Seconds of stream silence before the watchdog reconnects (pycti: 45, then it kills the process). */
  readonly live_stream_watchdog_timeout: number;
  /** Upper bound of the reconnect backoff, seconds. */
  readonly live_stream_reconnect_max_delay: number;
  /** Events read ahead of the handler before the SDK stops reading the socket (back-pressure). */
  readonly live_stream_max_in_flight: number;
  /** Seconds between progress lines at `info`; 0: none. */
  readonly progress_interval: number;
  /** Attempts at an event whose handler throws before it is dead-lettered (and acknowledged). */
  readonly event_max_attempts: number;
  /** Upper bound of the wait between two attempts, seconds. */
  readonly event_retry_max_delay: number;
  /** JSON-lines file of the events whose handler kept failing. */
  readonly dead_letter_path: string;
  /** Seconds a graceful stop waits for in-flight work before pushing the state and exiting. */
  readonly shutdown_timeout: number;
}

export interface BaseConfig {
  readonly opencti: OpenCtiConfig;
  readonly connector: ConnectorBaseConfig;
}

/** Where a resolved value came from (for `config check`). */
export type ConfigSource = "env" | "config.yml" | ".env" | "default";
