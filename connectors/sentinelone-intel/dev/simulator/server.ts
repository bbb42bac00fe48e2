/**
 * SentinelOneSimulator: a real HTTP server on loopback implementing the Threat Intelligence IOC endpoints of the
 * SentinelOne Management API 2.1 (see README.md in this folder and /work/shared/reference/sentinelone-ioc-api.md).
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ConsoleError, type ConsoleMatch, SimulatorConsole } from "./console-control.js";
import {
  AUTH_FAILED_BODY,
  faultJsonBody,
  HttpFailure,
  METHOD_NOT_ALLOWED_BODY,
  NGINX_429_HTML,
  NO_SCOPE_500_BODY,
  NOT_FOUND_BODY,
  nginxHtml,
  RATE_LIMIT_JSON_BODY,
  ValidationFailure,
  validationEnvelope,
} from "./errors.js";
import { CRITERIA_KEYS, CSV_KEYS, type ParsedFilter, parseCriteria } from "./filters.js";
import { parseJsonPreservingBigInts } from "./json.js";
import { TokenBuckets } from "./rate-limit.js";
import { newBatch, recordFor } from "./records.js";
import { DEFAULT_TOKENS, type ResolvedToken, ScopeModel } from "./scope.js";
import { stixToItems } from "./stix.js";
import { type Criteria, type Entry, IocStore, type SortBy } from "./store.js";
import type {
  DedupMode,
  FaultBody,
  MethodStats,
  RateLimitConfig,
  RequestLogEntry,
  SentinelOneSimulatorOptions,
  SimulatorStats,
  StoredIoc,
} from "./types.js";
import {
  Errors,
  isObject,
  join,
  type PostScopeFilter,
  parseBool,
  parseInteger,
  parsePostFilter,
  rejectUnknownKeys,
  type ValidatedItem,
  validateItem,
} from "./validate.js";

export const API_PREFIX = "/web/api/v2.1";
export const IOCS_PATH = `${API_PREFIX}/threat-intelligence/iocs`;
export const IOCS_STIX_PATH = `${IOCS_PATH}/stix`;
const TI_PREFIX = `${API_PREFIX}/threat-intelligence/`;
const CONTROL_PREFIX = "/__sim/";

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
/** nginx's default `large_client_header_buffers 4 8k`: a longer request line gets 414 ([INF]). */
const DEFAULT_MAX_URL = 8192;
/** Node's own header limit (16 KiB) would answer 431 before the handler; raised so `maxUrlBytes` decides. */
const NODE_MAX_HEADER_SIZE = 1024 * 1024;
const DEFAULT_MAX_REQUEST_LOG = 10_000;
const SORT_BY: ReadonlySet<string> = new Set(["id", "creationTime", "uploadTime", "updatedAt", "source", "type"]);
const POST_KEYS: ReadonlySet<string> = new Set(["data", "filter"]);
const STIX_KEYS: ReadonlySet<string> = new Set(["bundle", "filter"]);
const DELETE_KEYS: ReadonlySet<string> = new Set(["filter"]);

type Fault = { kind: "hang" } | { kind: "fail"; status: number; body: FaultBody | undefined };

interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  items?: number;
}

interface RequestContext {
  method: string;
  path: string;
  /** Length of the request target (path + query) in bytes. */
  urlBytes: number;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Buffer;
  tooLarge: boolean;
  at: number;
}

interface CursorState {
  v: 1;
  k: string;
  /** Keyset position (sortBy id). */
  s?: number;
  /** Offset (other sort keys). */
  o?: number;
  n: number;
}

function json(status: number, body: unknown, extra?: Partial<Reply>): Reply {
  return { status, body: JSON.stringify(body), contentType: "application/json", ...extra };
}

export class SentinelOneSimulator {
  /** Every API request answered (or held), oldest first; capped at `maxRequestLog` entries. */
  readonly requests: RequestLogEntry[] = [];
  /** Changes made in the console behind the connector's back (remove, add, edit, duplicate). */
  readonly console: SimulatorConsole;

  private readonly store = new IocStore();
  private readonly scopes: ScopeModel;
  private readonly now: () => number;
  private readonly opts: Required<
    Pick<
      SentinelOneSimulatorOptions,
      | "noScopeStatus"
      | "rejectAccountAndSite"
      | "enforceScopeVisibility"
      | "strict"
      | "validateValues"
      | "maxBodyBytes"
      | "requireJsonContentType"
      | "stixDefaultSource"
      | "stixSourceFromCreatedBy"
      | "singleUseCursors"
      | "controlRoutes"
      | "maxRequestLog"
      | "honourSourceOnGet"
      | "maxUrlBytes"
    >
  > & { maxItemsPerRequest: number | undefined };
  private dedupMode: DedupMode;
  private buckets: TokenBuckets | null = null;
  private latencyMs: number;
  private faults: Fault[] = [];
  private server: Server | undefined;
  private baseUrl: string | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly usedCursors = new Set<string>();
  private cursorCounter = 0;
  private counters = { requests: 0, iocsCreated: 0, iocsUpdated: 0, iocsDeleted: 0, rateLimited: 0, hung: 0 };
  private byStatus: Record<number, number> = {};
  private byMethod: Record<string, MethodStats> = {};

  constructor(options: SentinelOneSimulatorOptions = {}) {
    this.scopes = new ScopeModel(options.tokens ?? DEFAULT_TOKENS, options.topology);
    this.now = options.now ?? Date.now;
    this.opts = {
      noScopeStatus: options.noScopeStatus ?? 500,
      rejectAccountAndSite: options.rejectAccountAndSite ?? true,
      enforceScopeVisibility: options.enforceScopeVisibility ?? true,
      strict: options.strict ?? true,
      validateValues: options.validateValues ?? true,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
      requireJsonContentType: options.requireJsonContentType ?? true,
      stixDefaultSource: options.stixDefaultSource ?? "STIX",
      stixSourceFromCreatedBy: options.stixSourceFromCreatedBy ?? true,
      singleUseCursors: options.singleUseCursors ?? false,
      controlRoutes: options.controlRoutes ?? false,
      maxRequestLog: options.maxRequestLog ?? DEFAULT_MAX_REQUEST_LOG,
      maxItemsPerRequest: options.maxItemsPerRequest,
      honourSourceOnGet: options.honourSourceOnGet ?? false,
      maxUrlBytes: options.maxUrlBytes ?? DEFAULT_MAX_URL,
    };
    if (this.opts.maxItemsPerRequest !== undefined && !(this.opts.maxItemsPerRequest >= 1)) {
      throw new RangeError("maxItemsPerRequest must be >= 1");
    }
    this.dedupMode = options.dedupMode ?? "duplicate";
    this.latencyMs = options.latencyMs ?? 0;
    this.setRateLimit(options.rateLimit ?? null);
    const tokens = Object.values(options.tokens ?? DEFAULT_TOKENS);
    this.console = new SimulatorConsole({
      store: this.store,
      scopes: this.scopes,
      now: this.now,
      defaultAccountId: tokens.find((t) => t.accountIds?.[0] !== undefined)?.accountIds?.[0] ?? null,
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Lifecycle

  /** Listens on `host:port` (port 0 = any free port); resolves with the base URL, without a trailing slash. */
  async start(port = 0, host = "127.0.0.1"): Promise<string> {
    if (this.server !== undefined) throw new Error("SentinelOneSimulator already started");
    const server = createServer({ maxHeaderSize: NODE_MAX_HEADER_SIZE }, (req, res) => this.onRequest(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    const h = addr.family === "IPv6" || addr.address.includes(":") ? `[${addr.address}]` : addr.address;
    this.baseUrl = `http://${h}:${addr.port}`;
    return this.baseUrl;
  }

  /** Closes the server, destroying open sockets (held and keep-alive ones included). */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Base URL (no trailing slash); throws before `start()`. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error("SentinelOneSimulator not started");
    return this.baseUrl;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Observability and control

  /** The live (not deleted) records in insertion order. These are the stored objects: do not mutate them. */
  iocs(): StoredIoc[] {
    return this.store.live();
  }

  /** Number of live records (cheaper than `iocs().length`). */
  iocCount(): number {
    return this.store.size;
  }

  stats(): SimulatorStats {
    const byMethod: Record<string, MethodStats> = {};
    for (const [method, m] of Object.entries(this.byMethod)) byMethod[method] = { ...m };
    return { ...this.counters, byStatus: { ...this.byStatus }, byMethod, iocs: this.store.size };
  }

  /** Clears records, request log, stats, queued faults, rate-limit buckets and used cursors; keeps the configuration. */
  reset(): void {
    this.store.clear();
    this.requests.length = 0;
    this.counters = { requests: 0, iocsCreated: 0, iocsUpdated: 0, iocsDeleted: 0, rateLimited: 0, hung: 0 };
    this.byStatus = {};
    this.byMethod = {};
    this.faults = [];
    this.usedCursors.clear();
    if (this.buckets !== null) this.buckets = new TokenBuckets(this.buckets.settings);
  }

  /** Enables (fresh buckets) or disables (`null`) the per-token rate limit on `/threat-intelligence/*`. */
  setRateLimit(config: RateLimitConfig | null): void {
    this.buckets = config === null ? null : new TokenBuckets({ ...config });
  }

  /** The next `n` API requests fail with `status` (default 503). Body: "json" (default for 500) or "html" (default otherwise). */
  failNext(n: number, status = 503, body?: FaultBody): void {
    for (let i = 0; i < n; i++) this.faults.push({ kind: "fail", status, body });
  }

  /** The next `n` API requests are read and never answered (until the client gives up or `stop()`). */
  hangNext(n: number): void {
    for (let i = 0; i < n; i++) this.faults.push({ kind: "hang" });
  }

  /** Delay before answering each API request. */
  setLatency(ms: number): void {
    if (!(ms >= 0)) throw new RangeError("latency must be >= 0");
    this.latencyMs = ms;
  }

  setDedupMode(mode: DedupMode): void {
    this.dedupMode = mode;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Request pipeline

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const at = this.now();
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.opts.maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("error", () => res.destroy());
    req.on("end", () => {
      const ctx: RequestContext = {
        method: (req.method ?? "GET").toUpperCase(),
        path: q === -1 ? rawUrl : rawUrl.slice(0, q),
        urlBytes: Buffer.byteLength(rawUrl),
        query: new URLSearchParams(q === -1 ? "" : rawUrl.slice(q + 1)),
        headers: req.headers,
        body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks),
        tooLarge,
        at,
      };
      this.dispatch(ctx, res);
    });
  }

  private dispatch(ctx: RequestContext, res: ServerResponse): void {
    if (this.opts.controlRoutes && ctx.path.startsWith(CONTROL_PREFIX)) {
      this.write(res, this.control(ctx));
      return;
    }
    const fault = this.faults.shift();
    if (fault?.kind === "hang") {
      this.counters.hung++;
      this.log(ctx, 0, undefined);
      return; // never answered; stop() destroys the socket
    }
    const run = () => {
      let reply: Reply;
      try {
        reply = fault !== undefined ? this.faultReply(fault.status, fault.body) : this.route(ctx);
      } catch (err) {
        reply = this.errorReply(err);
      }
      this.counters.requests++;
      this.byStatus[reply.status] = (this.byStatus[reply.status] ?? 0) + 1;
      const m = this.byMethod[ctx.method] ?? { requests: 0, ok: 0, items: 0 };
      this.byMethod[ctx.method] = m;
      m.requests++;
      if (reply.status === 200) {
        m.ok++;
        m.items += reply.items ?? 0;
      }
      if (reply.status === 429) this.counters.rateLimited++;
      this.log(ctx, reply.status, reply.items);
      this.write(res, reply);
    };
    if (this.latencyMs > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        run();
      }, this.latencyMs);
      this.timers.add(t);
    } else run();
  }

  private log(ctx: RequestContext, status: number, items: number | undefined): void {
    const entry: RequestLogEntry = { method: ctx.method, path: ctx.path, status, at: ctx.at };
    if (items !== undefined) entry.items = items;
    this.requests.push(entry);
    if (this.requests.length > this.opts.maxRequestLog) {
      this.requests.splice(0, this.requests.length - this.opts.maxRequestLog);
    }
  }

  private write(res: ServerResponse, reply: Reply): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(reply.status, {
      "content-type": reply.contentType,
      "content-length": Buffer.byteLength(reply.body),
      ...reply.headers,
    });
    res.end(reply.body);
  }

  private faultReply(status: number, body: FaultBody | undefined): Reply {
    const kind = body ?? (status === 500 ? "json" : "html");
    if (kind === "json") return json(status, faultJsonBody(status));
    if (kind === "html") return { status, body: nginxHtml(status), contentType: "text/html" };
    return { status, body: kind.raw, contentType: kind.contentType ?? "text/plain" };
  }

  private errorReply(err: unknown): Reply {
    if (err instanceof ValidationFailure) return json(400, validationEnvelope(err.details));
    if (err instanceof HttpFailure) return json(err.status, err.body);
    return json(500, { errors: [{ code: 5000010, detail: String(err), title: "Server Error" }] });
  }

  private route(ctx: RequestContext): Reply {
    if (ctx.urlBytes > this.opts.maxUrlBytes) return { status: 414, body: nginxHtml(414), contentType: "text/html" };
    if (ctx.tooLarge) return { status: 413, body: nginxHtml(413), contentType: "text/html" };
    const allowed = ctx.path === IOCS_PATH ? ["GET", "POST", "DELETE"] : ctx.path === IOCS_STIX_PATH ? ["POST"] : null;
    const tokenHeader = ctx.headers.authorization;
    const token = parseAuthorization(tokenHeader);
    if (this.buckets !== null && ctx.path.startsWith(TI_PREFIX)) {
      const wait = this.buckets.take(token ?? `raw:${tokenHeader ?? ""}`, this.now());
      if (wait > 0) return this.rateLimitedReply(wait);
    }
    if (allowed === null) return json(404, NOT_FOUND_BODY);
    if (!allowed.includes(ctx.method))
      return json(405, METHOD_NOT_ALLOWED_BODY, { headers: { allow: allowed.join(", ") } });
    const t = token === undefined ? undefined : this.scopes.lookup(token);
    if (t === undefined) return json(401, AUTH_FAILED_BODY);
    this.scopes.assertSingleScope(t);
    if (ctx.method === "GET") return this.handleGet(ctx, t);
    if (ctx.method === "DELETE") return this.handleDelete(ctx, t);
    return ctx.path === IOCS_STIX_PATH ? this.handleStix(ctx, t) : this.handlePost(ctx, t);
  }

  private rateLimitedReply(waitSeconds: number): Reply {
    const cfg = this.buckets!.settings;
    const headers: Record<string, string> = {};
    if (cfg.retryAfter === "seconds") headers["retry-after"] = String(waitSeconds);
    else if (cfg.retryAfter === "http-date") {
      headers["retry-after"] = new Date(Math.ceil(this.now() / 1000) * 1000 + waitSeconds * 1000).toUTCString();
    }
    return cfg.body === "html"
      ? { status: 429, body: NGINX_429_HTML, contentType: "text/html", headers }
      : json(429, RATE_LIMIT_JSON_BODY, { headers });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Bodies

  private jsonBody(ctx: RequestContext): Record<string, unknown> {
    if (ctx.body.length === 0) return {};
    if (this.opts.requireJsonContentType) {
      const ct = String(ctx.headers["content-type"] ?? "");
      if (!/^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(ct)) {
        throw new ValidationFailure(["Content-Type must be application/json."]);
      }
    }
    let parsed: unknown;
    try {
      parsed = parseJsonPreservingBigInts(ctx.body.toString("utf8"));
    } catch {
      throw new ValidationFailure(["Invalid JSON body."]);
    }
    if (!isObject(parsed)) throw new ValidationFailure(["_schema: Invalid input type."]);
    return parsed;
  }

  private checkPostFilter(body: Record<string, unknown>, errs: Errors): PostScopeFilter {
    const filter = parsePostFilter(body.filter, errs, this.opts.strict);
    if (this.opts.rejectAccountAndSite && filter.accountIds !== undefined && filter.siteIds !== undefined) {
      errs.add("filter", "accountIds and siteIds cannot be used together.");
    }
    return filter;
  }

  private checkItemCount(count: number, path: string, errs: Errors): boolean {
    const max = this.opts.maxItemsPerRequest;
    if (max !== undefined && count > max) {
      errs.add(path, `Longer than maximum length ${max}.`);
      return false;
    }
    return true;
  }

  private handlePost(ctx: RequestContext, t: ResolvedToken): Reply {
    const body = this.jsonBody(ctx);
    const errs = new Errors();
    if (this.opts.strict) rejectUnknownKeys(body, POST_KEYS, "", errs);
    const filter = this.checkPostFilter(body, errs);
    const items: ValidatedItem[] = [];
    const data = body.data;
    let count: number | undefined;
    if (data === undefined || data === null) errs.add("data", "Missing data for required field.");
    else if (!Array.isArray(data)) errs.add("data", "Not a valid list.");
    else {
      count = data.length;
      if (this.checkItemCount(data.length, "data", errs)) {
        const itemOpts = { strict: this.opts.strict, validateValues: this.opts.validateValues };
        data.forEach((raw, i) => {
          const item = validateItem(raw, join("data", i), errs, itemOpts);
          if (item !== undefined) items.push(item);
        });
      }
    }
    if (errs.any) throw new ValidationFailure(errs.list);
    return this.create(items, filter, t, count);
  }

  private handleStix(ctx: RequestContext, t: ResolvedToken): Reply {
    const body = this.jsonBody(ctx);
    const errs = new Errors();
    if (this.opts.strict) rejectUnknownKeys(body, STIX_KEYS, "", errs);
    const filter = this.checkPostFilter(body, errs);
    const items: ValidatedItem[] = [];
    const bundle = body.bundle;
    let count: number | undefined;
    if (bundle === undefined || bundle === null) errs.add("bundle", "Missing data for required field.");
    else if (!isObject(bundle)) errs.add("bundle", "Invalid input type.");
    else if (bundle.objects === undefined || bundle.objects === null) {
      errs.add("bundle: objects", "Missing data for required field.");
    } else if (!Array.isArray(bundle.objects)) errs.add("bundle: objects", "Not a valid list.");
    else if (bundle.objects.length === 0) errs.add("bundle: objects", "Shorter than minimum length 1.");
    else {
      count = bundle.objects.length;
      if (this.checkItemCount(bundle.objects.length, "bundle: objects", errs)) {
        const mapped = stixToItems(bundle.objects, {
          defaultSource: this.opts.stixDefaultSource,
          sourceFromCreatedBy: this.opts.stixSourceFromCreatedBy,
        });
        const itemOpts = { strict: false, validateValues: this.opts.validateValues };
        for (const { index, raw } of mapped) {
          const item = validateItem(raw, join("bundle: objects", index), errs, itemOpts);
          if (item !== undefined) items.push(item);
        }
      }
    }
    if (errs.any) throw new ValidationFailure(errs.list);
    return this.create(items, filter, t, count);
  }

  /** Stores a fully validated batch (all-or-nothing: validation already passed for every item). */
  private create(items: ValidatedItem[], filter: PostScopeFilter, t: ResolvedToken, count: number | undefined): Reply {
    const targets = this.scopes.resolvePostTargets(t, filter, this.opts.enforceScopeVisibility);
    if (targets === null) {
      if (this.opts.noScopeStatus === 500) throw new HttpFailure(500, NO_SCOPE_500_BODY);
      throw new ValidationFailure(["filter: One of accountIds, siteIds, groupIds or tenant=true is required."]);
    }
    const batch = newBatch(this.now(), this.store.intern(t.def.user));
    const out: StoredIoc[] = [];
    for (const item of items) {
      for (const target of targets) {
        let existing: Entry | undefined;
        if (this.dedupMode === "upsert_by_type_value_scope") {
          existing = this.store.findSameTypeValue(item.type, item.value, target.scope, target.scopeId);
        } else if (this.dedupMode === "upsert_by_externalId_scope" && typeof item.fields.externalId === "string") {
          existing = this.store.findSameExternalId(item.fields.externalId, target.scope, target.scopeId);
        }
        const rec = recordFor(this.store, item, target, batch, existing?.rec);
        if (existing !== undefined) {
          this.store.replace(existing, rec);
          this.counters.iocsUpdated++;
        } else {
          this.store.insert(rec, target.accountId, target.siteId);
          this.counters.iocsCreated++;
        }
        out.push(rec);
      }
    }
    return json(200, { data: out, errors: null }, count === undefined ? {} : { items: count });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // GET

  private scopedCriteria(parsed: ParsedFilter, t: ResolvedToken): Criteria {
    if (parsed.tenant === true) this.scopes.assertTenantAllowed(t);
    this.scopes.assertVisible(t, parsed.accountIds ?? [], parsed.siteIds ?? []);
    const c: Criteria = {
      ...parsed.criteria,
      visible: (e: Entry) => this.scopes.canSeeRecord(t, e.accountId, e.siteId),
    };
    if (parsed.accountIds !== undefined) c.accountIds = new Set(parsed.accountIds);
    if (parsed.siteIds !== undefined) c.siteIds = new Set(parsed.siteIds);
    if (parsed.tenant === true) c.globalOnly = true;
    return c;
  }

  private handleGet(ctx: RequestContext, t: ResolvedToken): Reply {
    const errs = new Errors();
    const q = ctx.query;
    const src: Record<string, unknown> = {};
    for (const key of new Set(q.keys())) {
      if (!CRITERIA_KEYS.has(key)) continue;
      // [OBS] SentinelOne's own live test saw GET ignore `source` (§4.1); honoured only when asked.
      if (key === "source" && !this.opts.honourSourceOnGet) continue;
      const values = q.getAll(key);
      const v = CSV_KEYS.has(key) ? values.join(",") : values[values.length - 1]!;
      if (v !== "") src[key] = v;
    }
    const parsed = parseCriteria(src, true, "", errs);
    const intParam = (key: string, def: number, min: number, max: number): number => {
      const raw = q.get(key);
      if (raw === null || raw === "") return def;
      const n = parseInteger(raw);
      if (n === undefined) errs.add(key, "Not a valid integer.");
      else if (n < min || n > max) {
        errs.add(key, `Must be greater than or equal to ${min} and less than or equal to ${max}.`);
      } else return n;
      return def;
    };
    const boolParam = (key: string): boolean => {
      const raw = q.get(key);
      if (raw === null || raw === "") return false;
      const b = parseBool(raw);
      if (b === undefined) errs.add(key, "Not a valid boolean.");
      return b ?? false;
    };
    const limit = intParam("limit", 10, 1, 1000);
    const skip = intParam("skip", 0, 0, 1000);
    const countOnly = boolParam("countOnly");
    const skipCount = boolParam("skipCount");
    const sortByRaw = q.get("sortBy") ?? "id";
    if (!SORT_BY.has(sortByRaw)) errs.add("sortBy", `Must be one of: ${[...SORT_BY].join(", ")}.`);
    const sortOrder = q.get("sortOrder") ?? "asc";
    if (sortOrder !== "asc" && sortOrder !== "desc") errs.add("sortOrder", "Must be one of: asc, desc.");
    if (errs.any) throw new ValidationFailure(errs.list);
    const sortBy = sortByRaw as SortBy;
    const desc = sortOrder === "desc";

    const criteria = this.scopedCriteria(parsed, t);
    const key = this.queryKey(q, t);
    const cursorRaw = q.get("cursor");
    let cursor: CursorState | undefined;
    if (cursorRaw !== null && cursorRaw !== "") {
      cursor = this.decodeCursor(cursorRaw, key);
      if (cursor === undefined || (sortBy === "id" ? cursor.s === undefined : cursor.o === undefined)) {
        throw new ValidationFailure(["Invalid cursor value received"]);
      }
      if (this.opts.singleUseCursors) this.usedCursors.add(cursorRaw);
    }
    const pagination: { totalItems?: number; nextCursor: string | null } = skipCount
      ? { nextCursor: null }
      : { totalItems: this.store.count(criteria, key), nextCursor: null };
    if (countOnly) return json(200, { data: [], pagination, errors: null }, { items: 0 });

    let page: { items: Entry[]; more: boolean };
    if (sortBy === "id") {
      page = this.store.pageBySeq(criteria, { afterSeq: cursor?.s, desc, skip: cursor ? 0 : skip, limit });
      const last = page.items[page.items.length - 1];
      if (page.more && last !== undefined)
        pagination.nextCursor = this.encodeCursor({ v: 1, k: key, s: last.seq, n: 0 });
    } else {
      const offset = cursor?.o ?? skip;
      page = this.store.pageSorted(criteria, { sortBy, desc, offset, limit });
      if (page.more) pagination.nextCursor = this.encodeCursor({ v: 1, k: key, o: offset + page.items.length, n: 0 });
    }
    return json(200, { data: page.items.map((e) => e.rec), pagination, errors: null }, { items: page.items.length });
  }

  /** Identity of a listing: token + every parameter except paging ones (a cursor is only valid for its listing). */
  private queryKey(q: URLSearchParams, t: ResolvedToken): string {
    const parts: string[] = [];
    for (const key of [...new Set(q.keys())].sort()) {
      if (key === "cursor" || key === "limit" || key === "skip" || key === "countOnly" || key === "skipCount") continue;
      parts.push(`${key}=${q.getAll(key).join(",")}`);
    }
    if (!q.has("sortBy")) parts.push("sortBy=id");
    if (!q.has("sortOrder")) parts.push("sortOrder=asc");
    parts.sort();
    return createHash("sha256").update(t.token).update("\n").update(parts.join("&")).digest("hex").slice(0, 16);
  }

  private encodeCursor(state: CursorState): string {
    state.n = ++this.cursorCounter;
    return Buffer.from(JSON.stringify(state), "utf8").toString("base64");
  }

  private decodeCursor(raw: string, key: string): CursorState | undefined {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw) || raw.length % 4 !== 0) return undefined;
    if (this.opts.singleUseCursors && this.usedCursors.has(raw)) return undefined;
    let state: unknown;
    try {
      state = JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
    } catch {
      return undefined;
    }
    if (!isObject(state) || state.v !== 1 || state.k !== key) return undefined;
    const okNum = (v: unknown) => v === undefined || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0);
    if (!okNum(state.s) || !okNum(state.o)) return undefined;
    return state as unknown as CursorState;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // DELETE

  private handleDelete(ctx: RequestContext, t: ResolvedToken): Reply {
    const body = this.jsonBody(ctx);
    const errs = new Errors();
    if (this.opts.strict) rejectUnknownKeys(body, DELETE_KEYS, "", errs);
    const filter = body.filter;
    let parsed: ParsedFilter | undefined;
    if (filter === undefined || filter === null) errs.add("filter", "Missing data for required field.");
    else if (!isObject(filter)) errs.add("filter", "Invalid input type.");
    else {
      if (this.opts.strict) rejectUnknownKeys(filter, CRITERIA_KEYS, "filter", errs);
      parsed = parseCriteria(filter, false, "filter", errs);
      if (!errs.any && parsed.nonScopeCriteria === 0) {
        errs.add("filter", "At least one filter field other than accountIds, siteIds and tenant is required.");
      }
    }
    if (errs.any || parsed === undefined) throw new ValidationFailure(errs.list);
    const criteria = this.scopedCriteria(parsed, t);
    const matches = this.store.matchAll(criteria);
    for (const e of matches) this.store.remove(e);
    this.store.compact();
    this.counters.iocsDeleted += matches.length;
    return json(200, { data: { affected: matches.length }, errors: null }, { items: matches.length });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Control routes: read-only views (GET) and the console-side changes (POST /__sim/console/*)

  private control(ctx: RequestContext): Reply {
    const sub = ctx.path.slice(CONTROL_PREFIX.length);
    if (sub.startsWith("console/")) {
      if (ctx.method !== "POST") return json(405, METHOD_NOT_ALLOWED_BODY, { headers: { allow: "POST" } });
      return this.consoleRoute(sub.slice("console/".length), ctx.body);
    }
    if (ctx.method !== "GET") return json(405, METHOD_NOT_ALLOWED_BODY, { headers: { allow: "GET" } });
    const num = (key: string, def: number) => {
      const n = parseInteger(ctx.query.get(key) ?? "");
      return n === undefined || n < 0 ? def : n;
    };
    switch (sub) {
      case "health":
        return json(200, { ok: true });
      case "stats":
        return json(200, this.stats());
      case "iocs": {
        const count = this.store.size;
        if (parseBool(ctx.query.get("count") ?? "") === true) return json(200, { count });
        const offset = num("offset", 0);
        const limit = Math.min(num("limit", 100), 10_000);
        return json(200, { count, data: this.store.live().slice(offset, offset + limit) });
      }
      case "requests": {
        const limit = num("limit", 100);
        return json(200, { data: limit === 0 ? [] : this.requests.slice(-limit) });
      }
      default:
        return json(404, NOT_FOUND_BODY);
    }
  }

  /**
   * `remove` / `duplicate` / `find`: `{"match":{...}}`; `edit`: `{"match":{...},"set":{...}}`;
   * `add`: `{"items":[...],"filter"?:{...},"user"?:"..."}`. Answers `{"count":N,"data":[records]}`, or 400 `{"error"}`.
   */
  private consoleRoute(action: string, body: Buffer): Reply {
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : parseJsonPreservingBigInts(body.toString("utf8"));
    } catch {
      return json(400, { error: `/__sim/console/${action}: the body is not valid JSON` });
    }
    if (!isObject(parsed)) return json(400, { error: `/__sim/console/${action}: the body must be a JSON object` });
    const match = parsed.match as ConsoleMatch;
    try {
      let data: StoredIoc[];
      switch (action) {
        case "find":
          data = this.console.find(match);
          break;
        case "remove":
          data = this.console.remove(match);
          break;
        case "duplicate":
          data = this.console.duplicate(match);
          break;
        case "edit":
          data = this.console.edit(match, parsed.set as Record<string, unknown>);
          break;
        case "add": {
          if (!Array.isArray(parsed.items)) return json(400, { error: "/__sim/console/add: `items` must be a list" });
          const opts: { filter?: unknown; user?: string } = {};
          if (parsed.filter !== undefined) opts.filter = parsed.filter;
          if (typeof parsed.user === "string") opts.user = parsed.user;
          data = this.console.add(parsed.items, opts);
          break;
        }
        default:
          return json(404, NOT_FOUND_BODY);
      }
      return json(200, { count: data.length, data });
    } catch (err) {
      if (err instanceof ConsoleError) return json(400, { error: err.message });
      throw err;
    }
  }
}

/** `Authorization: ApiToken <t>` with the scheme matched case-insensitively ([INF] §1.1); anything else → undefined. */
export function parseAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!m || m[1]!.toLowerCase() !== "apitoken") return undefined;
  return m[2];
}
