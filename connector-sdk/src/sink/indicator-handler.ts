/**
 * The stream handler of an indicator-to-target connector: turns each OpenCTI event into the state each touched
 * indicator should reach in the target (its payloads, or none), in stream order, and hands it to a `SinkQueue`,
 * which compares it with what the target holds (the index) and sends only the difference, in batches.
 *
 * | SSE event | state                                                                                           |
 * |-----------|-------------------------------------------------------------------------------------------------|
 * | `create`  | the indicator's payloads (nothing when it does not map: skipped with a logged, counted reason)    |
 * | `update`  | nothing when no field that reaches the target changed (or only the score, with                   |
 * |           | `skipScoreOnlyUpdates`); otherwise its payloads, or none when it is now revoked / expired / unmappable |
 * | `delete`  | none                                                                                            |
 * | `merge`   | the merged target as an update; none for every merged-away source in `context.sources`           |
 *
 * The SSE event name is the action (an update that makes an indicator leave the stream's filters arrives as
 * `delete`, one that makes it enter as `create`). An event is acknowledged when every indicator it touched reached
 * its state (or was dead-lettered) (`context.defer()`). Nothing is caught here: a throw goes back to the runner,
 * which retries the event, then dead-letters it with its reason (decision 0006).
 */
import type { Logger } from "../logging/types.js";
import type { EventContext, StreamEventHandler } from "../runtime/plugin.js";
import { SKIP_REASONS, type SkipReason } from "../stix/classifier.js";
import { OPENCTI_EXTENSION } from "../stix/indicator-fields.js";
import type { IndicatorMapping } from "../stix/mapper.js";
import type { StixObject, StreamEvent } from "../stream/envelope.js";
import type { SinkChange } from "./types.js";

/** What the handler needs of its queue (a `SinkQueue`; tests substitute fakes). */
export interface IndicatorQueue<P> {
  start?(): void;
  /** Keys with changes not yet applied in the target (tools and tests watch it). */
  readonly pendingCount?: number;
  enqueue(changes: readonly SinkChange<P>[], eventId: string, done: () => void): Promise<void>;
  flush?(): void;
  drain(deadline: number): Promise<void>;
  stop(): void;
  /** Reconciliation on a start without state: see `snapshotStarted` / `snapshotEnded`. */
  beginSweep?(): void;
  endSweep?(eventId: string, done: () => void): Promise<number>;
}

export interface IndicatorHandlerOptions<P> {
  /** The target's name in log lines ("Indicator not pushed to SentinelOne"). */
  readonly target: string;
  readonly queue: IndicatorQueue<P>;
  /** Classify and build an indicator's payloads (`createMapper`). */
  readonly map: (indicator: StixObject, now: number) => IndicatorMapping<P>;
  /** What a replace depends on: equal fingerprints are not sent again (the index). */
  readonly fingerprint: (payload: P) => string;
  /** Top-level indicator fields that reach the target (`score` stands for the OpenCTI extension's score). */
  readonly relevantFields: ReadonlySet<string>;
  readonly skipScoreOnlyUpdates: boolean;
  /** Counts indicators not pushed, by `reason`. */
  readonly skipped: { inc(labels: { reason: string }): void };
  readonly logger: Logger;
  /** Logged at start, with the target's settings. */
  readonly startMessage: string;
  readonly startFields: Readonly<Record<string, unknown>>;
  readonly now: () => number;
}

/** Fields whose change alone is a score-only update (`skipScoreOnlyUpdates`). */
const SCORE_FIELDS: ReadonlySet<string> = new Set(["score", "x_opencti_score"]);
/** Fields that decide whether an indicator maps at all. */
const DECISIVE_FIELDS: readonly string[] = ["pattern", "pattern_type", "revoked", "valid_until"];
/** Skips that are an indicator's normal life, not a problem with its data: logged at debug, counted as the rest. */
const ROUTINE: ReadonlySet<SkipReason> = new Set<SkipReason>(["revoked", "expired", "not_indicator"]);
/** Skip reasons that mean "this version never had payloads in the target" (expired ones may still be there). */
const NEVER_PUSHED: ReadonlySet<SkipReason> = new Set(SKIP_REASONS.filter((reason) => reason !== "expired"));

/**
 * The relevant fields an update's RFC 6902 patches touch (`patch` and `reverse_patch`, `path` and `from`), or
 * "unknown" when there are no usable patches (then everything is treated as changed).
 */
export function changedFields(
  context: StreamEvent["context"],
  relevant: ReadonlySet<string>,
): ReadonlySet<string> | "unknown" {
  const ops = [context?.patch, context?.reverse_patch].filter((p): p is unknown[] => Array.isArray(p)).flat();
  if (ops.length === 0) return "unknown";
  const changed = new Set<string>();
  for (const op of ops) {
    if (!op || typeof op !== "object") return "unknown";
    const { path, from } = op as { path?: unknown; from?: unknown };
    if (typeof path !== "string") return "unknown";
    for (const pointer of typeof from === "string" ? [path, from] : [path]) {
      const segments = pointer === "" ? [] : pointer.split("/").slice(1).map(unescapePointer);
      const first = segments[0];
      if (first === undefined) return "unknown"; // the whole document was replaced
      if (first === "extensions") {
        // `/extensions/<OpenCTI extension>/score`; a whole extension (or all of them) replaced may hold a new score.
        const [, extension, key] = segments;
        if (extension === undefined || (extension === OPENCTI_EXTENSION && (key === undefined || key === "score"))) {
          changed.add("score");
        }
        continue;
      }
      if (relevant.has(first)) changed.add(first);
    }
  }
  return changed;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

type Skip<P> = Extract<IndicatorMapping<P>, { kind: "skip" }>;

export class IndicatorSinkHandler<P> implements StreamEventHandler {
  constructor(private readonly options: IndicatorHandlerOptions<P>) {}

  /** Indicators with changes not yet applied in the target. */
  get pendingCount(): number {
    return this.options.queue.pendingCount ?? 0;
  }

  async start(): Promise<void> {
    this.options.logger.info(this.options.startMessage, { ...this.options.startFields });
    this.options.queue.start?.();
  }

  async handle(event: StreamEvent, context: EventContext): Promise<void> {
    if (event.data?.type !== "indicator") return; // not ours: acknowledged at once
    const changes = this.plan(event);
    if (changes.length === 0) return;
    await this.options.queue.enqueue(changes, event.id, context.defer());
  }

  /** The runner waits for acknowledgements: the queue sends what it holds (decision 0005). */
  flush(): void {
    this.options.queue.flush?.();
  }

  drain(deadline: number): Promise<void> {
    return this.options.queue.drain(deadline);
  }

  /** A start without state: the recovery snapshot states every indicator still wanted; the queue remembers them. */
  snapshotStarted(): void {
    this.options.queue.beginSweep?.();
  }

  /** The snapshot is over: what it did not want (deleted while down, no longer mapping) is removed (issue 12). */
  async snapshotEnded(eventId: string, context: EventContext): Promise<void> {
    if (!this.options.queue.endSweep) return;
    await this.options.queue.endSweep(eventId, context.defer());
  }

  async stop(): Promise<void> {
    this.options.queue.stop();
  }

  /** The state each indicator the event touches should reach, in order. */
  plan(event: StreamEvent): SinkChange<P>[] {
    const indicator = event.data;
    switch (event.event) {
      case "create": {
        const mapping = this.map(indicator);
        if (mapping.kind === "skip") {
          this.skipped(event, indicator, mapping);
          return [];
        }
        return [this.wanted(indicator.id, mapping.payloads)];
      }
      case "update":
        return this.replace(event, indicator);
      case "delete": {
        // A genuine deletion carries the indicator as it was: if that version never mapped, nothing is there.
        if (!Array.isArray(event.context?.patch) && this.neverPushed(indicator)) {
          this.debug(`Deleted indicator had no IOCs in ${this.options.target}`, event, indicator);
          return [];
        }
        return [this.wanted(indicator.id, [])];
      }
      case "merge": {
        const changes = this.replace(event, indicator);
        for (const source of event.context?.sources ?? []) {
          if (!source || typeof source !== "object" || typeof source.id !== "string") continue;
          if (source.type !== "indicator" || source.id === indicator.id || this.neverPushed(source)) continue;
          changes.push(this.wanted(source.id, []));
        }
        return changes;
      }
      default:
        this.options.logger.warning("Unknown stream event skipped", { event_id: event.id, event: String(event.event) });
        return [];
    }
  }

  /** Update semantics: nothing, no payloads, or the new payloads. */
  private replace(event: StreamEvent, indicator: StixObject): SinkChange<P>[] {
    const changed = changedFields(event.context, this.options.relevantFields);
    if (changed !== "unknown" && changed.size === 0) {
      this.debug(`Indicator update changes nothing ${this.options.target} holds`, event, indicator);
      return [];
    }
    const scoreOnly = changed !== "unknown" && [...changed].every((field) => SCORE_FIELDS.has(field));
    if (this.options.skipScoreOnlyUpdates && scoreOnly) {
      this.debug("Score-only indicator update skipped (skip_score_only_updates)", event, indicator);
      return [];
    }
    const mapping = this.map(indicator);
    if (mapping.kind === "skip") {
      if (changed !== "unknown" && !DECISIVE_FIELDS.some((field) => changed.has(field))) {
        // It did not map before this update either: the target holds nothing for it.
        this.options.skipped.inc({ reason: mapping.reason });
        this.debug(`Updated indicator still not pushed to ${this.options.target}`, event, indicator, mapping.reason);
        return [];
      }
      this.skipped(event, indicator, mapping);
      return [this.wanted(indicator.id, [])];
    }
    return [this.wanted(indicator.id, mapping.payloads)];
  }

  private map(indicator: StixObject): IndicatorMapping<P> {
    return this.options.map(indicator, this.options.now());
  }

  private neverPushed(indicator: StixObject): boolean {
    const mapping = this.map(indicator);
    return mapping.kind === "skip" && NEVER_PUSHED.has(mapping.reason);
  }

  /** The state an indicator should reach: these payloads (none: deleted). */
  private wanted(key: string, payloads: readonly P[]): SinkChange<P> {
    return { key, items: payloads.map((payload) => ({ payload, fingerprint: this.options.fingerprint(payload) })) };
  }

  private debug(message: string, event: StreamEvent, indicator: StixObject, reason?: SkipReason): void {
    this.options.logger.debug(message, {
      event_id: event.id,
      indicator_id: indicator.id,
      ...(reason ? { reason } : {}),
    });
  }

  private skipped(event: StreamEvent, indicator: StixObject, mapping: Skip<P>): void {
    this.options.skipped.inc({ reason: mapping.reason });
    // What the target cannot hold (YARA, AND, CIDR, a bad hash …) is named in the log at the default level, so an
    // operator can see why an indicator is not detected; a revoked or expired one is only counted.
    this.options.logger[ROUTINE.has(mapping.reason) ? "debug" : "info"](
      `Indicator not pushed to ${this.options.target}`,
      {
        event_id: event.id,
        event: event.event,
        indicator_id: indicator.id,
        reason: mapping.reason,
        detail: mapping.detail,
      },
    );
  }
}
