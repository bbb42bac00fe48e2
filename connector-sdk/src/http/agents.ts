import { readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { rootCertificates } from "node:tls";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import type { HttpAgents, TlsSettings } from "./types.js";

type Env = Readonly<Record<string, string | undefined>>;

const envValue = (env: Env, name: string): string | undefined => {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
};

/** curl's NO_PROXY rules: `*`, exact hosts, `.suffix` / `suffix` domain matches, optional `:port`. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const [entryHost = "", entryPort] = entry.startsWith("[") ? [entry.slice(1, entry.indexOf("]")), entry.split("]:")[1]] : entry.split(":");
    if (entryPort && entryPort !== port) continue;
    const bare = entryHost.replace(/^\*?\./, "");
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** The proxy URL for a target, from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY (either case). */
export function proxyFor(target: string, env: Env = process.env): string | undefined {
  const url = new URL(target);
  if (bypassesProxy(url, envValue(env, "NO_PROXY"))) return undefined;
  const proxy =
    url.protocol === "https:"
      ? (envValue(env, "HTTPS_PROXY") ?? envValue(env, "ALL_PROXY"))
      : (envValue(env, "HTTP_PROXY") ?? envValue(env, "ALL_PROXY"));
  if (!proxy) return undefined;
  return proxy.includes("://") ? proxy : `http://${proxy}`;
}

/** Agents per (target protocol, proxy, TLS settings), cached so keep-alive connections are reused. */
export function createHttpAgents(env: Env = process.env): HttpAgents {
  const cache = new Map<string, HttpAgent>();
  return {
    forUrl(target: string, tls: TlsSettings): HttpAgent {
      const secure = target.startsWith("https:");
      const proxy = proxyFor(target, env);
      const key = `${secure}|${proxy ?? ""}|${tls.verify}|${tls.caFile ?? ""}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const tlsOptions = {
        rejectUnauthorized: tls.verify,
        ...(tls.caFile ? { ca: [...rootCertificates, readFileSync(tls.caFile, "utf8")] } : {}),
      };
      let agent: HttpAgent;
      if (proxy) {
        agent = secure
          ? (new HttpsProxyAgent(proxy, { keepAlive: true, ...tlsOptions }) as unknown as HttpAgent)
          : (new HttpProxyAgent(proxy, { keepAlive: true }) as unknown as HttpAgent);
      } else {
        agent = secure ? new HttpsAgent({ keepAlive: true, ...tlsOptions }) : new HttpAgent({ keepAlive: true });
      }
      cache.set(key, agent);
      return agent;
    },
  };
}
