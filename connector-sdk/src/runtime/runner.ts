import { createRequire } from "node:module";
import type { Writable } from "node:stream";
import { tlsFrom } from "../config/index.js";
import type { BaseConfig, ConfigSource, NamespaceSchema } from "../config/types.js";
import { backoffDelay, createHttpAgents, sleep } from "../http/index.js";
import type { HttpAgents, TlsSettings } from "../http/types.js";
import { errorMessage } from "../logging/error-message.js";
import { createLogger } from "../logging/index.js";
import type { Logger } from "../logging/types.js";
import { createMetrics, startMetricsServer } from "../metrics/index.js";
import type { Metrics } from "../metrics/types.js";
import { OpenCtiClient } from "../opencti/client.js";
import { AckTracker } from "../state/ack-tracker.js";
import { parseStreamId } from "../state/stream-ids.js";
import { parseState, resolveInitialState, type StreamState, sameState, serializeState } from "../state/stream-state.js";
import type { StreamEvent } from "../stream/envelope.js";
import { LiveStream, type RawStreamMessage } from "../stream/live-stream.js";
import { isMalformed, parseEnvelope } from "../stream/parse-envelope.js";
import { EventDeadLetter } from "./dead-letter.js";
import { MessageQueue } from "./message-queue.js";
import { type ConnectorPlugin, FatalConnectorError, type Lifecycle, type StreamEventHandler } from "./plugin.js";
import { loadPluginConfig } from "./plugin-config.js";
import { startProgress } from "./progress.js";
import { registerWithRetry } from "./registration.js";
import { createPluginContext, runContainer } from "./services.js";
import { DEFAULT_STATE_CADENCE, type StateCadence, StatePusher } from "./state-pusher.js";
import { resolveToken, TOKENS } from "./tokens.js";

const SDK_VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

export interface StartOptions {
  /** Environment to read config from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directories searched for `config.yml` then `.env` (default: the current directory). */
  readonly searchDirs?: readonly string[];
  /** Where JSON log lines go (default stderr). */
  readonly logStream?: Writable;
  /** First reconnect delay of the live stream, OpenCTI start-up retries and event retries (ms, default 500). */
  readonly retryBaseMs?: number;
  /** Test seam: when the state is pushed to OpenCTI (default `DEFAULT_STATE_CADENCE`, decision 0007). */
  readonly stateCadence?: Partial<StateCadence>;
}

export interface RunResult {
  readonly exitCode: 0 | 1;
  readonly reason: string;
  /** The state pushed last (what a restart resumes from). */
  readonly state: StreamState | null;
}

export interface ConnectorRun<R = unknown, H extends StreamEventHandler = StreamEventHandler> {
  readonly config: BaseConfig;
  /** The connector's resolved settings (its `resolve`), as its handler received them. */
  readonly settings: R;
  /** The handler `createHandler` built for this run (tools and tests read its typed services). */
  readonly handler: H;
  readonly configSources: Readonly<Record<string, ConfigSource>>;
  readonly metrics: Metrics;
  /** Resolves once the run has ended (stop, fatal error). */
  readonly done: Promise<RunResult>;
  /** Graceful stop: stop reading, drain in-flight work, push the final state. */
  stop(reason?: string): Promise<RunResult>;
  /** The current state (start_from = last fully handled position). */
  state(): StreamState | null;
  /** True once registered and the stream has been opened. */
  readonly started: Promise<void>;
}

interface QueuedMessage {
  readonly message: RawStreamMessage;
  readonly entry: ReturnType<AckTracker["receive"]> | undefined;
  readonly generation: number;
  /** The end of a full recovery snapshot (handed to `handler.snapshotEnded` in stream order). */
  readonly snapshotEnd?: boolean;
}

/**
 * Starts a connector: loads and validates config (throws `ConfigValidationError` listing every problem),
 * wires a child container, then in the background registers in OpenCTI (waiting for it with backoff),
 * pings the state, and feeds the live stream to the plugin's handler with at-least-once acknowledgement.
 */
export async function startConnector<S extends NamespaceSchema, R, H extends StreamEventHandler>(
  plugin: ConnectorPlugin<S, R, H>,
  options: StartOptions = {},
): Promise<ConnectorRun<R, H>> {
  const env = options.env ?? process.env;
  const loaded = loadPluginConfig(plugin, {
    env,
    ...(options.searchDirs ? { searchDirs: [...options.searchDirs] } : {}),
  });
  const config = loaded.config;
  const logger = createLogger({
    name: config.connector.name,
    level: config.connector.log_level,
    json: config.opencti.json_logging,
    secrets: loaded.secrets,
    stream: options.logStream,
  });
  for (const warning of loaded.warnings ?? []) logger.warning(warning);
  const metrics = createMetrics({
    namespace: config.connector.metrics_namespace,
    subsystem: config.connector.metrics_subsystem,
  });
  const agents = createHttpAgents(env);
  const tls: TlsSettings = tlsFrom(config.opencti.ssl_verify);
  const client = new OpenCtiClient({
    url: config.opencti.url,
    token: config.opencti.token,
    tls,
    agents,
    customHeaders: config.opencti.custom_headers,
    userAgent: `octi-connector-sdk/${SDK_VERSION} (${plugin.manifest.slug}/${plugin.manifest.version})`,
  });

  const abort = new AbortController();
  let fatalHook: (message: string, cause?: unknown) => void = () => undefined;
  let restartHook: (reason: string) => void = () => undefined;
  const lifecycle: Lifecycle = {
    fatal: (message, cause) => fatalHook(message, cause),
    restartFromScratch: (reason) => restartHook(reason),
    signal: abort.signal,
  };

  const services = runContainer({ config, logger, metrics, agents, secrets: loaded.secrets, lifecycle, client });
  let handler: H;
  try {
    handler = plugin.createHandler(
      createPluginContext({ ...resolveToken(services, TOKENS.Services), settings: loaded.settings }),
    );
  } catch (error) {
    agents.destroy();
    throw error;
  }

  const engine = new Engine({
    config,
    logger,
    metrics,
    client,
    handler,
    agents,
    tls,
    abort,
    deadLetter: resolveToken(services, TOKENS.EventDeadLetter),
    retryBaseMs: options.retryBaseMs ?? 500,
    cadence: { ...DEFAULT_STATE_CADENCE, ...options.stateCadence },
  });
  fatalHook = (message, cause) => engine.fatal(message, cause);
  restartHook = (reason) => engine.requestRestartFromScratch(reason);
  const progress = startProgress({
    logger,
    metrics,
    intervalSeconds: config.connector.progress_interval,
    position: () => engine.currentState()?.start_from,
  });
  // The last progress line (the run's totals) is written before `done` resolves, so an exit right after keeps it.
  const done = engine.done.then(async (result) => {
    await progress.stop();
    return result;
  });
  // Keep-alive sockets would hold the process open after the run.
  void engine.done.then(() => agents.destroy());
  const started = engine.run();
  // A start-up failure (metrics port taken, handler start() throwing, …) ends the run with exit code 1 and its
  // cause logged; left alone it would leave pings going and the stream never opened.
  started.catch((error: unknown) => engine.fatal(`Connector failed to start: ${errorMessage(error)}`, error));
  return {
    config,
    settings: loaded.settings,
    handler,
    configSources: loaded.sources,
    metrics,
    done,
    stop: (reason) => engine.stop(reason ?? "stop requested", 0).then(() => done),
    state: () => engine.currentState(),
    started,
  };
}

/** What one run's engine works with (built by `startConnector`). */
interface EngineDeps {
  readonly config: BaseConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly client: OpenCtiClient;
  readonly handler: StreamEventHandler;
  readonly agents: HttpAgents;
  readonly tls: TlsSettings;
  /** Aborted when the run stops (the handler's `lifecycle.signal`). */
  readonly abort: AbortController;
  readonly deadLetter: EventDeadLetter;
  /** First delay of the reconnect, registration and event retry backoffs (ms). */
  readonly retryBaseMs: number;
  readonly cadence: StateCadence;
}

/** The lifecycle of one run. Private to the runner. */
class Engine {
  private tracker: AckTracker = new AckTracker("0-0");
  private baseState: StreamState | null = null;
  private generation = 0;
  private stream: LiveStream | undefined;
  private readonly queue = new MessageQueue<QueuedMessage>();
  private stopping = false;
  private draining = false;
  private pusher: StatePusher | undefined;
  /** The state string OpenCTI holds, as last stored by a ping. */
  private storedText: string | undefined;
  /** Set at registration when OpenCTI had no state (fresh start, or a reset made while we were down). */
  private registeredWithoutState = false;
  /** A full recovery snapshot is being read (start without state): its recover date, epoch ms. */
  private snapshotUntilMs: number | undefined;
  /** Aborted as soon as a stop begins: ends the waits between attempts at a failing event. */
  private readonly retryAbort = new AbortController();
  private consumer: Promise<void> | undefined;
  private metricsServer: { close(): Promise<void> } | undefined;
  private resolveDone!: (result: RunResult) => void;
  readonly done: Promise<RunResult>;
  private stopPromise: Promise<RunResult> | undefined;
  private readonly maxInFlight: number;
  /** The handler was told (`flush`) that nothing more arrives before it acknowledges events; reset when reading resumes. */
  private waitingForAcks = false;

  private readonly config: BaseConfig;
  private readonly apiLogger: Logger;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly client: OpenCtiClient;
  private readonly handler: StreamEventHandler;
  private readonly agents: HttpAgents;
  private readonly tls: TlsSettings;
  private readonly abort: AbortController;
  private readonly timing: Pick<EngineDeps, "retryBaseMs" | "cadence" | "deadLetter">;

  constructor(deps: EngineDeps) {
    this.config = deps.config;
    this.logger = deps.logger;
    this.metrics = deps.metrics;
    this.client = deps.client;
    this.handler = deps.handler;
    this.agents = deps.agents;
    this.tls = deps.tls;
    this.abort = deps.abort;
    this.apiLogger = deps.logger.child("api");
    this.timing = deps;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.maxInFlight = Math.max(1, deps.config.connector.live_stream_max_in_flight);
    this.setStateMetric("idle");
  }

  currentState(): StreamState | null {
    if (!this.baseState) return null;
    return { ...this.baseState, start_from: this.tracker.committed };
  }

  async run(): Promise<void> {
    const registered = await registerWithRetry({
      client: this.client,
      connector: this.config.connector,
      logger: this.apiLogger,
      retryBaseMs: this.timing.retryBaseMs,
      signal: this.abort.signal,
      stopping: () => this.stopping,
      refused: (message, error) => this.fatal(message, error),
    });
    if (!registered) return;
    const stored = parseState(registered.connector_state);
    this.registeredWithoutState = stored === null;
    this.startGeneration(stored);
    if (stored && this.baseState && stored.start_from === undefined && stored.connectorLastEventId === undefined) {
      this.logger.warning("Stored state has no start_from: starting from the beginning", { state: stored });
    }
    this.pusher = new StatePusher({
      cadence: this.timing.cadence,
      keepAliveMs: this.config.connector.state_ping_interval * 1000,
      changed: () => serializeState(this.currentState()) !== this.storedText,
      push: () => this.ping(),
    });
    this.pusher.start();
    if (this.config.connector.expose_metrics) {
      const port = this.config.connector.metrics_port;
      this.logger.info("Exposing metrics on port", { port });
      try {
        this.metricsServer = await startMetricsServer({ port, metrics: this.metrics, health: () => this.health() });
      } catch (error) {
        throw new Error(
          `cannot serve metrics on port ${port} (CONNECTOR_METRICS_PORT): ${errorMessage(error)}; choose a free port or set CONNECTOR_EXPOSE_METRICS=false`,
        );
      }
    }
    if (this.stopping) return;
    try {
      await this.handler.start?.();
    } catch (error) {
      throw new Error(`the connector's start() failed: ${errorMessage(error)}`);
    }
    if (this.stopping) return;
    this.setStateMetric("running");
    this.consumer = this.consume();
    this.openStream();
  }

  private startGeneration(stored: Readonly<Record<string, unknown>> | null): void {
    this.generation++;
    const c = this.config.connector;
    this.baseState = resolveInitialState(stored, {
      startTimestamp: c.live_stream_start_timestamp,
      recoverIsoDate: c.live_stream_recover_iso_date,
    });
    // Ids may be shared whatever `no-dependencies` says: OpenCTI always sends the objects an event references that
    // this connection has not sent yet under the event's id (decision 0001).
    this.tracker = new AckTracker(this.baseState.start_from);
    // A start without state from `0-0` with a recover date reads OpenCTI's full recovery snapshot: the handler may
    // treat what it did not receive as gone (reconciliation). A partial window (a start timestamp) is not full.
    const recover = this.baseState.recover_until;
    const recoverMs = typeof recover === "string" ? Date.parse(recover) : Number.NaN;
    this.snapshotUntilMs =
      stored === null && this.baseState.start_from === "0-0" && recoverMs > 0 ? recoverMs : undefined;
  }

  private openStream(): void {
    this.waitingForAcks = false;
    if (this.snapshotUntilMs !== undefined) this.handler.snapshotStarted?.();
    const c = this.config.connector;
    const generation = this.generation;
    const tracker = this.tracker;
    this.stream = new LiveStream({
      url: this.config.opencti.url,
      streamId: c.live_stream_id,
      token: this.config.opencti.token,
      listenDelete: c.live_stream_listen_delete,
      noDependencies: c.live_stream_no_dependencies,
      withInferences: c.live_stream_with_inferences,
      recoverUntil: this.baseState?.recover_until ?? false,
      tls: this.tls,
      agents: this.agents,
      logger: this.logger,
      watchdogMs: c.live_stream_watchdog_timeout * 1000,
      reconnectBaseMs: this.timing.retryBaseMs,
      reconnectMaxMs: c.live_stream_reconnect_max_delay * 1000,
      resumePoint: () => tracker.resumePoint(),
      onMessage: (message) => this.enqueue(message, generation, tracker),
      onFatal: (message) => this.fatal(message),
      onReconnect: () => this.metrics.sdk.reconnects.inc(),
    });
    this.stream.start();
  }

  private enqueue(message: RawStreamMessage, generation: number, tracker: AckTracker): void {
    if (generation !== this.generation) return;
    if (message.id === undefined) return; // `connected` and id-less messages carry no position (pycti ignores them)
    if (this.snapshotUntilMs !== undefined && !this.stopping) {
      const ms = parseStreamId(message.id)?.ms;
      if (ms !== undefined && ms > this.snapshotUntilMs) {
        // The first id past the recover date (an event, or an idle heartbeat): the snapshot is over. The marker
        // holds the position until the handler settled it.
        this.snapshotUntilMs = undefined;
        this.queue.push({ message, entry: tracker.receive(message.id), generation, snapshotEnd: true });
      }
    }
    if (message.event === "heartbeat" || message.event === "connected") {
      tracker.heartbeat(message.id);
      this.pusher?.onProgress(false);
      return;
    }
    if (this.stopping) {
      // Not handled (replayed after a restart); a later id still proves the newest received id group complete.
      tracker.discard(message.id);
      this.stream?.stop(); // nothing read from now on can be used
      return;
    }
    const entry = tracker.receive(message.id);
    this.metrics.sdk.stream.inFlight(tracker.window);
    if (tracker.window >= this.maxInFlight) this.stream?.pause();
    this.queue.push({ message, entry, generation });
  }

  private async next(): Promise<QueuedMessage | undefined> {
    for (;;) {
      // A fatal stop hands nothing more to the handler; a graceful one drains what was read.
      if (this.stopping && !this.draining) return undefined;
      const item = this.queue.take();
      if (item) return item;
      if (this.stopping) return undefined;
      // Everything read is handed over and reading is paused: only acknowledgements can bring more.
      if (this.stream?.paused && !this.waitingForAcks) {
        this.waitingForAcks = true;
        this.flushHandler();
      }
      await this.queue.arrival();
    }
  }

  /** Decision 0005: a batching handler sends a partial batch at once instead of waiting for a timer. */
  private flushHandler(): void {
    try {
      this.handler.flush?.();
    } catch (error) {
      this.logger.error("The handler's flush failed; its events wait for its own flush timer", {
        reason: errorMessage(error),
      });
    }
  }

  /** One event at a time, in stream order. */
  private async consume(): Promise<void> {
    for (;;) {
      const item = await this.next();
      if (!item) return;
      if (item.generation !== this.generation || !item.entry) continue;
      await this.handleOne(item, item.entry);
    }
  }

  private async handleOne(item: QueuedMessage, entry: NonNullable<QueuedMessage["entry"]>): Promise<void> {
    const tracker = this.tracker;
    const { id, event, data } = item.message;
    const sdk = this.metrics.sdk;
    const counts = sdk.stream;
    if (item.snapshotEnd) {
      await this.endSnapshot(id ?? "", () => {
        tracker.ack(entry);
        this.pusher?.onProgress(true);
      });
      return;
    }
    const ack = () => {
      tracker.ack(entry);
      this.pusher?.onProgress(true);
      counts.inFlight(tracker.window);
      counts.acknowledged(entry.id);
      if (this.stream?.paused && tracker.window < this.maxInFlight / 2) {
        this.waitingForAcks = false;
        this.stream.resume();
      }
    };
    const parsed = parseEnvelope(id ?? "", event, data);
    counts.receive(event);
    if (isMalformed(parsed)) {
      sdk.eventsMalformed.inc();
      this.logger.warning("Malformed stream event skipped", {
        event_id: parsed.id,
        event: parsed.event.slice(0, 40),
        reason: parsed.reason,
      });
      ack();
      return;
    }
    let acked = false;
    // A deferred acknowledgement may live long (batched push, rate limits): keep only the event name
    // reachable from it, not the parsed STIX object.
    const eventName = parsed.event;
    const once = () => {
      if (acked) return;
      acked = true;
      counts.handle(eventName);
      ack();
    };
    const maxAttempts = Math.max(1, this.config.connector.event_max_attempts);
    for (let attempt = 1; ; attempt++) {
      let deferred = false;
      try {
        await this.handler.handle(parsed, {
          defer: () => {
            deferred = true;
            return once;
          },
          signal: this.abort.signal,
        });
        if (!deferred) once();
        return;
      } catch (error) {
        if (error instanceof FatalConnectorError) {
          this.fatal(error.message, error);
          return;
        }
        if (acked) return; // an earlier deferred acknowledgement already settled it
        const reason = errorMessage(error);
        sdk.eventsFailed.inc({ reason: error instanceof Error ? error.name : "Error" });
        const about = { event_id: parsed.id, event: parsed.event, entity_id: parsed.data.id, reason };
        if (attempt >= maxAttempts) {
          await this.deadLetter(parsed, reason, attempt, once);
          return;
        }
        if (this.stopping) {
          // Not acknowledged: replayed on the next start.
          this.logger.warning("Event handler failed while stopping; the event will be replayed", about);
          return;
        }
        const delay = backoffDelay(attempt - 1, {
          baseMs: this.timing.retryBaseMs,
          maxMs: this.config.connector.event_retry_max_delay * 1000,
        });
        this.logger.warning("Event handler failed, retrying", {
          ...about,
          attempt,
          max_attempts: maxAttempts,
          retry_in_ms: delay,
        });
        try {
          await sleep(delay, this.retryAbort.signal);
        } catch {
          this.logger.warning("Stopping: the failing event is not acknowledged and will be replayed", about);
          return;
        }
        // A remote reset restarted the stream meanwhile: this event belongs to the abandoned position.
        if (item.generation !== this.generation) return;
      }
    }
  }

  /** Writes an event whose handler kept failing to the dead-letter file, then (only then) acknowledges it. */
  private async deadLetter(event: StreamEvent, reason: string, attempts: number, ack: () => void): Promise<void> {
    const file = this.timing.deadLetter;
    try {
      await file.write([
        {
          time: new Date().toISOString(),
          event_id: event.id,
          event_type: event.event,
          entity_type: event.data.type,
          entity_id: event.data.id,
          reason,
          attempts,
          data: event.data,
        },
      ]);
    } catch (error) {
      this.fatal(
        `Cannot write the dead-letter file ${file.location} (CONNECTOR_DEAD_LETTER_PATH): ${errorMessage(error)}; event ${event.id} is not acknowledged and will be replayed after a restart`,
      );
      return;
    }
    this.metrics.sdk.eventsDeadLettered.inc();
    this.logger.error("Event handler kept failing; event written to the dead-letter file", {
      event_id: event.id,
      event: event.event,
      entity_id: event.data.id,
      reason,
      attempts,
      dead_letter_path: file.location,
    });
    ack();
  }

  /** Hands the end of a full recovery snapshot to the handler; acknowledged when it says (defer) or returns. */
  private async endSnapshot(id: string, ack: () => void): Promise<void> {
    const handler = this.handler.snapshotEnded?.bind(this.handler);
    if (!handler) {
      ack();
      return;
    }
    let deferred = false;
    try {
      await handler(id, {
        defer: () => {
          deferred = true;
          return ack;
        },
        signal: this.abort.signal,
      });
    } catch (error) {
      // Nothing is lost: the stream goes on; what the handler would have removed stays until the next reconciliation.
      this.logger.error("The handler failed at the end of the recovery snapshot", {
        event_id: id,
        reason: errorMessage(error),
      });
    }
    if (!deferred) ack();
  }

  /**
   * Pushes the state (the only way pycti saves it). A returned state that differs from the one sent is a reset made
   * in the UI, except on the first ping after a registration that found no state: OpenCTI then only clears the flag
   * of a reset made while we were down, and the run already starts from scratch.
   */
  private async ping(): Promise<void> {
    const sentText = serializeState(this.currentState());
    try {
      const returned = await this.client.ping(this.config.connector.id, sentText);
      this.metrics.sdk.pingApi.inc();
      const firstAfterRegistration = this.registeredWithoutState;
      this.registeredWithoutState = false;
      if (sameState(parseState(returned), parseState(sentText))) {
        this.storedText = sentText;
        return;
      }
      if (this.stopping) return;
      if (firstAfterRegistration && parseState(returned) === null) {
        this.logger.info("Connector state was reset in OpenCTI while the connector was stopped: started from scratch");
        this.storedText = returned ?? undefined;
        this.pusher?.onProgress(false);
        return;
      }
      this.logger.info("Connector state has been remotely reset", { state: null });
      this.restartFromScratch();
    } catch (error) {
      this.metrics.sdk.pingApiErrors.inc();
      this.logger.error("Error pinging the API", { reason: errorMessage(error) });
    }
  }

  /** A connector's scheduled reconciliation: a restart from scratch once the stream is open (not while stopping). */
  requestRestartFromScratch(reason: string): void {
    if (this.stopping || this.stream === undefined) return;
    this.logger.info("Reading the stream again from scratch", { reason });
    this.restartFromScratch();
  }

  /** pycti kills the process on a remote reset and lets Docker restart it; we restart the stream in-process. */
  private restartFromScratch(): void {
    this.stream?.stop();
    this.queue.clear();
    this.startGeneration(null);
    this.openStream();
    // The fresh state is pushed soon, so that OpenCTI shows the restart.
    this.pusher?.onProgress(false);
  }

  private health(): { status: "ok" | "degraded" | "down"; details: Record<string, unknown> } {
    const streamStatus = this.stream?.status ?? "connecting";
    const status = this.stopping ? "down" : streamStatus === "open" || streamStatus === "paused" ? "ok" : "degraded";
    return { status, details: { stream: streamStatus, state: this.currentState(), in_flight: this.tracker.window } };
  }

  private setStateMetric(state: "idle" | "running" | "stopped"): void {
    for (const s of ["idle", "running", "stopped"]) this.metrics.sdk.state.set({ state: s }, s === state ? 1 : 0);
  }

  fatal(message: string, cause?: unknown): void {
    if (this.stopping) return;
    this.metrics.sdk.errors.inc();
    this.logger.error(message, cause instanceof Error ? { reason: cause.message } : undefined);
    void this.stop(message, 1, false);
  }

  stop(reason: string, exitCode: 0 | 1, drain = true): Promise<RunResult> {
    if (this.stopPromise) return this.stopPromise;
    this.stopPromise = this.shutdown(reason, exitCode, drain);
    return this.stopPromise;
  }

  /** Everything received is acknowledged but its id may still be shared by messages to come: wait for its closure. */
  private async waitForNewestGroupClosed(maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    const tracker = this.tracker;
    const reading = () => this.stream?.status === "open" || this.stream?.status === "connecting";
    while (reading() && tracker.window === 0 && !tracker.settled && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async shutdown(reason: string, exitCode: 0 | 1, drain: boolean): Promise<RunResult> {
    this.stopping = true;
    this.draining = drain;
    this.retryAbort.abort();
    this.logger.info("Preparing connector for clean shutdown", { reason });
    const deadline = Date.now() + (drain ? this.config.connector.shutdown_timeout * 1000 : 0);
    // While draining, the stream is still read (events are dropped) so that a heartbeat or a later id can close
    // the newest id group: otherwise its last event, already handled, would be replayed after the restart.
    if (drain) this.stream?.resume();
    else this.stream?.stop();
    const pusherStopped = this.pusher?.stop();
    this.queue.wake();
    const remaining = () => Math.max(0, deadline - Date.now());
    if (this.consumer) await withTimeout(this.consumer, remaining());
    if (drain && this.handler.drain) {
      await withTimeout(
        this.handler.drain(deadline).catch((error: unknown) => {
          this.logger.error("Draining in-flight work failed", { reason: errorMessage(error) });
        }),
        remaining() + 100,
      );
    }
    await this.waitForNewestGroupClosed(Math.min(remaining(), GROUP_CLOSE_WAIT_MS));
    this.stream?.stop();
    this.abort.abort();
    if (pusherStopped) await withTimeout(pusherStopped, 5000);
    const state = this.currentState();
    if (state) {
      try {
        await this.client.ping(this.config.connector.id, serializeState(state));
        this.metrics.sdk.pingApi.inc();
      } catch (error) {
        this.metrics.sdk.pingApiErrors.inc();
        this.logger.error("Error pinging the API", { reason: errorMessage(error) });
      }
    }
    try {
      await this.handler.stop?.();
    } catch (error) {
      this.logger.error("Handler stop failed", { reason: errorMessage(error) });
    }
    await this.metricsServer?.close();
    this.setStateMetric("stopped");
    this.logger.info("Connector stopped", { reason, state });
    const result: RunResult = { exitCode, reason, state };
    this.resolveDone(result);
    return result;
  }
}

/** Longest wait at a graceful stop for the heartbeat that closes the newest id group (OpenCTI sends one every 5 s). */
const GROUP_CLOSE_WAIT_MS = 6000;

function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
