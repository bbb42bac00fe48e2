/**
 * Both simulators, each in its own process (their CLIs), and thin clients of their control routes:
 * - OpenCTI: `node connector-sdk-testing/dist/opencti-simulator-cli.js` (`/__sim/feeds`, `/__sim/publish`,
 *   `/__sim/status`);
 * - SentinelOne: `node connectors/sentinelone-intel/dist-dev/simulator/cli.js` (read-only `/__sim/stats`,
 *   `/__sim/iocs`).
 */
import { join } from "node:path";
import type { PublishedEvent } from "@octi/connector-sdk-testing";
import type { RequestLogEntry, SimulatorStats, StoredIoc } from "@octi/connector-sentinelone-intel/simulator";
import { BUILT } from "./paths.js";
import { ManagedProcess } from "./processes.js";

export interface SimulatorLaunch {
  /** Directory of the log files (and profiles). */
  readonly dir: string;
  /** Prefix of the log file names. */
  readonly label: string;
  /** Extra node flags (`--cpu-prof …`). */
  readonly nodeFlags?: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Extra arguments of the simulator's CLI. */
  readonly args?: readonly string[];
}

async function call<T>(url: string, init?: { method: string; body: unknown }): Promise<T> {
  const response = await fetch(url, {
    method: init?.method ?? "GET",
    ...(init ? { body: JSON.stringify(init.body), headers: { "content-type": "application/json" } } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export interface OpenCtiStatus {
  readonly eventCount: number;
  readonly lastEventId: string | null;
  readonly openStreams: number;
  readonly connectors: readonly { readonly id: string; readonly state?: unknown; readonly [key: string]: unknown }[];
}

export interface FeedInfo {
  readonly count: number;
  readonly firstId: string;
  readonly lastId: string;
}

export class OpenCtiProcess {
  private constructor(
    readonly process: ManagedProcess,
    readonly url: string,
    readonly token: string,
    readonly streamId: string,
  ) {}

  static async start(launch: SimulatorLaunch): Promise<OpenCtiProcess> {
    const { process, announcement } = await ManagedProcess.start({
      name: "OpenCTI simulator",
      args: [...(launch.nodeFlags ?? []), BUILT.openCtiSimulatorCli, "--port", "0", ...(launch.args ?? [])],
      env: launch.env,
      cwd: launch.dir,
      logFile: join(launch.dir, `${launch.label}-opencti-simulator.log`),
      announce: true,
    });
    const line = announcement as { url?: string; token?: string; streams?: string[] };
    if (typeof line.url !== "string" || typeof line.token !== "string" || !line.streams?.[0]) {
      await process.stop();
      throw new Error(`the OpenCTI simulator announced ${JSON.stringify(announcement)}`);
    }
    return new OpenCtiProcess(process, line.url, line.token, line.streams[0]);
  }

  /**
   * A lazily generated feed of `count` indicator creates (ipv4, domain, url, sha256 in turn); `now`: its creation
   * time (default the simulator's clock), for a feed this process makes again (`syntheticIndicatorFeed`).
   */
  addFeed(count: number, seed: string, now?: Date): Promise<FeedInfo> {
    const body = { count, seed, actions: "create", ...(now ? { now: now.toISOString() } : {}) };
    return call(`${this.url}/__sim/feeds`, { method: "POST", body });
  }

  /** Appends events; answers their stream ids (`<ms>-<seq>`: the simulator's publication time). */
  async publish(events: readonly PublishedEvent[]): Promise<string[]> {
    const answer = await call<{ ids: string[] }>(`${this.url}/__sim/publish`, { method: "POST", body: events });
    return answer.ids;
  }

  /** The request logs (`at` is an ISO date). */
  requests(): Promise<{ graphql: { at: string }[]; stream: { at: string }[] }> {
    return call(`${this.url}/__sim/requests`);
  }

  status(): Promise<OpenCtiStatus> {
    return call(`${this.url}/__sim/status`);
  }

  stop(): Promise<unknown> {
    return this.process.stop();
  }
}

export interface SentinelOneLaunch extends SimulatorLaunch {
  readonly rateLimit?: { readonly rpm: number; readonly burst?: number };
  readonly latencyMs?: number;
}

export class SentinelOneProcess {
  private constructor(
    readonly process: ManagedProcess,
    readonly url: string,
  ) {}

  static async start(launch: SentinelOneLaunch): Promise<SentinelOneProcess> {
    const args = [
      // A million stored IOCs need more than the default old space on small machines.
      "--max-old-space-size=8192",
      ...(launch.nodeFlags ?? []),
      BUILT.sentinelOneSimulatorCli,
      "--port",
      "0",
    ];
    if (launch.rateLimit) {
      args.push("--rate-limit", String(launch.rateLimit.rpm), "--retry-after", "seconds");
      if (launch.rateLimit.burst !== undefined) args.push("--burst", String(launch.rateLimit.burst));
    }
    if (launch.latencyMs) args.push("--latency", String(launch.latencyMs));
    const { process, announcement } = await ManagedProcess.start({
      name: "SentinelOne simulator",
      args,
      env: launch.env,
      cwd: launch.dir,
      logFile: join(launch.dir, `${launch.label}-sentinelone-simulator.log`),
      announce: true,
    });
    const url = (announcement as { url?: unknown }).url;
    if (typeof url !== "string") {
      await process.stop();
      throw new Error(`the SentinelOne simulator announced ${JSON.stringify(announcement)}`);
    }
    return new SentinelOneProcess(process, url);
  }

  stats(): Promise<SimulatorStats> {
    return call(`${this.url}/__sim/stats`);
  }

  iocs(offset: number, limit: number): Promise<{ count: number; data: StoredIoc[] }> {
    return call(`${this.url}/__sim/iocs?offset=${offset}&limit=${limit}`);
  }

  /** Stores `items` as a console upload would (validation, defaults, clamping; no rate limit); answers how many. */
  async consoleAdd(items: readonly unknown[]): Promise<number> {
    return (await call<{ count: number }>(`${this.url}/__sim/console/add`, { method: "POST", body: { items } })).count;
  }

  /** The last `limit` API requests (the simulator keeps 10,000). */
  async requestLog(limit = 10_000): Promise<RequestLogEntry[]> {
    return (await call<{ data: RequestLogEntry[] }>(`${this.url}/__sim/requests?limit=${limit}`)).data;
  }

  /** Every stored IOC, in insertion order (pages of 10,000). */
  async allIocs(): Promise<StoredIoc[]> {
    const out: StoredIoc[] = [];
    for (;;) {
      const page = await this.iocs(out.length, 10_000);
      for (const ioc of page.data) out.push(ioc);
      if (page.data.length === 0 || out.length >= page.count) return out;
    }
  }

  /** The first and the last stored IOC (insertion order), or undefined when there is none. */
  async ends(): Promise<{ first: StoredIoc; last: StoredIoc } | undefined> {
    const head = await this.iocs(0, 1);
    if (head.count === 0 || !head.data[0]) return undefined;
    const last = (await this.iocs(head.count - 1, 1)).data[0] ?? head.data[0];
    return { first: head.data[0], last };
  }

  stop(): Promise<unknown> {
    return this.process.stop();
  }
}

/** `uploadTime` (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) as epoch ms with the microseconds as a fraction. */
export function uploadTimeMs(ioc: Pick<StoredIoc, "uploadTime">): number {
  const match = /\.(\d+)Z$/.exec(ioc.uploadTime);
  const whole = Date.parse(ioc.uploadTime.replace(/\.\d+Z$/, "Z"));
  if (!match) return whole;
  return whole + Number(`0.${match[1]}`) * 1000;
}
