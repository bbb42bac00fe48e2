import type { Agent } from "node:http";

/** TLS settings for one remote (OpenCTI or a target API). */
export interface TlsSettings {
  /** Verify the server certificate. Default true for every remote except where pycti compatibility says otherwise. */
  readonly verify: boolean;
  /** Extra trusted CA bundle (PEM file path). `NODE_EXTRA_CA_CERTS` also works, as Node applies it globally. */
  readonly caFile?: string;
}

/**
 * Builds agents for outgoing HTTP(S): honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (upper or lower case)
 * and the TLS settings. Used by the GraphQL client, the SSE client and connectors' API clients alike.
 */
export interface HttpAgents {
  forUrl(url: string, tls: TlsSettings): Agent;
}
