/**
 * The seam between the connector and the __TITLE__ API: one request per call, no retries (the SDK's sink queue
 * owns batching, retries, pacing and order). The target (src/target.ts) depends on the `__PASCAL_NAME__Client`
 * interface; tests hand a fake to `createHandler`. Replace the example calls with the target API's.
 */

import { type HttpAgents, JsonHttpClient } from "@octi/connector-sdk";
import type { __PASCAL_NAME__Settings } from "./config-schema.js";

/** What the connector sends for one OpenCTI object. Shape it after the target API. */
export interface __PASCAL_NAME__Item {
  /** The STIX id (stable across updates): how the connector finds its records in the target. */
  readonly key: string;
  readonly type: string;
  readonly name?: string;
  readonly pattern?: string;
  readonly validUntil?: string;
}

/** A record as the target lists it: the item and the id the target gave it. */
export interface __PASCAL_NAME__Record extends __PASCAL_NAME__Item {
  readonly id: string;
}

export interface __PASCAL_NAME__Page {
  readonly items: readonly __PASCAL_NAME__Record[];
  /** Where the next page starts; null on the last page. */
  readonly nextCursor: string | null;
}

export interface __PASCAL_NAME__Client {
  /** Creates the items; resolves with the target's id of each, in order. */
  createItems(items: readonly __PASCAL_NAME__Item[], signal?: AbortSignal): Promise<readonly string[]>;
  /** Deletes records by the target's ids (ids it does not hold are ignored). */
  deleteItems(ids: readonly string[], signal?: AbortSignal): Promise<void>;
  /** Deletes every record of one key. */
  deleteKey(key: string, signal?: AbortSignal): Promise<void>;
  /** One page of the records, oldest change first; only those changed since `updatedSince` (epoch ms) when given. */
  listItems(query: { updatedSince?: number; cursor?: string }, signal?: AbortSignal): Promise<__PASCAL_NAME__Page>;
}

/** Most ids one delete request may carry (the example API's limit). */
export const MAX_DELETE_IDS = 1000;

/**
 * HTTP client of the example API, bearer authentication: `POST /items` `{items}` → `{ids}`, `POST /items/delete`
 * `{ids}`, `DELETE /items?key=…`, `GET /items?updated_since=…&cursor=…` → `{items, next_cursor}`. The SDK's
 * `JsonHttpClient` brings the agents (proxies, TLS), timeouts, JSON and classified, scrubbed errors
 * (`HttpTargetError`, which src/target.ts hands to the SDK's `classifyHttpFailure`).
 */
export class Http__PASCAL_NAME__Client implements __PASCAL_NAME__Client {
  private readonly http: JsonHttpClient;

  constructor(settings: __PASCAL_NAME__Settings, agents: HttpAgents) {
    this.http = new JsonHttpClient({
      baseUrl: settings.api_url.replace(/\/+$/, ""),
      authorization: `Bearer ${settings.api_key}`,
      secrets: [settings.api_key],
      timeoutMs: settings.request_timeout * 1000,
      agents,
      tls: { verify: settings.ssl_verify },
      userAgent: "octi-connector-__SLUG__",
      name: "__TITLE__",
    });
  }

  async createItems(items: readonly __PASCAL_NAME__Item[], signal?: AbortSignal): Promise<readonly string[]> {
    const answer = await this.http.request({ method: "POST", path: "/items", body: { items }, signal });
    const ids = field(answer, "ids");
    if (!Array.isArray(ids) || ids.length !== items.length || !ids.every((id) => typeof id === "string")) {
      throw new Error(`POST /items answered without one id per item (sent ${items.length})`);
    }
    return ids;
  }

  async deleteItems(ids: readonly string[], signal?: AbortSignal): Promise<void> {
    await this.http.request({ method: "POST", path: "/items/delete", body: { ids }, signal });
  }

  async deleteKey(key: string, signal?: AbortSignal): Promise<void> {
    // Without a key the request would name no record, or every record: never send it.
    if (key === "") throw new Error("deleteKey needs a key (the STIX id of the object)");
    await this.http.request({ method: "DELETE", path: "/items", query: { key }, signal });
  }

  async listItems(
    query: { updatedSince?: number; cursor?: string },
    signal?: AbortSignal,
  ): Promise<__PASCAL_NAME__Page> {
    const params: Record<string, string> = {};
    if (query.updatedSince !== undefined) params.updated_since = String(query.updatedSince);
    if (query.cursor !== undefined) params.cursor = query.cursor;
    const answer = await this.http.request({ method: "GET", path: "/items", query: params, signal });
    const items = field(answer, "items");
    const next = field(answer, "next_cursor");
    if (!Array.isArray(items)) throw new Error("GET /items answered without an items list");
    return { items: items.filter(isRecord), nextCursor: typeof next === "string" && next !== "" ? next : null };
  }
}

/** A property of a parsed JSON answer, if the answer is an object. */
function field(answer: unknown, name: string): unknown {
  return typeof answer === "object" && answer !== null ? Reflect.get(answer, name) : undefined;
}

/** A listed record the connector can use (an id and a key); others are not ours to manage. */
function isRecord(value: unknown): value is __PASCAL_NAME__Record {
  if (typeof value !== "object" || value === null) return false;
  if (!("id" in value && "key" in value && "type" in value)) return false;
  return typeof value.id === "string" && typeof value.key === "string" && typeof value.type === "string";
}
