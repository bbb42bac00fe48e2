import { readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { rootCertificates } from "node:tls";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import type { HttpAgents, TlsSettings } from "./types.js";

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** proxy-from-env's lookup: the lower-case name first, then the upper-case one; empty values do not count. */
function envValue(env: ProxyEnv, name: string): string | undefined {
  for (const n of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[n]?.trim();
    if (value) return value;
  }
  return undefined;
}

function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    out = out * 256 + Number(part);
  }
  return out;
}

function inIpv4Cidr(host: string, cidr: string): boolean {
  const [base = "", bitsText = ""] = cidr.split("/");
  const ip = ipv4ToNumber(host);
  const net = ipv4ToNumber(base);
  const bits = Number(bitsText);
  if (ip === undefined || net === undefined || !/^\d{1,2}$/.test(bitsText) || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(net / size);
}

/**
 * Whether `NO_PROXY` exempts a URL. Entries are separated by commas or spaces, case-insensitive:
 * - `*` exempts everything;
 * - `host`, `.host`, `*.host` and `*host` exempt the host and its subdomains (at a dot boundary: `example.com`
 *   exempts `api.example.com`, never `badexample.com`);
 * - `host:port` (`[v6]:port` for IPv6) only for that port (the URL's, or 80/443 by scheme);
 * - `10.0.0.0/8` exempts IPv4 addresses in that range.
 * This is proxy-from-env's syntax, except that a bare `example.com` also covers subdomains, as curl and Python
 * requests (hence pycti) do; proxy-from-env needs `.example.com` for that.
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    let hostPart = entry;
    let portPart: string | undefined;
    if (entry.startsWith("[")) {
      const end = entry.indexOf("]");
      hostPart = entry.slice(1, end < 0 ? undefined : end);
      const rest = end < 0 ? "" : entry.slice(end + 1);
      if (rest.startsWith(":")) portPart = rest.slice(1);
    } else if (entry.split(":").length === 2) {
      [hostPart = "", portPart] = entry.split(":");
    }
    if (portPart !== undefined && portPart !== "" && Number(portPart) !== port) continue;
    if (hostPart.includes("/")) {
      if (inIpv4Cidr(host, hostPart)) return true;
      continue;
    }
    const bare = hostPart.replace(/^\*/, "").replace(/^\./, "").replace(/\.$/, "");
    if (bare === "") continue;
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/**
 * The proxy for a target URL, from the environment as proxy-from-env reads it (but from the given env, so tests
 * need not touch `process.env`): `NO_PROXY` first (see `bypassesProxy`), then `HTTPS_PROXY` for https targets /
 * `HTTP_PROXY` for http ones, then `ALL_PROXY`; each name lower case first, then upper case. A proxy given
 * without a scheme (`proxy:3128`) is `http://proxy:3128`, as curl and Python requests read it.
 * Returns undefined for a direct connection (and for URLs that are not http(s)).
 */
export function proxyFor(target: string | URL, env: ProxyEnv = process.env): string | undefined {
  let url: URL;
  try {
    url = typeof target === "string" ? new URL(target) : target;
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (bypassesProxy(url, envValue(env, "no_proxy"))) return undefined;
  const proxy = envValue(env, url.protocol === "https:" ? "https_proxy" : "http_proxy") ?? envValue(env, "all_proxy");
  if (!proxy) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/** Node's bundled roots, the certificates of `NODE_EXTRA_CA_CERTS` (which an explicit `ca` would drop), the file. */
function caBundle(caFile: string): string[] {
  const out: string[] = [...rootCertificates];
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      out.push(readFileSync(extra, "utf8"));
    } catch {
      // Node already warned about an unreadable NODE_EXTRA_CA_CERTS at startup.
    }
  }
  try {
    out.push(readFileSync(caFile, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read the CA bundle ${caFile}: ${(error as NodeJS.ErrnoException).code ?? "read error"}`);
  }
  return out;
}

type ConnectOpts = Parameters<HttpsProxyAgent<string>["connect"]>[1];

/**
 * An `HttpsProxyAgent` that applies our TLS settings to the *target* connection inside the CONNECT tunnel.
 * https-proxy-agent 9 only uses its constructor options for the connection to the proxy itself and takes the
 * target's TLS options from each request's options, so `rejectUnauthorized`/`ca` given to its constructor never
 * reach the target (verified by test/http/agents.test.ts). As with Node's own agents, the agent's settings win
 * over per-request ones.
 */
class TunnelingAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly targetTls: Readonly<{ rejectUnauthorized: boolean; ca?: string[] }>,
  ) {
    super(proxy, { keepAlive: true });
  }

  override connect(req: Parameters<HttpsProxyAgent<string>["connect"]>[0], opts: ConnectOpts) {
    return super.connect(req, { ...opts, ...this.targetTls });
  }
}

/** `HttpAgents` plus a way to close every pooled connection (end of a run, tests). */
export interface ManagedHttpAgents extends HttpAgents {
  /** Destroys every agent handed out so far (their keep-alive sockets close) and empties the cache. */
  destroy(): void;
}

/**
 * Agents for outgoing HTTP(S), one per (target scheme, proxy, TLS settings), cached so keep-alive connections are
 * reused. Through a proxy: an `HttpsProxyAgent` (CONNECT tunnel) for https targets, an `HttpProxyAgent` for http
 * ones; otherwise plain keep-alive `https.Agent`/`http.Agent`. For https targets `rejectUnauthorized` is
 * `tls.verify`, and with `tls.caFile` the trusted CAs are Node's roots + NODE_EXTRA_CA_CERTS + that file (read once
 * per agent; an unreadable file throws). The TLS settings are the target's: an `https://` proxy itself is verified
 * against Node's default trust store. The env is read on each `forUrl` call, so it may be a live `process.env`.
 */
export function createHttpAgents(env: ProxyEnv = process.env): ManagedHttpAgents {
  const cache = new Map<string, HttpAgent>();
  return {
    forUrl(target: string, tls: TlsSettings): HttpAgent {
      const url = new URL(target);
      const secure = url.protocol === "https:";
      const proxy = proxyFor(url, env);
      if (proxy !== undefined && !/^https?:\/\//i.test(proxy)) {
        throw new Error(
          `Unsupported proxy scheme "${proxy.split(":")[0]}" in HTTP(S)_PROXY/ALL_PROXY: only http:// and https:// proxies are supported`,
        );
      }
      const verify = tls.verify !== false;
      const caFile = secure && verify && tls.caFile ? tls.caFile : undefined;
      const key = JSON.stringify([secure, proxy ?? null, secure ? verify : null, caFile ?? null]);
      const cached = cache.get(key);
      if (cached) return cached;
      let agent: HttpAgent;
      if (secure) {
        const targetTls = { rejectUnauthorized: verify, ...(caFile ? { ca: caBundle(caFile) } : {}) };
        agent =
          proxy !== undefined
            ? new TunnelingAgent(proxy, targetTls)
            : new HttpsAgent({ keepAlive: true, ...targetTls });
      } else {
        agent =
          proxy !== undefined ? new HttpProxyAgent(proxy, { keepAlive: true }) : new HttpAgent({ keepAlive: true });
      }
      cache.set(key, agent);
      return agent;
    },
    destroy(): void {
      for (const agent of cache.values()) agent.destroy();
      cache.clear();
    },
  };
}
