/**
 * A JSON HTTP client for a connector's target API, on axios. One request per call, no retries here: the sink
 * queue owns retries (it keeps operations in order and logs every wait); failures carry what it needs
 * (`HttpTargetError`: kind, status, Retry-After in ms, error entries).
 *
 * - Proxies and TLS come from `HttpAgents`; axios' own proxy handling is off so that the agent decides.
 * - Bodies are serialised once, here (axios' default transform would re-parse a string); answers are read as
 *   text and parsed here, since gateways answer 429 or 502 with HTML pages.
 * - `requestBytes` hands a successful answer over as bytes, for callers that scan a large echo instead of
 *   parsing it.
 * - Every message is scrubbed of the configured secrets (logging/scrub.ts).
 */
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { createScrubber, type Scrubber } from "../logging/scrub.js";
import { skipJsonSpace } from "./json-scan.js";
import { parseRetryAfter } from "./retry.js";
import {
  errorEntriesOf,
  type HttpFailureKind,
  HttpTargetError,
  kindForStatus,
  summarizeErrors,
} from "./target-error.js";
import type { HttpAgents, TlsSettings } from "./types.js";

export interface JsonHttpClientOptions {
  /** The API's base URL (origin and path prefix); request paths are appended to it. */
  readonly baseUrl: string;
  /** The `Authorization` header's value. */
  readonly authorization: string;
  /** Masked wherever they appear in error messages and entries. */
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
  readonly agents: HttpAgents;
  readonly tls: TlsSettings;
  readonly userAgent: string;
  /** The target's name at the start of messages (`SentinelOne POST /x failed: …`). */
  readonly name: string;
  /** Called once per request with the status, or `aborted` / `timeout` / `network` (metrics). */
  readonly onOutcome?: (method: string, outcome: string) => void;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface JsonRequest {
  readonly method: HttpMethod;
  readonly path: string;
  /** Serialised as JSON. */
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export class JsonHttpClient {
  private readonly http: AxiosInstance;
  private readonly scrub: Scrubber;

  constructor(private readonly options: JsonHttpClientOptions) {
    this.scrub = createScrubber(options.secrets);
    const agent = options.agents.forUrl(options.baseUrl, options.tls);
    this.http = axios.create({
      baseURL: options.baseUrl,
      timeout: options.timeoutMs,
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
        Authorization: options.authorization,
        "Content-Type": "application/json",
        Accept: "application/json",
        "User-Agent": options.userAgent,
      },
    });
  }

  /** The parsed JSON answer of a 2xx (`undefined` when empty); rejects with an `HttpTargetError`. */
  async request(request: JsonRequest): Promise<unknown> {
    const response = await this.send(request, "text");
    return this.parsedSuccess(request, response);
  }

  /** The bytes of a 2xx JSON answer (empty when there is none); rejects with an `HttpTargetError`. */
  async requestBytes(request: JsonRequest): Promise<Buffer> {
    const response = await this.send(request, "arraybuffer");
    const data = response.data;
    if (isSuccess(response.status) && Buffer.isBuffer(data) && looksLikeJson(data)) return data;
    this.parsedSuccess(request, response);
    return Buffer.alloc(0);
  }

  private async send(request: JsonRequest, responseType: "text" | "arraybuffer"): Promise<AxiosResponse> {
    const { method, path } = request;
    let response: AxiosResponse;
    try {
      response = await this.http.request({
        method,
        url: path,
        responseType,
        ...(request.body !== undefined ? { data: JSON.stringify(request.body) } : {}),
        ...(request.query ? { params: request.query } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      throw this.transportError(method, path, error);
    }
    this.options.onOutcome?.(method, String(response.status));
    return response;
  }

  /** The parsed body of a success; throws the classified error of anything else. */
  private parsedSuccess(request: JsonRequest, response: AxiosResponse): unknown {
    const { method, path } = request;
    const status = response.status;
    const raw: unknown = response.data;
    const text = Buffer.isBuffer(raw) ? raw.toString("utf8") : typeof raw === "string" ? raw : "";
    const body = parseJson(text);
    const where = `${this.options.name} ${method} ${path}`;
    if (isSuccess(status)) {
      if (body === undefined && text.trim() !== "") {
        throw new HttpTargetError(`${where}: HTTP ${status} with a body that is not JSON`, {
          method,
          path,
          status,
          kind: "other",
        });
      }
      return body;
    }
    const errors = errorEntriesOf(body).map((e) => ({
      ...e,
      ...(e.detail ? { detail: this.scrub.text(e.detail) } : {}),
      ...(e.title ? { title: this.scrub.text(e.title) } : {}),
    }));
    const statusText = typeof response.statusText === "string" ? response.statusText : "";
    const summary =
      errors.length > 0 ? summarizeErrors(errors) : `${statusText}${body === undefined ? " (non-JSON body)" : ""}`;
    const retryAfter: unknown = response.headers["retry-after"];
    const retryAfterMs = parseRetryAfter(typeof retryAfter === "string" ? retryAfter : undefined, Date.now());
    throw new HttpTargetError(this.scrub.text(`${where} failed: HTTP ${status} ${summary.trim()}`.trim()), {
      method,
      path,
      status,
      kind: kindForStatus(status),
      errors,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  private transportError(method: string, path: string, error: unknown): HttpTargetError {
    const code: unknown = error && typeof error === "object" ? Reflect.get(error, "code") : undefined;
    const codeText = typeof code === "string" ? code : undefined;
    const aborted = codeText === "ERR_CANCELED" || axios.isCancel(error);
    const kind: HttpFailureKind = codeText === "ETIMEDOUT" || codeText === "ECONNABORTED" ? "timeout" : "network";
    this.options.onOutcome?.(method, aborted ? "aborted" : kind);
    const what = aborted ? "aborted" : kind === "timeout" ? "timed out" : "network error";
    const reason = error instanceof Error ? error.message : String(error);
    const message = `${this.options.name} ${method} ${path} failed: ${what} (${codeText ? `${codeText}: ` : ""}${reason})`;
    return new HttpTargetError(this.scrub.text(message), {
      method,
      path,
      kind,
      aborted,
      ...(codeText ? { code: codeText } : {}),
    });
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Empty, or starting (after white space) with `{` or `[`: enough to tell a JSON answer from an HTML page. */
function looksLikeJson(data: Buffer): boolean {
  const first = data[skipJsonSpace(data, 0)];
  return first === undefined || first === 0x7b || first === 0x5b;
}

export function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return undefined;
  }
}
