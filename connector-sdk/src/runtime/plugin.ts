import type { FromSchema } from "../config/from-schema.js";
import type { BaseConfig, NamespaceSchema } from "../config/types.js";
import type { HttpAgents } from "../http/types.js";
import type { Logger } from "../logging/types.js";
import type { Metrics } from "../metrics/types.js";
import type { SinkQueue } from "../sink/sink-queue.js";
import type { SinkOptions, SinkTarget } from "../sink/types.js";
import type { StreamEvent } from "../stream/envelope.js";
import type { TargetIndex, TargetIndexOptions } from "../target-index/target-index.js";
import type { JsonLinesFile } from "./dead-letter.js";
import type { Lifecycle } from "./lifecycle.js";

export type { Lifecycle } from "./lifecycle.js";

/** Who the connector is. */
export interface PluginManifest {
  /** Directory name and catalog slug, e.g. `sentinelone-intel`. */
  readonly slug: string;
  /** The connector's config namespace (`sentinelone_intel`): env `SENTINELONE_INTEL_*`, config.yml key. */
  readonly namespace: string;
  /** Connector version (reported in logs and registration). */
  readonly version: string;
  /** Defaults for the SDK's `connector.*` keys, e.g. `{ name: "SentinelOne Intel", scope: ["sentinelone"] }`. */
  readonly connectorDefaults?: Readonly<Record<string, unknown>>;
}

/** What `ctx.sinkQueue` needs: the connector's target calls, where its index lives, and the batching options. */
export interface SinkQueueSpec<P> {
  readonly target: SinkTarget<P>;
  /** The target index (SQLite file, and what it describes: another identity empties it). */
  readonly index: TargetIndexOptions;
  readonly options: SinkOptions;
  readonly now?: () => number;
}

/**
 * What a connector's `createHandler` receives: everything typed, nothing to look up. The SDK builds it per run (its
 * own services are wired with tsyringe inside the SDK; decision 0014).
 */
export interface PluginContext<R> {
  /** The connector's namespace: validated, defaults applied, then normalised by the plugin's `resolve`. */
  readonly settings: R;
  /** The SDK's own settings (`opencti`, `connector`). */
  readonly config: BaseConfig;
  /** Logger named after the connector; the configured secrets are scrubbed from every line. */
  readonly logger: Logger;
  /** This run's metrics registry (counters, gauges, `reportInProgress`). */
  readonly metrics: Metrics;
  /** TLS and proxy aware HTTP agents for a URL. */
  readonly agents: HttpAgents;
  /** Stop the run, read the stream again from scratch, or notice the stop (`signal`). */
  readonly lifecycle: Lifecycle;
  /** An append-only JSON-lines file (e.g. items the target refused), scrubbed of the run's secrets. */
  deadLetter<T>(path: string): JsonLinesFile<T>;
  /** The SDK's ordered, batching, coalescing queue on the connector's target (decision 0009). */
  sinkQueue<P>(spec: SinkQueueSpec<P>): SinkQueue<P>;
  /** A durable index of what the target holds per key (decision 0008), for connectors that read it themselves. */
  targetIndex(options: TargetIndexOptions): TargetIndex;
}

/**
 * A connector, as `definePlugin` takes it. The SDK owns the lifecycle (config, registration, ping, state, stream,
 * logging, metrics, shutdown); the connector owns what happens to each event.
 */
export interface PluginDefinition<S extends NamespaceSchema, R, H extends StreamEventHandler> {
  readonly manifest: PluginManifest;
  /** JSON Schema of the connector's namespace (`as const`: its settings type derives from it). */
  readonly configSchema: S;
  /** Cross-field rules run after each setting was checked on its own; each returned string is one problem. */
  crossFieldRules?(settings: FromSchema<S>): readonly string[];
  /** Normalises the validated namespace into what the connector's code uses (units, trimmed ids…). */
  resolve?(settings: FromSchema<S>): R;
  /** Builds the run's handler and the services behind it (never touches the network: `start()` does). */
  createHandler(ctx: PluginContext<R>): H;
}

/** A defined plugin: what `runMain`, `startConnector`, `loadPluginConfig` and the tools take. */
export interface ConnectorPlugin<
  S extends NamespaceSchema = NamespaceSchema,
  R = unknown,
  H extends StreamEventHandler = StreamEventHandler,
> extends PluginDefinition<S, R, H> {
  resolve(settings: FromSchema<S>): R;
}

/** Without `resolve`, the connector's settings are its schema's values as they are. */
export function definePlugin<const S extends NamespaceSchema, H extends StreamEventHandler>(
  definition: PluginDefinition<S, FromSchema<S>, H> & { readonly resolve?: undefined },
): ConnectorPlugin<S, FromSchema<S>, H>;
export function definePlugin<const S extends NamespaceSchema, R, H extends StreamEventHandler>(
  definition: PluginDefinition<S, R, H> & { resolve(settings: FromSchema<S>): R },
): ConnectorPlugin<S, R, H>;
export function definePlugin(
  definition: PluginDefinition<NamespaceSchema, unknown, StreamEventHandler>,
): ConnectorPlugin<NamespaceSchema, unknown, StreamEventHandler> {
  const { resolve } = definition;
  return { ...definition, resolve: (settings) => (resolve ? resolve(settings) : settings) };
}

/**
 * Per-event context. By default an event is acknowledged when `handle` resolves. A handler that
 * finishes later (e.g. after a batched push) calls `defer()` and calls the returned function when done.
 * The stream position (`start_from`) never advances past an event that is not acknowledged.
 */
export interface EventContext {
  defer(): () => void;
  /** Aborted when the run is stopping; long waits (retries, back-pressure) should end on it. */
  readonly signal: AbortSignal;
}

export interface StreamEventHandler {
  /** After registration, before the stream is opened. A throw ends the run with exit code 1 and the cause logged. */
  start?(): Promise<void>;
  /**
   * Called once per event, in stream order, one at a time. May await (back-pressure: the SDK stops
   * reading the socket while handlers are slow). The handler never persists stream state.
   *
   * A throw is never acknowledged silently (decision 0006): the same event is handed over again after a backoff
   * (later events wait), up to `CONNECTOR_EVENT_MAX_ATTEMPTS` times; then it is written to the SDK's dead-letter
   * file (`CONNECTOR_DEAD_LETTER_PATH`, secrets scrubbed), counted (`stream_events_dead_lettered_total`), logged
   * at error with its id and reason, and only then acknowledged. So `handle` must tolerate being called again for
   * the same event (it may also be replayed after a restart). A stop ends the retries and leaves the event
   * unacknowledged (replayed on the next start). Throw `FatalConnectorError` to stop the run instead.
   */
  handle(event: StreamEvent, context: EventContext): Promise<void>;
  /**
   * Nothing more can arrive before the handler acknowledges events: the runner has handed over every event it read
   * and stopped reading (`CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT` events await acknowledgement). A batching handler
   * sends what it holds now instead of waiting for a batch to fill or a flush timer (decision 0005); the SDK's
   * `SinkQueue.flush()` does it. Called once each time the runner starts waiting (again after it read more);
   * a throw is logged and the events stay unacknowledged.
   */
  flush?(): void;
  /**
   * A start without state (first run, or a state reset in OpenCTI) opens the stream from `0-0` with a recover date:
   * OpenCTI sends its recovery snapshot, the current version of every object the stream lets through. Called before
   * that stream opens (again after an in-process reset).
   */
  snapshotStarted?(): void;
  /**
   * The snapshot is over (first id past the recover date: an event, or an idle heartbeat), in stream order after
   * its last object: whatever the snapshot did not mention is gone from the stream (reconciliation). May defer its
   * acknowledgement like `handle`; a throw is logged and the stream goes on.
   */
  snapshotEnded?(eventId: string, context: EventContext): Promise<void>;
  /** Graceful stop: finish deferred work (flush buffers) before the deadline (ms epoch). */
  drain?(deadline: number): Promise<void>;
  /** Release resources. Called last. */
  stop?(): Promise<void>;
}

/** Thrown from `handle()` to stop the run (same effect as `Lifecycle.fatal`): no retry, the event is replayed on the next start. */
export class FatalConnectorError extends Error {
  override readonly name = "FatalConnectorError";
}
