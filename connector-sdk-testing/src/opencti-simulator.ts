import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { StixObject } from "@octi/connector-sdk";
import {
  CONTROL_PREFIX,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_SIMULATOR_TOKEN,
  DEFAULT_STREAM_ID,
  OPENCTI_ADMIN_USER_ID,
  OPENCTI_SIMULATOR_VERSION,
  SSE_STATUS,
} from "./constants.js";
import { EventLog, parseStreamIdParts } from "./event-log.js";
import { GraphqlApi, type SimulatedConnector, type SimulatedUser } from "./graphql-api.js";
import { openCtiSchema, resolveSchemaPath } from "./schema.js";
import { type ChannelFaults, type ChannelRoute, SseChannel } from "./sse-channel.js";
import { type PublishedEvent, seededUuid } from "./stix-factory.js";

/** A live-stream collection ("Data sharing → Live streams"). */
export interface SimulatedStreamOptions {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  /** `stream_live`; a stopped collection answers 410 (default true). */
  readonly started?: boolean;
  /** `stream_public`: readable without a token. */
  readonly public?: boolean;
  /** Which objects the collection lets through (OpenCTI's filters, as a predicate). Default: all. */
  readonly filter?: (stix: StixObject) => boolean;
  /** The `filters` string `streamCollection` returns (a FilterGroup JSON); purely informative. */
  readonly filters?: string;
}

export interface SimulatedUserOptions {
  readonly token: string;
  /** BYPASS capability (default false): needed for `/stream`, `/stream/live`, reset/delete connectors. */
  readonly admin?: boolean;
  readonly name?: string;
}

/** A handler of the control routes (control-api.ts's `handleControlRequest`). */
export type ControlRoutes = (
  sim: OpenCtiSimulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<void>;

export interface OpenCtiSimulatorOptions {
  /** The accepted API token (an admin user's). Default `DEFAULT_SIMULATOR_TOKEN`. */
  readonly token?: string;
  /** More users/tokens, e.g. a non-admin one. */
  readonly users?: readonly SimulatedUserOptions[];
  /** Default: one started collection with id `DEFAULT_STREAM_ID`. */
  readonly streams?: readonly SimulatedStreamOptions[];
  /** Default 5000 (OpenCTI's); tests use ~200. */
  readonly heartbeatIntervalMs?: number;
  /**
   * OpenCTI's idle heartbeats: after a heartbeat period without events its reader comes back empty and the id
   * moves to `<now>-0` (opencti-platform-notes §1.8), which is how a recovery snapshot's end is seen on an idle
   * stream. Default false: idle heartbeats repeat the connection's last event id (older behaviour kept for the
   * tests that expect a state to stop exactly at the last event).
   */
  readonly idleHeartbeatsAdvance?: boolean;
  /** `about { version }`, default "6.9.17". */
  readonly version?: string;
  /**
   * Serves the `/__sim/…` control routes: the CLI passes control-api.ts's `handleControlRequest` (handed in, not
   * imported, so that control-api.ts may depend on this file). Default: no control routes.
   */
  readonly controlApi?: ControlRoutes;
  /** Override the schema file (default: the package's `schema/opencti.graphql`). */
  readonly schemaPath?: string;
}

/** One `POST /graphql` the simulator received. */
export interface GraphqlRequestRecord {
  readonly at: string;
  /** The executed operation's name (from the document), or the body's `operationName`. */
  readonly operationName: string | null;
  readonly query: string | null;
  readonly variables: Readonly<Record<string, unknown>>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** HTTP status answered. */
  readonly status: number;
  /** `extensions.code` of each error answered. */
  readonly errorCodes: readonly string[];
}

/** One `GET /stream…` the simulator received. */
export interface StreamRequestRecord {
  readonly at: string;
  readonly path: string;
  /** Collection id, `live`, or undefined for `/stream`. */
  readonly streamId: string | undefined;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased header names (`last-event-id`, `listen-delete`, …). */
  readonly headers: Readonly<Record<string, string>>;
  status: number;
  statusMessage: string;
  connectionId: string | undefined;
}

export interface SyntheticFeed {
  /** Number of events. */
  readonly count: number;
  /** Builds event `index` (0-based) at send time; must be deterministic (called again on every resume). */
  readonly make: (index: number) => PublishedEvent;
}

export interface SyntheticFeedInfo {
  readonly count: number;
  readonly firstId: string;
  readonly lastId: string;
}

export interface SimulatedStreamView {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly started: boolean;
  readonly public: boolean;
  readonly filtered: boolean;
  readonly openConnections: number;
}

interface StreamState {
  readonly id: string;
  name: string;
  description: string;
  started: boolean;
  public: boolean;
  filter: ((stix: StixObject) => boolean) | undefined;
  filters: string | null;
}

const EMPTY_FILTER_GROUP = JSON.stringify({ mode: "and", filters: [], filterGroups: [] });

/** Express-like `from`/`recover` parsing (opencti-platform-notes §1.4). */
function parameterToStreamId(param: string | undefined): string | undefined {
  if (!param) return undefined;
  if (param === "0" || param === "0-0") return "0-0";
  if (param.includes("-") && param.split("-").length === 2) return param;
  const ms = parameterToMs(param);
  return ms === undefined ? undefined : `${ms}-0`;
}

function parameterToMs(param: string | undefined): number | undefined {
  if (!param) return undefined;
  if (param === "0" || param === "0-0") return 0;
  const parts = param.split("-");
  if (param.includes("-") && parts.length === 2) {
    const ms = Number(parts[0]);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (/^\d+$/.test(param)) return Number(param);
  const ms = Date.parse(param);
  return Number.isNaN(ms) ? undefined : ms;
}

/** First non-empty value, like the platform's `a || b || c`. */
const firstOf = (...values: (string | undefined)[]): string | undefined =>
  values.find((v) => v !== undefined && v !== "");

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

function proxyErrorPage(status: number): string {
  const reason =
    { 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" }[status] ?? "Error";
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/**
 * A faithful OpenCTI 6.9 platform for tests, demos and benchmarks: `POST /graphql` (schema-validated, the
 * connector operations) and the live stream (`GET /stream/:id`, `/stream/live`, `/stream`) on a real loopback
 * HTTP server. See opencti-platform.md for the behaviour it reproduces.
 */
export class OpenCtiSimulator {
  private server: Server | undefined;
  private baseUrl: string | undefined;
  private readonly log = new EventLog();
  private readonly streamStates = new Map<string, StreamState>();
  private readonly users = new Map<string, SimulatedUser>();
  private readonly api: GraphqlApi;
  private readonly channels = new Set<SseChannel>();
  private readonly graphqlLog: GraphqlRequestRecord[] = [];
  private readonly streamLog: StreamRequestRecord[] = [];
  private readonly faults: ChannelFaults = { dropEvery: 0, dropMidEventOnce: false };
  private graphqlFailures: { remaining: number; status: number } = { remaining: 0, status: 502 };
  private tokensRejected = false;
  private readonly heartbeatIntervalMs: number;
  private readonly idleHeartbeatsAdvance: boolean;
  private readonly controlApi: ControlRoutes | undefined;
  /** Called by the control route `POST /__sim/shutdown` (the CLI sets it). */
  onShutdownRequest: (() => void) | undefined;

  readonly token: string;

  constructor(options: OpenCtiSimulatorOptions = {}) {
    this.token = options.token ?? DEFAULT_SIMULATOR_TOKEN;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.idleHeartbeatsAdvance = options.idleHeartbeatsAdvance ?? false;
    this.controlApi = options.controlApi;
    this.users.set(this.token, { id: OPENCTI_ADMIN_USER_ID, name: "admin", admin: true });
    for (const user of options.users ?? []) {
      this.users.set(user.token, {
        id: seededUuid(`user:${user.token}`),
        name: user.name ?? "connector user",
        admin: user.admin ?? false,
      });
    }
    for (const stream of options.streams ?? [{ id: DEFAULT_STREAM_ID, name: "Simulated live stream" }]) {
      this.addStream(stream);
    }
    const schema = openCtiSchema(options.schemaPath ?? resolveSchemaPath());
    this.api = new GraphqlApi({
      schema,
      version: options.version ?? OPENCTI_SIMULATOR_VERSION,
      userFor: (authorization) => this.userFor(authorization),
      streamCollection: (id) => {
        const s = this.streamStates.get(id);
        return s
          ? {
              id: s.id,
              name: s.name,
              description: s.description,
              filters: s.filters,
              stream_live: s.started,
              stream_public: s.public,
              authorized_members: null,
            }
          : null;
      },
    });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Listens on `host:port` (port 0 = any free port); resolves with the base URL (no trailing slash). */
  async start(port = 0, host = "127.0.0.1"): Promise<string> {
    if (this.server) throw new Error("the OpenCTI simulator is already started");
    const server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: String(error) }] });
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const shownHost =
      address.family === "IPv6" || address.address.includes(":") ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${shownHost}:${address.port}`;
    return this.baseUrl;
  }

  /** Closes every connection (open streams are cut) and the server. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const channel of this.channels) channel.destroy();
    this.channels.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. Throws before `start()`. */
  get url(): string {
    if (!this.baseUrl) throw new Error("the OpenCTI simulator is not started");
    return this.baseUrl;
  }

  // ---------------------------------------------------------------- data

  /** Appends one event to the stream (visible on every collection, or only on `streamId`); returns its SSE id. */
  publish(event: PublishedEvent, streamId?: string): string {
    this.checkStream(streamId);
    return this.log.append(event, streamId).id;
  }

  /**
   * Appends a raw message: `event:` name and `data:` text as given (multi-line data becomes several `data:`
   * lines), with a proper id. For malformed-event tests. Raw messages bypass filters and switches, and are
   * also replayed in recovery snapshots. Returns the id.
   */
  publishRaw(event: string, data: string, streamId?: string): string {
    this.checkStream(streamId);
    const dataLines = data
      .split("\n")
      .map((line) => `data: ${line}\n`)
      .join("");
    return this.log.appendRaw(event, `event: ${event}\n${dataLines}\n`, streamId).id;
  }

  /** Appends arbitrary SSE text after an `id: <new id>` line (a blank line is added if missing). Returns the id. */
  publishRawText(text: string, streamId?: string): string {
    this.checkStream(streamId);
    const normalized = text.endsWith("\n\n") ? text : text.endsWith("\n") ? `${text}\n` : `${text}\n\n`;
    return this.log.appendRaw("raw", normalized, streamId).id;
  }

  /**
   * Appends `count` events made on demand by `make(i)` when a connection reaches them (nothing is stored,
   * so a million events cost no memory). Ids are `<ms>-<seq>` with consecutive sequences.
   * In recovery snapshots each non-delete feed event counts as a distinct object (no de-duplication).
   */
  addSyntheticFeed(feed: SyntheticFeed, streamId?: string): SyntheticFeedInfo {
    this.checkStream(streamId);
    const segment = this.log.appendFeed(feed.count, feed.make, streamId);
    return {
      count: segment.count,
      firstId: `${segment.ms}-${segment.seqStart}`,
      lastId: `${segment.ms}-${segment.seqStart + segment.count - 1}`,
    };
  }

  /** Number of events in the stream (feeds included). */
  get eventCount(): number {
    return this.log.length;
  }

  /** Id of the newest event, undefined when the stream is empty. */
  get lastEventId(): string | undefined {
    return this.log.lastId;
  }

  private checkStream(streamId: string | undefined): void {
    if (streamId !== undefined && !this.streamStates.has(streamId)) {
      throw new Error(
        `unknown stream collection ${JSON.stringify(streamId)} (known: ${[...this.streamStates.keys()].join(", ")})`,
      );
    }
  }

  // ---------------------------------------------------------------- streams

  addStream(options: SimulatedStreamOptions): void {
    if (options.id === "live") throw new Error('"live" is the reserved id of /stream/live');
    this.streamStates.set(options.id, {
      id: options.id,
      name: options.name ?? options.id,
      description: options.description ?? "",
      started: options.started ?? true,
      public: options.public ?? false,
      filter: options.filter,
      filters: options.filters ?? EMPTY_FILTER_GROUP,
    });
  }

  /** Starts or stops a collection; stopping ends its open connections (new ones get 410). */
  setStreamStarted(id: string, started: boolean): void {
    const stream = this.streamStates.get(id);
    if (!stream) throw new Error(`unknown stream collection ${JSON.stringify(id)}`);
    stream.started = started;
    if (!started) for (const channel of this.channels) if (channel.streamId === id) channel.end();
  }

  streams(): SimulatedStreamView[] {
    return [...this.streamStates.values()].map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      started: s.started,
      public: s.public,
      filtered: s.filter !== undefined,
      openConnections: [...this.channels].filter((c) => c.streamId === s.id && !c.isClosed).length,
    }));
  }

  /** Open SSE connections (all routes). */
  get openStreamCount(): number {
    return [...this.channels].filter((c) => !c.isClosed).length;
  }

  // ---------------------------------------------------------------- connectors

  connectors(): SimulatedConnector[] {
    return this.api.connectors();
  }

  connector(id: string): SimulatedConnector | undefined {
    return this.api.connector(id);
  }

  /** The UI's "reset state": `connector_state: ''` + reset flag (the next ping is then not stored). */
  resetState(connectorId: string): void {
    this.api.resetState(connectorId);
  }

  // ---------------------------------------------------------------- request logs

  get graphqlRequests(): readonly GraphqlRequestRecord[] {
    return this.graphqlLog;
  }

  get streamRequests(): readonly StreamRequestRecord[] {
    return this.streamLog;
  }

  clearRequestLogs(): void {
    this.graphqlLog.length = 0;
    this.streamLog.length = 0;
  }

  // ---------------------------------------------------------------- faults

  /** Destroys every open SSE socket now; returns how many. */
  dropConnections(): number {
    let n = 0;
    for (const channel of this.channels) {
      if (!channel.isClosed) n++;
      channel.destroy();
    }
    this.channels.clear();
    return n;
  }

  /** Destroys each SSE connection after it has written `k` events (`0`/`null` = off). */
  dropEvery(k: number | null): void {
    this.faults.dropEvery = k && k > 0 ? Math.floor(k) : 0;
  }

  /** The next event written on any connection is cut in the middle, then that connection is destroyed. */
  dropMidEventOnce(): void {
    this.faults.dropMidEventOnce = true;
  }

  /** The next `n` GraphQL requests get HTTP `status` with an HTML proxy error page. */
  failGraphql(n: number, status = 502): void {
    this.graphqlFailures = { remaining: Math.max(0, Math.floor(n)), status };
  }

  /** While true every token is refused (GraphQL AUTH_REQUIRED, stream 401). */
  rejectToken(reject = true): void {
    this.tokensRejected = reject;
  }

  // ---------------------------------------------------------------- HTTP

  private userFor(authorization: string | undefined): SimulatedUser | undefined {
    if (this.tokensRejected || !authorization?.startsWith("Bearer ")) return undefined;
    return this.users.get(authorization.slice("Bearer ".length));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const path = url.pathname;
    if (path === "/graphql") {
      if (req.method === "POST") return this.handleGraphql(req, res);
      return sendJson(res, 400, { errors: [{ message: "GET query missing.", extensions: { code: "BAD_REQUEST" } }] });
    }
    if (req.method === "GET" && (path === "/stream" || path === "/stream/"))
      return this.handleStream(req, res, url, "raw");
    const streamMatch = /^\/stream\/([^/]+)\/?$/.exec(path);
    if (req.method === "GET" && streamMatch) {
      const id = decodeURIComponent(streamMatch[1]!);
      return this.handleStream(req, res, url, id === "live" ? "live" : "collection", id);
    }
    if (this.controlApi && (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`))) {
      return this.controlApi(this, req, res, url);
    }
    const text = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${req.method} ${path}</pre>\n</body>\n</html>\n`;
    res.writeHead(404, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }

  private async handleGraphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = headerRecord(req);
    const raw = await readBody(req);
    let body: unknown;
    let parseError: string | undefined;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      parseError = (error as Error).message;
    }
    const request = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const query = typeof request.query === "string" ? request.query : null;
    const variables =
      typeof request.variables === "object" && request.variables !== null
        ? (request.variables as Record<string, unknown>)
        : {};
    const record = (status: number, operationName: string | null, errorCodes: string[]) =>
      this.graphqlLog.push({
        at: new Date().toISOString(),
        operationName,
        query,
        variables,
        headers,
        status,
        errorCodes,
      });

    if (this.graphqlFailures.remaining > 0) {
      this.graphqlFailures.remaining--;
      const status = this.graphqlFailures.status;
      const page = proxyErrorPage(status);
      record(status, query ? (/(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? null) : null, []);
      res.writeHead(status, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(page) });
      res.end(page);
      return;
    }
    if (parseError !== undefined) {
      record(400, null, ["BAD_REQUEST"]);
      return sendJson(res, 400, {
        errors: [{ message: `Invalid JSON body: ${parseError}`, extensions: { code: "BAD_REQUEST" } }],
      });
    }
    const answer = this.api.handle(body, header(req, "authorization"));
    const errors = (answer.body as { errors?: { extensions?: { code?: string } }[] }).errors ?? [];
    record(
      answer.status,
      answer.operationName,
      errors.map((e) => e.extensions?.code ?? "UNKNOWN"),
    );
    sendJson(res, answer.status, answer.body);
  }

  private handleStream(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    kind: ChannelRoute["kind"],
    id?: string,
  ): void {
    const record: StreamRequestRecord = {
      at: new Date().toISOString(),
      path: url.pathname,
      streamId: kind === "raw" ? undefined : id,
      query: Object.fromEntries(url.searchParams),
      headers: headerRecord(req),
      status: 0,
      statusMessage: "",
      connectionId: undefined,
    };
    this.streamLog.push(record);
    const fail = (status: number, message: string) => {
      record.status = status;
      record.statusMessage = message;
      res.writeHead(status, message, { "Content-Length": 0 });
      res.end();
    };
    const user = this.userFor(header(req, "authorization"));
    let filter: ((stix: StixObject) => boolean) | undefined;
    if (kind === "raw") {
      if (!user) {
        fail(401, SSE_STATUS.notAuthenticated);
        return;
      }
      if (!user.admin) {
        fail(401, SSE_STATUS.genericBypassOnly);
        return;
      }
    } else if (kind === "live") {
      if (!user) {
        fail(401, SSE_STATUS.notAuthenticated);
        return;
      }
      if (!user.admin) {
        fail(401, SSE_STATUS.notAuthorized);
        return;
      }
    } else {
      const stream = this.streamStates.get(id!);
      if (!user && !stream?.public) {
        fail(401, SSE_STATUS.notAuthenticated);
        return;
      }
      if (!stream) {
        fail(401, SSE_STATUS.notAuthorized);
        return;
      }
      if (!stream.started) {
        fail(410, SSE_STATUS.stopped);
        return;
      }
      filter = stream.filter;
    }

    const q = (name: string) => url.searchParams.get(name) ?? undefined;
    const h = (name: string) => header(req, name);
    const from =
      kind === "raw" ? firstOf(q("from"), h("last-event-id")) : firstOf(q("from"), h("from"), h("last-event-id"));
    const recover = kind === "raw" ? undefined : firstOf(q("recover"), h("recover"), h("recover-date"));
    const noDependencies =
      firstOf(q("no-dependencies"), h("no-dependencies"), q("no-relationships"), h("no-relationships")) === "true";
    const listenDelete = firstOf(q("listen-delete"), h("listen-delete")) !== "false";
    const withInferences = firstOf(q("with-inferences"), h("with-inferences")) === "true";

    const streamLabel = kind === "raw" ? "raw" : id;
    const startId = parameterToStreamId(from);
    const startMs = parameterToMs(from);
    const recoverMs = parameterToMs(recover);
    if (recoverMs !== undefined && startMs === undefined) {
      fail(500, `Error in stream ${streamLabel}: Recovery mode is only possible with a start date.`);
      return;
    }
    const startParts = startId === undefined ? undefined : parseStreamIdParts(startId);
    if (startId !== undefined && !startParts) {
      fail(500, `Error in stream ${streamLabel}: ERR Invalid stream ID specified as stream command argument`);
      return;
    }
    let tailFrom = startParts ? this.log.positionAfter(startParts) : this.log.length;
    let recovery: { from: number; to: number } | undefined;
    if (recoverMs !== undefined && startMs !== undefined && recoverMs > startMs && startParts) {
      const recoverParts = parseStreamIdParts(parameterToStreamId(recover) ?? "") ?? { ms: recoverMs, seq: 0 };
      recovery = { from: tailFrom, to: this.log.positionAfter(recoverParts) };
      tailFrom = recovery.to;
    }

    const connectionId = randomUUID();
    record.status = 200;
    record.statusMessage = "OK";
    record.connectionId = connectionId;
    const channel = new SseChannel(
      this.log,
      res,
      {
        route: { kind, streamId: kind === "raw" ? undefined : id, filter },
        tailFrom,
        recovery,
        listenDelete,
        noDependencies,
        withInferences,
        heartbeatIntervalMs: this.heartbeatIntervalMs,
        idleHeartbeatsAdvance: this.idleHeartbeatsAdvance,
        connectionId,
      },
      this.faults,
    );
    this.channels.add(channel);
    channel
      .run()
      .catch(() => channel.destroy())
      .finally(() => this.channels.delete(channel));
  }
}
