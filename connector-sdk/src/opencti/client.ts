import axios, { type AxiosInstance } from "axios";
import type { HttpAgents, TlsSettings } from "../http/types.js";
import { HEALTH_CHECK, PING_CONNECTOR, REGISTER_CONNECTOR, STREAM_COLLECTION } from "./documents.js";
import { OpenCtiApiError } from "./errors.js";

export interface OpenCtiClientOptions {
  /** Base URL of the platform; trailing slashes are removed. */
  readonly url: string;
  readonly token: string;
  readonly tls: TlsSettings;
  readonly agents: HttpAgents;
  /** pycti's `OPENCTI_CUSTOM_HEADERS`: `"h1:v1;h2:v2"`. */
  readonly customHeaders?: string;
  readonly userAgent: string;
  readonly timeoutMs?: number;
}

export interface RegisterConnectorInput {
  readonly id: string;
  readonly name: string;
  readonly type: "STREAM";
  readonly scope: readonly string[];
  readonly auto: boolean;
  readonly auto_update: boolean;
  readonly enrichment_resolution: string;
  readonly only_contextual: boolean;
  readonly playbook_compatible: boolean;
  readonly listen_callback_uri: string | null;
}

export interface RegisteredConnector {
  readonly id: string;
  /** Raw state string as stored by the platform (may be null or ""). */
  readonly connector_state: string | null;
  readonly connector_user_id: string | null;
}

export interface StreamCollectionInfo {
  readonly id: string;
  readonly name: string | null;
  readonly description: string | null;
  readonly stream_live: boolean | null;
  readonly stream_public: boolean | null;
}

/** pycti sends these defaults for every stream connector's ping. */
const STREAM_CONNECTOR_INFO = {
  run_and_terminate: false,
  buffering: false,
  queue_threshold: 500,
  queue_messages_size: 0,
  next_run_datetime: null,
  last_run_datetime: null,
} as const;

/** Splits pycti's `h1:v1;h2:v2` custom-header syntax; a pair without a name is ignored (pycti fails on it). */
export function parseCustomHeaders(spec: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (spec ?? "").split(";")) {
    const colon = pair.indexOf(":");
    const name = colon > 0 ? pair.slice(0, colon).trim() : "";
    if (name !== "") headers[name] = pair.slice(colon + 1).trim();
  }
  return headers;
}

/** GraphQL over axios with `Authorization: Bearer`, as pycti's `OpenCTIApiClient.query`. */
export class OpenCtiClient {
  private readonly http: AxiosInstance;
  readonly graphqlUrl: string;

  constructor(options: OpenCtiClientOptions) {
    const base = options.url.replace(/\/+$/, "");
    this.graphqlUrl = `${base}/graphql`;
    const agent = options.agents.forUrl(this.graphqlUrl, options.tls);
    this.http = axios.create({
      timeout: options.timeoutMs ?? 60_000,
      proxy: false, // the agent applies HTTPS_PROXY / NO_PROXY itself
      httpAgent: agent,
      httpsAgent: agent,
      validateStatus: () => true,
      headers: {
        "User-Agent": options.userAgent,
        Authorization: `Bearer ${options.token}`,
        "Content-Type": "application/json",
        ...parseCustomHeaders(options.customHeaders),
      },
    });
  }

  async query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: { status: number; statusText: string; data: unknown };
    try {
      response = await this.http.post(this.graphqlUrl, { query: document, variables });
    } catch (error) {
      const code = (error as { code?: string }).code ?? "network error";
      throw new OpenCtiApiError(`OpenCTI is not reachable at ${this.graphqlUrl} (${code})`, "unavailable");
    }
    const body = response.data as { data?: T; errors?: { message?: string; extensions?: { code?: string } }[] };
    const first = typeof body === "object" && body !== null ? body.errors?.[0] : undefined;
    if (first) {
      const code = first.extensions?.code ?? "UNKNOWN";
      const kind = code === "AUTH_REQUIRED" ? "auth" : code === "FORBIDDEN_ACCESS" ? "forbidden" : "rejected";
      throw new OpenCtiApiError(
        `OpenCTI answered ${code}: ${first.message ?? "no message"}`,
        kind,
        response.status,
        code,
      );
    }
    if (response.status === 401) {
      throw new OpenCtiApiError("OpenCTI refused the token (HTTP 401): check OPENCTI_TOKEN", "auth", 401);
    }
    if (response.status !== 200 || typeof body !== "object" || body === null || body.data === undefined) {
      const kind = response.status >= 500 || response.status === 429 ? "unavailable" : "rejected";
      throw new OpenCtiApiError(
        `OpenCTI answered HTTP ${response.status} ${response.statusText} on ${this.graphqlUrl}`,
        kind,
        response.status,
      );
    }
    return body.data;
  }

  /** `about { version }`: the platform is up and the token is valid. */
  async healthCheck(): Promise<string> {
    const data = await this.query<{ about: { version: string } | null }>(HEALTH_CHECK);
    return data.about?.version ?? "unknown";
  }

  async registerConnector(input: RegisterConnectorInput): Promise<RegisteredConnector> {
    const data = await this.query<{ registerConnector: RegisteredConnector | null }>(REGISTER_CONNECTOR, { input });
    if (!data.registerConnector) throw new OpenCtiApiError("registerConnector returned nothing", "rejected");
    return data.registerConnector;
  }

  /** Sends the state (a JSON string, pycti-style) and returns the state the platform holds afterwards. */
  async ping(connectorId: string, state: string): Promise<string | null> {
    const data = await this.query<{ pingConnector: { connector_state: string | null } | null }>(PING_CONNECTOR, {
      id: connectorId,
      state,
      connectorInfo: STREAM_CONNECTOR_INFO,
    });
    return data.pingConnector?.connector_state ?? null;
  }

  async streamCollection(id: string): Promise<StreamCollectionInfo | null> {
    const data = await this.query<{ streamCollection: StreamCollectionInfo | null }>(STREAM_COLLECTION, { id });
    return data.streamCollection;
  }
}
