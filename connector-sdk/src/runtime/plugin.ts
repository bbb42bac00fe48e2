import type { DependencyContainer, InjectionToken } from "tsyringe";
import type { BaseConfig, NamespaceSchema } from "../config/types.js";
import type { StreamEvent } from "../stream/envelope.js";

/**
 * What a connector supplies. The SDK owns the lifecycle (config, registration, ping, state, stream,
 * logging, metrics, shutdown); the connector owns what happens to each event.
 */
export interface ConnectorPlugin<C extends BaseConfig = BaseConfig> {
  /** Directory name and catalog slug, e.g. `sentinelone-intel`. */
  readonly slug: string;
  /** The connector's config namespace (`sentinelone_intel`): env `SENTINELONE_INTEL_*`, config.yml key. */
  readonly namespace: string;
  /** JSON Schema of the connector's own namespace. The SDK adds `opencti` and `connector`. */
  readonly configSchema: NamespaceSchema;
  /** Defaults the connector sets for SDK keys, e.g. `{ connector: { name: "SentinelOne Intel", scope: "indicator" } }`. */
  readonly configDefaults?: { readonly connector?: Readonly<Record<string, unknown>> };
  /** Cross-field rules run after schema validation; each returned string is one problem. */
  readonly crossFieldRules?: (config: C) => readonly string[];
  /** Connector version (reported in logs and registration). */
  readonly version: string;
  /** Registers the connector's own services in the run's child container (never touches the network). */
  readonly register?: (container: DependencyContainer, config: C) => void;
  /** The handler class (constructor-injected) or token, resolved from the run's child container. */
  readonly handler: InjectionToken<StreamEventHandler>;
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

/** Injected under `TOKENS.Lifecycle`. */
export interface Lifecycle {
  /**
   * Stop the run because continuing cannot succeed (401/403 from the target API, …). The runner logs
   * the message, stops reading, pushes the acknowledged state and exits with code 1. Unacknowledged
   * events are not lost: they are replayed on the next start.
   */
  fatal(message: string, cause?: unknown): void;
  /**
   * Reads the stream again from scratch, in-process, as after a state reset in OpenCTI: `0-0` with `recover=<now>`
   * (a full recovery snapshot, with the `snapshotStarted` / `snapshotEnded` hooks), then the live stream from the
   * recover date. Events read and not handled yet are dropped (the snapshot holds their objects' current versions).
   * Used for a scheduled reconciliation.
   */
  restartFromScratch?(reason: string): void;
  /** Aborted when the run is stopping (graceful stop or fatal). */
  readonly signal: AbortSignal;
}

/** Thrown from `handle()` to stop the run (same effect as `Lifecycle.fatal`): no retry, the event is replayed on the next start. */
export class FatalConnectorError extends Error {
  override readonly name = "FatalConnectorError";
}
