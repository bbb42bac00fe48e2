import { randomUUID } from "node:crypto";

export interface GraphqlResponse {
  readonly status: number;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  readonly text: string;
}

/** POST /graphql with Node's fetch. `token: null` sends no Authorization header. */
export async function gql(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = "opencti-test-token",
  extraHeaders: Record<string, string> = {},
): Promise<GraphqlResponse> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...extraHeaders,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: GraphqlResponse["body"] = {};
  try {
    body = JSON.parse(text) as GraphqlResponse["body"];
  } catch {
    // HTML error pages stay in `text`.
  }
  return { status: response.status, body, text };
}

export const REGISTER = `mutation RegisterConnector($input: RegisterConnectorInput) {
  registerConnector(input: $input) {
    id
    connector_state
    config { connection { host vhost use_ssl port user pass } listen listen_routing listen_exchange push push_routing push_exchange }
    connector_user_id
  }
}`;

export const PING = `mutation PingConnector($id: ID!, $state: String, $connectorInfo: ConnectorInfoInput) {
  pingConnector(id: $id, state: $state, connectorInfo: $connectorInfo) {
    id
    connector_state
    connector_info { run_and_terminate buffering queue_threshold queue_messages_size next_run_datetime last_run_datetime }
  }
}`;

export const CONNECTOR_INFO = {
  run_and_terminate: false,
  buffering: false,
  queue_threshold: 500,
  queue_messages_size: 0,
  next_run_datetime: null,
  last_run_datetime: null,
};

export function registerInput(overrides: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    name: "Test stream connector",
    type: "STREAM",
    scope: ["not-applicable"],
    auto: false,
    auto_update: false,
    enrichment_resolution: "none",
    only_contextual: false,
    playbook_compatible: false,
    listen_callback_uri: null,
    ...overrides,
  };
}

/** Polls until `check` is truthy (never a fixed sleep). */
export async function until<T>(check: () => T, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
