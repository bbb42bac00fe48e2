/**
 * SentinelOne Management API 2.1 client for Threat Intelligence IOCs. One request per call, no retries here: the
 * push queue owns retries (it needs to keep operations in order and to log every wait).
 *
 * - Base URL: the console origin with trailing slashes removed, plus `/web/api/v2.1` (a doubled slash, as a
 *   trailing `/` in the config would give, is a 404 on the console).
 * - `Authorization: ApiToken <key>` (any `APIToken ` prefix in the config is stripped beforehand).
 * - Proxies and TLS come from the SDK's `HttpAgents` (HTTPS_PROXY / NO_PROXY, ssl_verify, ca_file); axios' own
 *   proxy handling is off (`proxy: false`) so that the agent decides.
 * - Every answer is read as text and parsed here: SentinelOne's nginx answers 429 with an HTML page. The one
 *   exception is a successful create: its answer echoes every created record (about 0.5 MB per 500 IOCs), of
 *   which only each record's `uuid` and `externalId` are used (the target index). They are found by scanning the
 *   bytes (`scanCreated`), never by decoding and parsing the whole answer (parsing was about 9 % of the
 *   connector's CPU in a backfill profile, docs/benchmarks.md).
 * - Bodies are serialised once, here; axios' default request transform (which re-parses a string) is off.
 */
import { type HttpAgents, parseRetryAfter } from "@octi/connector-sdk";
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import type { SentinelOneMetrics } from "../metrics.js";
import type { SentinelOneSettings } from "../settings.js";
import { VERSION } from "../version.js";
import {
  errorEntriesOf,
  itemIndicesOf,
  kindForStatus,
  SentinelOneApiError,
  type SentinelOneErrorKind,
  summarizeErrors,
} from "./errors.js";
import type { IocPayload, IocRecord, IocScope, IocType } from "./types.js";

export const API_PREFIX = "/web/api/v2.1";
export const IOCS_PATH = "/threat-intelligence/iocs";
/** The delete filter's `uuids` maxItems (spec §5). */
export const MAX_DELETE_UUIDS = 5000;

/** What the push queue and the `--connect` check need from SentinelOne (tests substitute fakes). */
export interface SentinelOneApi {
  /**
   * POST one batch; resolves once SentinelOne accepted all of it (2xx) with the uuid of each IOC in request order
   * (`undefined` where the answer does not say), rejects with a `SentinelOneApiError`.
   */
  createIocs(iocs: readonly IocPayload[], signal?: AbortSignal): Promise<(string | undefined)[]>;
  /** DELETE every IOC of our source with this externalId in our scope; returns `affected`. */
  deleteByExternalId(externalId: string, signal?: AbortSignal): Promise<number>;
  /** DELETE IOCs by uuid (at most `MAX_DELETE_UUIDS`) in our scope and source; returns `affected`. */
  deleteByUuids(uuids: readonly string[], signal?: AbortSignal): Promise<number>;
  /** GET one page. */
  listIocs(query: ListIocsQuery, signal?: AbortSignal): Promise<IocPage>;
}

export interface ListIocsQuery {
  readonly externalId?: string;
  readonly value?: string;
  readonly type?: IocType;
  /** Defaults to the configured source; `null` lists every source. */
  readonly source?: string | null;
  /** 1..1000 (SentinelOne's default is 10). */
  readonly limit?: number;
  readonly cursor?: string;
  /** `updatedAt__gte`: records created or changed since (ISO-8601). */
  readonly updatedSince?: string;
}

export interface IocPage {
  readonly data: IocRecord[];
  readonly nextCursor: string | null;
  readonly totalItems: number | undefined;
}

/** `POST` body scope: every configured id (SentinelOne resolves group > site > account). */
export function createFilter(scope: IocScope): Record<string, string[]> {
  const filter: Record<string, string[]> = {};
  if (scope.accountId) filter.accountIds = [scope.accountId];
  if (scope.siteId) filter.siteIds = [scope.siteId];
  if (scope.groupId) filter.groupIds = [scope.groupId];
  return filter;
}

/**
 * `DELETE` / `GET` scope. The spec has no `groupIds` on these endpoints (a strict console answers
 * `filter: groupIds: Unknown field.`), so a group-only configuration sends no scope key and SentinelOne applies
 * the token's own scope; with an account or site configured, that id narrows it.
 */
export function lookupScope(scope: IocScope): { accountIds?: string[]; siteIds?: string[] } {
  if (scope.accountId) return { accountIds: [scope.accountId] };
  if (scope.siteId) return { siteIds: [scope.siteId] };
  return {};
}

/**
 * The delete filter for one indicator: `{externalId, source: [source], accountIds? | siteIds?}`.
 *
 * Why one request per indicator: the delete filter's `externalId` is a single string (the spec has no list form;
 * only `uuids` is a list, and we keep no uuid state), so indicators cannot share a DELETE. The filter can only
 * match IOCs this connector created: `externalId` is the indicator's STIX id and `source` is our configured source,
 * and SentinelOne requires a non-scope criterion, so a delete can never widen to a whole scope.
 */
export function deleteFilter(externalId: string, source: string, scope: IocScope): Record<string, unknown> {
  return { externalId, source: [source], ...lookupScope(scope) };
}

export class SentinelOneClient implements SentinelOneApi {
  private readonly http: AxiosInstance;
  private readonly settings: SentinelOneSettings;

  constructor(
    settings: SentinelOneSettings,
    agents: HttpAgents,
    private readonly metrics: SentinelOneMetrics,
  ) {
    this.settings = settings;
    const agent = agents.forUrl(settings.apiUrl, settings.tls);
    this.http = axios.create({
      baseURL: `${settings.apiUrl}${API_PREFIX}`,
      timeout: settings.requestTimeoutMs,
      proxy: false,
      httpAgent: agent,
      httpsAgent: agent,
      maxRedirects: 0,
      responseType: "text",
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
      headers: {
        Authorization: `ApiToken ${settings.apiKey}`,
        "Content-Type": "application/json",
        Accept: "application/json",
        "User-Agent": `octi-connector-sentinelone-intel/${VERSION}`,
      },
    });
  }

  async createIocs(iocs: readonly IocPayload[], signal?: AbortSignal): Promise<(string | undefined)[]> {
    const body = { filter: createFilter(this.settings.scope), data: iocs };
    const answer = await this.request("POST", IOCS_PATH, { data: body, signal, rawSuccessBody: true });
    return Buffer.isBuffer(answer) ? createdUuids(answer, iocs) : iocs.map(() => undefined);
  }

  async deleteByUuids(uuids: readonly string[], signal?: AbortSignal): Promise<number> {
    if (uuids.length > MAX_DELETE_UUIDS) throw new RangeError(`at most ${MAX_DELETE_UUIDS} uuids per delete`);
    const filter = { uuids, source: [this.settings.source], ...lookupScope(this.settings.scope) };
    const parsed = await this.request("DELETE", IOCS_PATH, { data: { filter }, signal });
    const affected = (parsed as { data?: { affected?: unknown } } | undefined)?.data?.affected;
    return typeof affected === "number" ? affected : 0;
  }

  async deleteByExternalId(externalId: string, signal?: AbortSignal): Promise<number> {
    const body = { filter: deleteFilter(externalId, this.settings.source, this.settings.scope) };
    const parsed = await this.request("DELETE", IOCS_PATH, { data: body, signal });
    const affected = (parsed as { data?: { affected?: unknown } } | undefined)?.data?.affected;
    return typeof affected === "number" ? affected : 0;
  }

  async listIocs(query: ListIocsQuery, signal?: AbortSignal): Promise<IocPage> {
    const params: Record<string, string> = {};
    const scope = lookupScope(this.settings.scope);
    if (scope.accountIds) params.accountIds = scope.accountIds.join(",");
    if (scope.siteIds) params.siteIds = scope.siteIds.join(",");
    const source = query.source === undefined ? this.settings.source : query.source;
    if (source !== null) params.source = source;
    if (query.externalId !== undefined) params.externalId = query.externalId;
    if (query.value !== undefined) params.value = query.value;
    if (query.type !== undefined) params.type = query.type;
    if (query.limit !== undefined) params.limit = String(query.limit);
    if (query.cursor !== undefined) params.cursor = query.cursor;
    if (query.updatedSince !== undefined) params.updatedAt__gte = query.updatedSince;
    const parsed = (await this.request("GET", IOCS_PATH, { params, signal })) as
      | { data?: unknown; pagination?: { nextCursor?: unknown; totalItems?: unknown } }
      | undefined;
    const data = Array.isArray(parsed?.data) ? (parsed.data as IocRecord[]) : [];
    const next = parsed?.pagination?.nextCursor;
    const total = parsed?.pagination?.totalItems;
    return {
      data,
      nextCursor: typeof next === "string" && next !== "" ? next : null,
      totalItems: typeof total === "number" ? total : undefined,
    };
  }

  /** Every record of a listing, page after page (`limit` per page, default 1000); stops on a repeated cursor. */
  async *iterateIocs(
    query: Omit<ListIocsQuery, "cursor">,
    options: { maxPages?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<IocRecord> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    const maxPages = options.maxPages ?? 1000;
    for (let page = 0; page < maxPages; page++) {
      const result = await this.listIocs({ limit: 1000, ...query, ...(cursor ? { cursor } : {}) }, options.signal);
      yield* result.data;
      if (result.nextCursor === null) return;
      if (seen.has(result.nextCursor)) {
        throw new SentinelOneApiError(`SentinelOne GET ${IOCS_PATH} returned the same cursor twice`, {
          method: "GET",
          path: IOCS_PATH,
          kind: "other",
        });
      }
      seen.add(result.nextCursor);
      cursor = result.nextCursor;
    }
  }

  private async request(
    method: "GET" | "POST" | "DELETE",
    path: string,
    options: { data?: unknown; params?: Record<string, string>; signal?: AbortSignal; rawSuccessBody?: boolean },
  ): Promise<unknown> {
    let response: AxiosResponse<string | Buffer>;
    try {
      response = await this.http.request<string | Buffer>({
        method,
        url: path,
        ...(options.rawSuccessBody ? { responseType: "arraybuffer" as const } : {}),
        ...(options.data !== undefined ? { data: JSON.stringify(options.data) } : {}),
        ...(options.params ? { params: options.params } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      throw this.transportError(method, path, error);
    }
    const status = response.status;
    this.metrics.requests.inc({ method, status: String(status) });
    const success = status >= 200 && status < 300;
    if (success && options.rawSuccessBody && looksLikeJson(response.data)) return response.data;
    const text = Buffer.isBuffer(response.data) ? response.data.toString("utf8") : response.data;
    const body = parseJson(text);
    if (success) {
      if (body === undefined && typeof text === "string" && text.trim() !== "") {
        throw new SentinelOneApiError(`SentinelOne ${method} ${path}: HTTP ${status} with a body that is not JSON`, {
          method,
          path,
          status,
          kind: "other",
        });
      }
      return body;
    }
    const errors = errorEntriesOf(body);
    const kind = kindForStatus(status);
    const retryAfterMs = parseRetryAfter(headerValue(response.headers["retry-after"]), Date.now());
    const summary =
      errors.length > 0
        ? summarizeErrors(errors)
        : body === undefined
          ? `${statusText(response)} (non-JSON body)`.trim()
          : statusText(response);
    const message = this.redact(`SentinelOne ${method} ${path} failed: HTTP ${status}${summary ? ` ${summary}` : ""}`);
    throw new SentinelOneApiError(message, {
      method,
      path,
      status,
      kind,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      errors: errors.map((e) => ({
        ...e,
        ...(e.detail ? { detail: this.redact(e.detail) } : {}),
        ...(e.title ? { title: this.redact(e.title) } : {}),
      })),
      itemIndices: kind === "invalid" ? itemIndicesOf(errors) : [],
    });
  }

  private transportError(method: string, path: string, error: unknown): SentinelOneApiError {
    const code = isAxiosError(error) ? error.code : (error as { code?: string } | undefined)?.code;
    const aborted = code === "ERR_CANCELED" || (isAxiosError(error) && axios.isCancel(error));
    let kind: SentinelOneErrorKind = "network";
    if (code === "ETIMEDOUT" || code === "ECONNABORTED") kind = "timeout";
    this.metrics.requests.inc({ method, status: aborted ? "aborted" : kind });
    const reason = error instanceof Error ? error.message : String(error);
    const message = this.redact(
      `SentinelOne ${method} ${path} failed: ${aborted ? "aborted" : kind === "timeout" ? "timed out" : "network error"} (${code ? `${code}: ` : ""}${reason})`,
    );
    return new SentinelOneApiError(message, { method, path, kind, ...(code ? { code } : {}), aborted });
  }

  private redact(text: string): string {
    const key = this.settings.apiKey;
    return key.length >= 4 ? text.split(key).join("[REDACTED]") : text;
  }
}

/**
 * The uuid of each created IOC, in request order, read from a create answer without parsing it: the echoed
 * records are in request order and each has one `"uuid"` and one `"externalId"` key (inside a JSON string a quote
 * is escaped, so the byte pattern `"uuid"` is always a key). When the count or the externalIds do not line up
 * with the request, the answer is parsed and records are matched by externalId, type and value; anything still
 * unmatched is `undefined` (the sink then settles by listing).
 */
export function createdUuids(answer: Buffer, iocs: readonly IocPayload[]): (string | undefined)[] {
  const uuids = scanStrings(answer, "uuid");
  const externalIds = scanStrings(answer, "externalId");
  if (
    uuids.length === iocs.length &&
    externalIds.length === iocs.length &&
    iocs.every((ioc, i) => externalIds[i] === ioc.externalId && uuids[i] !== undefined)
  ) {
    return uuids;
  }
  const body = parseJson(answer.toString("utf8"));
  const data = body && typeof body === "object" && "data" in body && Array.isArray(body.data) ? body.data : [];
  const byIdentity = new Map<string, string[]>();
  for (const record of data) {
    if (!record || typeof record !== "object") continue;
    const uuid: unknown = Reflect.get(record, "uuid");
    if (typeof uuid !== "string") continue;
    const identity = ["externalId", "type", "value"].map((name) => String(Reflect.get(record, name))).join("\n");
    byIdentity.set(identity, [...(byIdentity.get(identity) ?? []), uuid]);
  }
  return iocs.map((ioc) => byIdentity.get(`${ioc.externalId}\n${ioc.type}\n${ioc.value}`)?.shift());
}

/** The string values of every `"<field>": "…"` in a JSON text (`undefined` for a non-string or escaped value). */
function scanStrings(buffer: Buffer, field: string): (string | undefined)[] {
  const needle = Buffer.from(`"${field}"`);
  const values: (string | undefined)[] = [];
  let at = buffer.indexOf(needle);
  while (at >= 0) {
    let i = skipSpace(buffer, at + needle.length);
    let next = i;
    if (buffer[i] === 0x3a) {
      i = skipSpace(buffer, i + 1);
      if (buffer[i] === 0x22) {
        const end = buffer.indexOf(0x22, i + 1);
        if (end < 0) break;
        const raw = buffer.toString("utf8", i + 1, end);
        values.push(raw.includes("\\") ? undefined : raw);
        next = end + 1;
      } else values.push(undefined);
    }
    at = buffer.indexOf(needle, next);
  }
  return values;
}

function skipSpace(buffer: Buffer, from: number): number {
  let i = from;
  while (buffer[i] === 0x20 || buffer[i] === 0x0a || buffer[i] === 0x0d || buffer[i] === 0x09) i++;
  return i;
}

/** Empty, or starting (after white space) with `{` or `[`: enough to tell a JSON answer from an HTML page. */
function looksLikeJson(data: unknown): boolean {
  if (!Buffer.isBuffer(data)) return false;
  for (const byte of data) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return true;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") return text ?? undefined;
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}

function statusText(response: AxiosResponse): string {
  return typeof response.statusText === "string" ? response.statusText : "";
}
