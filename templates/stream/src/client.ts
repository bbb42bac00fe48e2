/**
 * The seam between the connector and the __TITLE__ API. The handler depends on the `__PASCAL_NAME__Client`
 * interface, resolved from the run's container under `__ENV_PREFIX___CLIENT`; tests register a fake under the
 * same token. Replace the two example calls with the target API's.
 */

import { type HttpAgents, TOKENS } from "@octi/connector-sdk";
import axios, { type AxiosInstance, isAxiosError } from "axios";
import { inject, injectable } from "tsyringe";
import type { __PASCAL_NAME__Config } from "./config-schema.js";

/** What the connector sends for one OpenCTI object. Shape it after the target API. */
export interface __PASCAL_NAME__Item {
  /** The STIX id (stable across updates): the key in the target. */
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  readonly pattern?: string;
  readonly validUntil?: string;
}

export interface __PASCAL_NAME__Client {
  /** Creates or replaces the item. */
  upsert(item: __PASCAL_NAME__Item, signal?: AbortSignal): Promise<void>;
  /** Removes the item; removing an item the target does not have is not an error. */
  remove(id: string, signal?: AbortSignal): Promise<void>;
}

export const __ENV_PREFIX___CLIENT = Symbol.for("__SLUG__.Client");

/** HTTP client of the example API: `PUT /items/{id}` and `DELETE /items/{id}`, bearer authentication. */
@injectable()
export class Http__PASCAL_NAME__Client implements __PASCAL_NAME__Client {
  private readonly http: AxiosInstance;

  constructor(@inject(TOKENS.Config) config: __PASCAL_NAME__Config, @inject(TOKENS.HttpAgents) agents: HttpAgents) {
    const settings = config.__SNAKE_NAME__;
    const baseURL = settings.api_url.replace(/\/+$/, "");
    const agent = agents.forUrl(baseURL, { verify: settings.ssl_verify });
    this.http = axios.create({
      baseURL,
      timeout: settings.request_timeout * 1000,
      headers: { Authorization: `Bearer ${settings.api_key}`, "Content-Type": "application/json" },
      // Proxies (HTTPS_PROXY, NO_PROXY…) and TLS are handled by the SDK's agents.
      proxy: false,
      httpAgent: agent,
      httpsAgent: agent,
    });
  }

  async upsert(item: __PASCAL_NAME__Item, signal?: AbortSignal): Promise<void> {
    await this.http.put(`/items/${encodeURIComponent(item.id)}`, item, { signal });
  }

  async remove(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.http.delete(`/items/${encodeURIComponent(id)}`, { signal });
    } catch (error) {
      if (isAxiosError(error) && error.response?.status === 404) return;
      throw error;
    }
  }
}
