/**
 * SentinelOne Management API 2.1 client for Threat Intelligence IOCs: its endpoints on the SDK's `JsonHttpClient`
 * (agents, timeouts, JSON, classified and scrubbed errors; no retries: the sink queue owns them).
 *
 * - Base URL: the console origin with trailing slashes removed, plus `/web/api/v2.1` (a doubled slash, as a
 *   trailing `/` in the config would give, is a 404 on the console).
 * - `Authorization: ApiToken <key>` (any `APIToken ` prefix in the config is stripped beforehand).
 * - A successful create echoes every created record (about 0.5 MB per 500 IOCs), of which only each record's
 *   `uuid` and `externalId` are used (the target index). They are found by scanning the bytes (`createdUuids`),
 *   never by decoding and parsing the whole answer (parsing was about 9 % of the connector's CPU in a backfill
 *   profile, docs/benchmarks.md).
 */
import { type HttpAgents, JsonHttpClient, parseJson, scanJsonStrings } from "@octi/connector-sdk";
import type { SentinelOneMetrics } from "../metrics.js";
import type { SentinelOneSettings } from "../settings.js";
import { VERSION } from "../version.js";
import type { IocPayload, IocRecord, IocScope } from "./types.js";

export const API_PREFIX = "/web/api/v2.1";
export const IOCS_PATH = "/threat-intelligence/iocs";
/** The delete filter's `uuids` maxItems (spec §5). */
export const MAX_DELETE_UUIDS = 5000;

/** What the push queue and the `--connect` check need from SentinelOne (tests substitute fakes). */
export interface SentinelOneApi {
  /**
   * POST one batch; resolves once SentinelOne accepted all of it (2xx) with the uuid of each IOC in request order
   * (`undefined` where the answer does not say), rejects with an `HttpTargetError`.
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
function createFilter(scope: IocScope): Record<string, string[]> {
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
function lookupScope(scope: IocScope): { accountIds?: string[]; siteIds?: string[] } {
  if (scope.accountId) return { accountIds: [scope.accountId] };
  if (scope.siteId) return { siteIds: [scope.siteId] };
  return {};
}

/**
 * The delete filter for one indicator whose uuids the index cannot vouch for. It only matches IOCs this connector
 * created (`externalId` is the indicator's STIX id, `source` ours) and never widens to a whole scope.
 */
export function deleteFilter(externalId: string, source: string, scope: IocScope): Record<string, unknown> {
  return { externalId, source: [source], ...lookupScope(scope) };
}

export class SentinelOneClient implements SentinelOneApi {
  private readonly http: JsonHttpClient;

  constructor(
    private readonly settings: SentinelOneSettings,
    agents: HttpAgents,
    metrics: SentinelOneMetrics,
  ) {
    this.http = new JsonHttpClient({
      baseUrl: `${settings.apiUrl}${API_PREFIX}`,
      authorization: `ApiToken ${settings.apiKey}`,
      secrets: [settings.apiKey],
      timeoutMs: settings.requestTimeoutMs,
      agents,
      tls: settings.tls,
      userAgent: `octi-connector-sentinelone-intel/${VERSION}`,
      name: "SentinelOne",
      onOutcome: (method, status) => metrics.requests.inc({ method, status }),
    });
  }

  async createIocs(iocs: readonly IocPayload[], signal?: AbortSignal): Promise<(string | undefined)[]> {
    const body = { filter: createFilter(this.settings.scope), data: iocs };
    return createdUuids(await this.http.requestBytes({ method: "POST", path: IOCS_PATH, body, signal }), iocs);
  }

  async deleteByUuids(uuids: readonly string[], signal?: AbortSignal): Promise<number> {
    if (uuids.length > MAX_DELETE_UUIDS) throw new RangeError(`at most ${MAX_DELETE_UUIDS} uuids per delete`);
    return this.delete({ uuids, source: [this.settings.source], ...lookupScope(this.settings.scope) }, signal);
  }

  async deleteByExternalId(externalId: string, signal?: AbortSignal): Promise<number> {
    return this.delete(deleteFilter(externalId, this.settings.source, this.settings.scope), signal);
  }

  async listIocs(query: ListIocsQuery, signal?: AbortSignal): Promise<IocPage> {
    const source = query.source === undefined ? this.settings.source : query.source;
    const { accountIds, siteIds } = lookupScope(this.settings.scope);
    const params: Record<string, string | number | undefined> = {
      accountIds: accountIds?.join(","),
      siteIds: siteIds?.join(","),
      source: source ?? undefined,
      externalId: query.externalId,
      limit: query.limit,
      cursor: query.cursor,
      updatedAt__gte: query.updatedSince,
    };
    const defined = Object.entries(params).filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined,
    );
    const answer = await this.http.request({
      method: "GET",
      path: IOCS_PATH,
      query: Object.fromEntries(defined.map(([name, value]) => [name, String(value)])),
      signal,
    });
    const data: unknown = field(answer, "data");
    const pagination = field(answer, "pagination");
    const next = field(pagination, "nextCursor");
    const total = field(pagination, "totalItems");
    return {
      data: Array.isArray(data) ? data : [],
      nextCursor: typeof next === "string" && next !== "" ? next : null,
      totalItems: typeof total === "number" ? total : undefined,
    };
  }

  /** DELETE with this filter; returns `affected`. */
  private async delete(filter: Record<string, unknown>, signal: AbortSignal | undefined): Promise<number> {
    const answer = await this.http.request({ method: "DELETE", path: IOCS_PATH, body: { filter }, signal });
    const affected = field(field(answer, "data"), "affected");
    return typeof affected === "number" ? affected : 0;
  }
}

function field(value: unknown, name: string): unknown {
  return value && typeof value === "object" ? Reflect.get(value, name) : undefined;
}

/**
 * The uuid of each created IOC, in request order, read from a create answer without parsing it: the echoed
 * records are in request order and each has one `"uuid"` and one `"externalId"` key. When the count or the externalIds do not line up
 * with the request, the answer is parsed and records are matched by externalId, type and value; anything still
 * unmatched is `undefined` (the sink then settles by listing).
 */
function createdUuids(answer: Buffer, iocs: readonly IocPayload[]): (string | undefined)[] {
  const uuids = scanJsonStrings(answer, "uuid");
  const externalIds = scanJsonStrings(answer, "externalId");
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
