import { afterEach } from "vitest";
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_API_TOKEN,
  IOCS_PATH,
  IOCS_STIX_PATH,
  SentinelOneSimulator,
  type SentinelOneSimulatorOptions,
} from "../../dev/simulator/index.js";

/** Parsed JSON of a response; tests navigate it freely. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted on, not typed
export type Json = any;

export interface Res<T = Json> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

const running: SentinelOneSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

export async function startSim(
  options: SentinelOneSimulatorOptions = {},
): Promise<{ sim: SentinelOneSimulator; api: Api }> {
  const sim = new SentinelOneSimulator(options);
  running.push(sim);
  const url = await sim.start();
  return { sim, api: new Api(url) };
}

export class Api {
  constructor(
    readonly url: string,
    readonly token: string | null = DEFAULT_API_TOKEN,
  ) {}

  as(token: string | null): Api {
    return new Api(this.url, token);
  }

  async raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const h: Record<string, string> = { ...headers };
    if (this.token !== null && h.authorization === undefined) h.authorization = `ApiToken ${this.token}`;
    if (body !== undefined && h["content-type"] === undefined) h["content-type"] = "application/json";
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: h,
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, headers: r.headers, text, json };
  }

  post(body: unknown): Promise<Res> {
    return this.raw("POST", IOCS_PATH, body);
  }

  stix(body: unknown): Promise<Res> {
    return this.raw("POST", IOCS_STIX_PATH, body);
  }

  get(query: Record<string, string | number | boolean> | string = {}): Promise<Res> {
    const qs =
      typeof query === "string"
        ? query
        : new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return this.raw("GET", `${IOCS_PATH}${qs ? `?${qs}` : ""}`);
  }

  del(body: unknown): Promise<Res> {
    return this.raw("DELETE", IOCS_PATH, body);
  }
}

export const ACCOUNT_FILTER = { accountIds: [DEFAULT_ACCOUNT_ID] };

export function ipv4(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export function ips(count: number, extra: Record<string, unknown> = {}, offset = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    type: "IPV4",
    value: ipv4(i + offset),
    source: "test",
    externalId: `indicator--${i + offset}`,
    ...extra,
  }));
}

export const HEX32 = /^[0-9a-f]{32}$/;
export const S1_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
