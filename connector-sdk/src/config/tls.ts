import type { TlsSettings } from "../http/types.js";

/** pycti's `ssl_verify` (true, false, or a CA bundle path) as the TLS settings of the HTTP agents. */
export function tlsFrom(sslVerify: boolean | string): TlsSettings {
  return typeof sslVerify === "string" ? { verify: true, caFile: sslVerify } : { verify: sslVerify };
}
