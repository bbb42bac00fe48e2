/** Polling, sampling and statistics helpers. */
import { MB, type ProcSnapshot, readProc } from "./proc.js";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples a process' `/proc` figures on every `tick()`; keeps the last snapshot and an RSS time series. */
export class ProcSampler {
  private readonly series: [number, number][] = [];
  last: ProcSnapshot | undefined;

  constructor(
    readonly pid: number,
    private readonly origin: number,
  ) {}

  tick(): ProcSnapshot | undefined {
    const snapshot = readProc(this.pid);
    if (snapshot) {
      this.last = snapshot;
      this.series.push([(snapshot.at - this.origin) / 1000, snapshot.rssBytes / MB]);
    }
    return snapshot;
  }

  /** The RSS series, `[seconds since origin, MB]`, thinned to at most `points` points (keeps the maximum). */
  rssSeries(points = 120): [number, number][] {
    if (this.series.length <= points) return this.series.map(([t, m]) => [round(t, 2), round(m, 1)]);
    const out: [number, number][] = [];
    const step = this.series.length / points;
    for (let i = 0; i < points; i++) {
      const slice = this.series.slice(Math.floor(i * step), Math.floor((i + 1) * step));
      let best = slice[0]!;
      for (const s of slice) if (s[1] > best[1]) best = s;
      out.push([round(best[0], 2), round(best[1], 1)]);
    }
    return out;
  }
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return {
    count: sorted.length,
    min: round(sorted[0] ?? Number.NaN, 1),
    p50: round(percentile(sorted, 50), 1),
    p90: round(percentile(sorted, 90), 1),
    p95: round(percentile(sorted, 95), 1),
    p99: round(percentile(sorted, 99), 1),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, 1),
    mean: round(mean, 1),
  };
}

/** A tiny progress line on stderr (only on a TTY), rewritten in place. */
export class Progress {
  private lastWrite = 0;
  constructor(private readonly enabled: boolean) {}

  update(text: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastWrite < 250) return;
    this.lastWrite = now;
    process.stderr.write(`\r\x1b[2K  ${text}`);
  }

  clear(): void {
    if (this.enabled) process.stderr.write("\r\x1b[2K");
  }
}
