/** Small fakes of the SDK services (logger, lifecycle), real metrics read back, and of the SentinelOne API seam. */
import { createMetrics, type Lifecycle, type Logger, type Metrics } from "@octi/connector-sdk";
import { SentinelOneMetrics } from "../../src/metrics.js";
import type { IocPage, ListIocsQuery, SentinelOneApi } from "../../src/sentinelone/client.js";
import type { IocPayload } from "../../src/sentinelone/types.js";

export interface LogLine {
  level: "debug" | "info" | "warning" | "error";
  message: string;
  attributes: Record<string, unknown> | undefined;
}

export class FakeLogger implements Logger {
  constructor(readonly lines: LogLine[] = []) {}
  debug(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: "debug", message, attributes });
  }
  info(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: "info", message, attributes });
  }
  warning(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: "warning", message, attributes });
  }
  error(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: "error", message, attributes });
  }
  child(): Logger {
    return new FakeLogger(this.lines);
  }
  at(level: LogLine["level"]): LogLine[] {
    return this.lines.filter((line) => line.level === level);
  }
  text(): string {
    return JSON.stringify(this.lines);
  }
}

/**
 * The SDK's real metrics (a registry of their own, no process metrics), read back as a Prometheus scrape sees them:
 * no fake to keep in step with the `Metrics` interface.
 */
export class MetricsProbe {
  readonly metrics: Metrics = createMetrics({ processMetrics: false });

  /** The sum of the metric's samples whose labels include `labels` (0 when the metric does not exist). */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.metrics.registry.getSingleMetric(name);
    if (metric === undefined) return 0;
    const { values } = await metric.get();
    return values
      .filter((sample) => Object.entries(labels).every(([label, value]) => String(sample.labels[label]) === value))
      .reduce((sum, sample) => sum + sample.value, 0);
  }
}

export function probedMetrics(): { probe: MetricsProbe; metrics: SentinelOneMetrics } {
  const probe = new MetricsProbe();
  return { probe, metrics: new SentinelOneMetrics(probe.metrics) };
}

export class FakeLifecycle implements Lifecycle {
  readonly controller = new AbortController();
  readonly fatals: { message: string; cause: unknown }[] = [];
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  fatal(message: string, cause?: unknown): void {
    this.fatals.push({ message, cause });
    this.controller.abort();
  }
}

export interface ApiCall {
  kind: "create" | "delete" | "delete-uuids" | "list";
  iocs?: readonly IocPayload[];
  externalId?: string;
  uuids?: readonly string[];
}

type Behaviour = (call: ApiCall) => Promise<unknown> | unknown;

/**
 * A scripted SentinelOne API: each call takes the next scripted behaviour (default: success), and records itself.
 * A behaviour may throw (an error) or return a promise the test resolves later (a request in flight).
 */
export class FakeApi implements SentinelOneApi {
  readonly calls: ApiCall[] = [];
  private readonly script: Behaviour[] = [];
  inFlight = 0;
  maxInFlight = 0;
  fallback: Behaviour | undefined;

  /** Queue behaviours for the next calls. */
  respond(...behaviours: Behaviour[]): this {
    this.script.push(...behaviours);
    return this;
  }

  private async run(call: ApiCall): Promise<unknown> {
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const behaviour = this.script.shift() ?? this.fallback;
      return behaviour ? await behaviour(call) : undefined;
    } finally {
      this.inFlight--;
    }
  }

  async createIocs(iocs: readonly IocPayload[]): Promise<(string | undefined)[]> {
    const result = await this.run({ kind: "create", iocs: [...iocs] });
    return Array.isArray(result) ? result : iocs.map((_, i) => `uuid-${this.calls.length}-${i}`);
  }

  async deleteByUuids(uuids: readonly string[]): Promise<number> {
    const result = await this.run({ kind: "delete-uuids", uuids: [...uuids] });
    return typeof result === "number" ? result : uuids.length;
  }

  async deleteByExternalId(externalId: string): Promise<number> {
    const result = await this.run({ kind: "delete", externalId });
    return typeof result === "number" ? result : 1;
  }

  async listIocs(_query: ListIocsQuery): Promise<IocPage> {
    await this.run({ kind: "list" });
    return { data: [], nextCursor: null, totalItems: 0 };
  }

  /** "create:a,b" / "delete:x" per call, for order assertions. */
  summary(): string[] {
    return this.calls.map((c) =>
      c.kind === "create"
        ? `create:${(c.iocs ?? []).map((i) => i.value).join(",")}`
        : `${c.kind}:${c.externalId ?? ""}`,
    );
  }
}

/** A promise plus its resolvers, for holding a request in flight. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when `check` holds (polling on macrotasks); fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Lets pending promise callbacks and timers of 0 ms run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}
