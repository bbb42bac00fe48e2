/**
 * Progress output for the demo: on a TTY one line rewritten in place (counters and a bar); elsewhere (CI logs,
 * pipes) a plain line at most once per `plainIntervalMs`.
 */
import type { ProgressTarget } from "#src/tools/args.js";

export type { ProgressTarget };

export interface ProgressSnapshot {
  /** Events the connector has acknowledged (its committed position, in feed steps). */
  readonly handled: number;
  readonly total: number;
  /** IOCs currently held by SentinelOne (shown as `IOCs`). */
  readonly iocs: number;
  /** IOCs waiting in the connector's push queue (undefined when not known). */
  readonly pending?: number;
  /** Requests SentinelOne answered with 429. */
  readonly rateLimited: number;
  readonly elapsedMs: number;
}

export interface ProgressWriter {
  update(snapshot: ProgressSnapshot): void;
  /** Ends the progress output: draws `last` (always, even within the plain interval), then a newline on a TTY. */
  done(last?: ProgressSnapshot): void;
}

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

function counters(s: ProgressSnapshot): string {
  const parts = [`events ${s.handled}/${s.total}`, `IOCs ${s.iocs}`];
  if (s.pending !== undefined) parts.push(`queued ${s.pending}`);
  if (s.rateLimited > 0) parts.push(`429s ${s.rateLimited}`);
  parts.push(formatDuration(s.elapsedMs));
  return parts.join(" | ");
}

export function progressBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

/** `now` is injectable so tests never depend on timing. */
export function createProgress(
  target: ProgressTarget,
  options: { plainIntervalMs?: number; now?: () => number } = {},
): ProgressWriter {
  const now = options.now ?? Date.now;
  if (target.isTTY) {
    let drawn = false;
    const draw = (s: ProgressSnapshot) => {
      const width = Math.max(10, Math.min(30, (target.columns ?? 80) - 72));
      const line = `${progressBar(s.handled / Math.max(1, s.total), width)} ${counters(s)}`;
      const max = (target.columns ?? 120) - 1;
      target.write(`\r${line.length > max ? line.slice(0, max) : line}\u001b[K`);
      drawn = true;
    };
    return {
      update: draw,
      done(last) {
        if (last) draw(last);
        if (drawn) target.write("\n");
      },
    };
  }
  const interval = options.plainIntervalMs ?? 1000;
  let last = Number.NEGATIVE_INFINITY;
  return {
    update(s) {
      const t = now();
      if (t - last < interval) return;
      last = t;
      target.write(`progress: ${counters(s)}\n`);
    },
    done(final) {
      if (final) target.write(`progress: ${counters(final)}\n`);
    },
  };
}
