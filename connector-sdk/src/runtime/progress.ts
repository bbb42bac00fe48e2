/**
 * The periodic progress line: a healthy connector says at `info`, every `connector.progress_interval` seconds, what it
 * has done (events handled, failed, malformed), where it is (stream position, lag) and the connector's own counts.
 *
 * The counts come from the run's metrics, so the line and `/metrics` never disagree. A connector adds its own
 * counters with `reportInProgress` (typed: the counter object, and for a per-label breakdown one of its label names),
 * usually where it creates them.
 */
import type { Counter, Gauge } from "prom-client";
import { errorMessage } from "../logging/error-message.js";
import type { Logger } from "../logging/types.js";
import type { Metrics } from "../metrics/types.js";

/** One connector count on the progress line. */
export interface ProgressEntry<L extends string = string> {
  /** Attribute name in the JSON line, e.g. `iocs_created`. */
  readonly key: string;
  /** Words in the message, e.g. `IOCs created`. */
  readonly label: string;
  readonly metric: Counter<L> | Gauge<L>;
  /** A label to break the total down by (`reason` → `skipped 34 (revoked 10, compound_and 24)`). */
  readonly by?: L;
}

interface Reading {
  readonly key: string;
  readonly label: string;
  readonly read: () => Promise<Tally>;
}

const entries = new WeakMap<Metrics, Reading[]>();

/** Adds a connector counter to the run's progress line (in the order added). */
export function reportInProgress<L extends string>(metrics: Metrics, entry: ProgressEntry<L>): void {
  const list = entries.get(metrics) ?? [];
  list.push({ key: entry.key, label: entry.label, read: () => tally(entry.metric, entry.by) });
  entries.set(metrics, list);
}

interface Tally {
  readonly total: number;
  readonly by?: Readonly<Record<string, number>>;
}

async function tally<L extends string>(metric: Counter<L> | Gauge<L>, by?: L): Promise<Tally> {
  const { values } = await metric.get();
  let total = 0;
  const split: Record<string, number> = {};
  for (const v of values) {
    total += v.value;
    if (by !== undefined) {
      const label = String(v.labels[by] ?? "");
      split[label] = (split[label] ?? 0) + v.value;
    }
  }
  return by === undefined ? { total } : { total, by: split };
}

function breakdown(by: Readonly<Record<string, number>> | undefined): string {
  const parts = Object.entries(by ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([label, n]) => `${label} ${n}`);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

export interface ProgressOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Seconds between lines; 0 turns the periodic line off. */
  readonly intervalSeconds: number;
  /** The acknowledged stream position (`start_from`), if known. */
  readonly position: () => string | undefined;
}

export interface ProgressReporter {
  /** Builds the line now (tests, and the last line at stop). */
  line(): Promise<{ message: string; attributes: Record<string, unknown> }>;
  /** Stops the timer and logs a last line with the run's totals. */
  stop(): Promise<void>;
}

/** Starts the periodic progress line of a run. */
export function startProgress(options: ProgressOptions): ProgressReporter {
  const { logger, metrics } = options;
  let previousHandled = 0;
  let stopped = false;

  const line = async () => {
    const sdk = metrics.sdk;
    const handled = (await tally(sdk.eventsHandled)).total;
    const failed = await tally(sdk.eventsFailed, "reason");
    const malformed = (await tally(sdk.eventsMalformed)).total;
    const lag = (await tally(sdk.lag)).total;
    const position = options.position();
    const attributes: Record<string, unknown> = {
      events_handled: handled,
      events_handled_since_last: handled - previousHandled,
      events_failed: failed.total,
      events_malformed: malformed,
    };
    const parts = [`${handled} events handled (+${handled - previousHandled})`];
    if (failed.total > 0) parts.push(`${failed.total} failed${breakdown(failed.by)}`);
    if (malformed > 0) parts.push(`${malformed} malformed`);
    for (const entry of entries.get(metrics) ?? []) {
      const t = await entry.read();
      attributes[entry.key] = t.by === undefined ? t.total : { total: t.total, ...t.by };
      parts.push(`${entry.label} ${t.total}${breakdown(t.by)}`);
    }
    attributes.position = position ?? null;
    attributes.lag_seconds = Math.round(lag * 10) / 10;
    parts.push(`position ${position ?? "none yet"}`, `lag ${attributes.lag_seconds} s`);
    previousHandled = handled;
    return { message: `Progress: ${parts.join(", ")}`, attributes };
  };

  const log = async () => {
    try {
      const { message, attributes } = await line();
      logger.info(message, attributes);
    } catch (error) {
      logger.warning("Progress line failed", { reason: errorMessage(error) });
    }
  };

  const timer = options.intervalSeconds > 0 ? setInterval(() => void log(), options.intervalSeconds * 1000) : undefined;
  timer?.unref();
  return {
    line,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      if (options.intervalSeconds > 0) await log();
    },
  };
}

/** What a progress display shows at one instant. */
export interface ProgressState {
  /** What is being done, e.g. `listing SentinelOne`. */
  readonly phase: string;
  /** Counts in display order, e.g. `{ "events read": 1200, "IOCs listed": "3000/100000" }`. */
  readonly fields: Readonly<Record<string, number | string>>;
  /** Share of the phase done (0..1), when known: drawn as a bar. */
  readonly fraction?: number;
}

export interface ProgressDisplayOptions {
  /** Where a terminal's bar is drawn (stderr). */
  readonly stream: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  /** Where the plain lines go when `stream` is not a terminal. */
  readonly logger: Logger;
  readonly read: () => ProgressState;
  /** Between plain lines (default 10 s); a terminal's bar is redrawn every 250 ms. */
  readonly plainIntervalMs?: number;
}

export interface ProgressDisplay {
  /** Ends the display: clears the bar (terminal) or logs a last line. */
  stop(): void;
}

const BAR_WIDTH = 20;

/** Renders one state as a single line (a bar when the fraction is known). */
export function progressText(state: ProgressState): string {
  const fields = Object.entries(state.fields).map(([name, value]) => `${name} ${value}`);
  const fraction = state.fraction;
  const bar =
    fraction === undefined
      ? ""
      : (() => {
          const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
          return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${Math.floor(fraction * 100)}% `;
        })();
  return `${state.phase}: ${bar}${fields.join(", ")}`;
}

/**
 * A one-line progress bar redrawn in place on a terminal; elsewhere (pipes, CI, containers) a plain log line every
 * `plainIntervalMs`, so logs are never flooded with carriage returns.
 */
export function startProgressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  const { stream } = options;
  const tty = stream.isTTY === true;
  const draw = () => {
    const text = progressText(options.read());
    const width = Math.max(20, (stream.columns ?? 120) - 1);
    stream.write(`\r\u001b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
  };
  const log = () => {
    const state = options.read();
    const attributes: Record<string, unknown> = { phase: state.phase };
    for (const [name, value] of Object.entries(state.fields))
      attributes[name.toLowerCase().replace(/\W+/g, "_")] = value;
    options.logger.info(`Progress: ${progressText(state)}`, attributes);
  };
  if (tty) draw(); // at once: a short run shows its bar too
  const timer = setInterval(tty ? draw : log, tty ? 250 : (options.plainIntervalMs ?? 10_000));
  timer.unref();
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (tty) stream.write("\r\u001b[2K");
      else log();
    },
  };
}
