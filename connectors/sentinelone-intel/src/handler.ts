/**
 * The stream handler: turns each OpenCTI event into the state each touched indicator should reach in SentinelOne
 * (its IOCs, or none), in stream order. The push queue compares that state with what SentinelOne holds (the target
 * index) and sends only the difference, in batches: deletes by uuid, creates.
 *
 * | SSE event | state                                                                                           |
 * |-----------|-------------------------------------------------------------------------------------------------|
 * | `create`  | the indicator's IOCs (nothing when it does not map: skipped with a logged, counted reason)       |
 * | `update`  | nothing when no field that reaches SentinelOne changed (or only the score, with                  |
 * |           | `skip_score_only_updates`); otherwise its IOCs, or none when it is now revoked / expired / unmappable |
 * | `delete`  | none                                                                                            |
 * | `merge`   | the merged target as an update; none for every merged-away source in `context.sources`           |
 *
 * The SSE event name is the action (an update that makes an indicator leave the stream's filters arrives as
 * `delete`, one that makes it enter as `create`). An event is acknowledged when every indicator it touched reached
 * its state (or was dead-lettered) (`context.defer()`); a bad event is logged with its id and skipped, never thrown.
 * A create replayed after a restart sends nothing when SentinelOne already holds the same IOC (the index).
 */
import type { EventContext, Logger, StixObject, StreamEvent, StreamEventHandler } from "@octi/connector-sdk";
import { OPENCTI_EXTENSION, SKIP_REASONS, type SkipReason } from "@octi/connector-sdk";
import { type IndicatorMapping, mapIndicator } from "./mapping/ioc-builder.js";
import type { SentinelOneMetrics } from "./metrics.js";
import { fingerprintIoc } from "./sentinelone/fingerprint.js";
import type { IocChange } from "./sentinelone/push-queue.js";
import type { IocPayload } from "./sentinelone/types.js";
import type { SentinelOneSettings } from "./settings.js";

/** What the handler needs from the push queue (tests substitute fakes). */
export interface OperationQueue {
  start?(): void;
  /** Keys with changes not yet applied in the target (tools and tests watch it). */
  readonly pendingCount?: number;
  enqueue(changes: readonly IocChange[], eventId: string, done: () => void): Promise<void>;
  flush?(): void;
  drain(deadline: number): Promise<void>;
  stop(): void;
  /** Reconciliation on a start without state: see `snapshotStarted` / `snapshotEnded`. */
  beginSweep?(): void;
  endSweep?(eventId: string, done: () => void): Promise<number>;
}

/** Fields whose change alone is a score-only update (`skip_score_only_updates`). */
const SCORE_FIELDS: ReadonlySet<string> = new Set(["score", "x_opencti_score"]);

/** Top-level indicator fields that reach SentinelOne (`score` stands for the OpenCTI extension's score). */
const RELEVANT_FIELDS: ReadonlySet<string> = new Set([
  "pattern",
  "pattern_type",
  "valid_until",
  "name",
  "description",
  "revoked",
  "labels",
  "created",
  "x_opencti_score",
  "score",
]);

/** Fields that decide whether an indicator maps at all. */
const DECISIVE_FIELDS: readonly string[] = ["pattern", "pattern_type", "revoked", "valid_until"];

/** Skips that are an indicator's normal life, not a problem with its data: logged at debug, counted as the rest. */
const ROUTINE: ReadonlySet<SkipReason> = new Set<SkipReason>(["revoked", "expired", "not_indicator"]);
/** Skip reasons that mean "this version never had IOCs in SentinelOne" (expired ones may still be there). */
const NEVER_PUSHED: ReadonlySet<SkipReason> = new Set(SKIP_REASONS.filter((reason) => reason !== "expired"));

/**
 * The relevant fields an update's RFC 6902 patches touch (`patch` and `reverse_patch`, `path` and `from`), or
 * "unknown" when there are no usable patches (then everything is treated as changed).
 */
export function changedFields(context: StreamEvent["context"]): ReadonlySet<string> | "unknown" {
  const patches = [context?.patch, context?.reverse_patch].filter((p): p is unknown[] => Array.isArray(p));
  const ops = patches.flat();
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
        const extension = segments[1];
        const key = segments[2];
        if (extension === undefined || (extension === OPENCTI_EXTENSION && (key === undefined || key === "score"))) {
          changed.add("score");
        }
        continue;
      }
      if (RELEVANT_FIELDS.has(first)) changed.add(first);
    }
  }
  return changed;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

export class SentinelOneIntelHandler implements StreamEventHandler {
  constructor(
    private readonly queue: OperationQueue,
    private readonly settings: Pick<
      SentinelOneSettings,
      "source" | "apiUrl" | "scope" | "deadLetterPath" | "skipScoreOnlyUpdates" | "indexPath"
    >,
    /** The run's SentinelOne counters (the demo reads them). */
    readonly metrics: SentinelOneMetrics,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Indicators with changes not yet applied in SentinelOne. */
  get pendingCount(): number {
    return this.queue.pendingCount ?? 0;
  }

  async start(): Promise<void> {
    const { apiUrl, scope, source, deadLetterPath, indexPath, skipScoreOnlyUpdates } = this.settings;
    this.logger.info("Pushing OpenCTI indicators to SentinelOne", {
      api_url: apiUrl,
      account_id: scope.accountId,
      site_id: scope.siteId,
      group_id: scope.groupId,
      source,
      dead_letter_path: deadLetterPath,
      index_path: indexPath,
      skip_score_only_updates: skipScoreOnlyUpdates,
    });
    this.queue.start?.();
  }

  async handle(event: StreamEvent, context: EventContext): Promise<void> {
    if (event.data?.type !== "indicator") return; // not ours: acknowledged at once
    // Nothing is caught here: a throw goes back to the SDK, which retries the event and, if it keeps failing,
    // writes it to the event dead-letter file with its reason before acknowledging it (decision 0006).
    const ops = this.plan(event);
    if (ops.length === 0) return;
    await this.queue.enqueue(ops, event.id, context.defer());
  }

  /** The runner waits for acknowledgements: the queue sends what it holds (decision 0005). */
  flush(): void {
    this.queue.flush?.();
  }

  drain(deadline: number): Promise<void> {
    return this.queue.drain(deadline);
  }

  /** A start without state: the recovery snapshot states every indicator still wanted; the queue remembers them. */
  snapshotStarted(): void {
    this.queue.beginSweep?.();
  }

  /**
   * The snapshot is over: the IOCs of our source whose indicator it did not want (deleted while the connector was
   * down, no longer mapping) are removed, by uuid in shared requests (issue 12: a start without state is a
   * reconciliation). Other sources' IOCs are never in the index, so never touched.
   */
  async snapshotEnded(eventId: string, context: EventContext): Promise<void> {
    if (!this.queue.endSweep) return;
    await this.queue.endSweep(eventId, context.defer());
  }

  async stop(): Promise<void> {
    this.queue.stop();
  }

  /** The state each indicator the event touches should reach, in order. */
  plan(event: StreamEvent): IocChange[] {
    const indicator = event.data;
    switch (event.event) {
      case "create": {
        const mapping = this.map(indicator);
        if (mapping.kind === "skip") {
          this.skipped(event, indicator, mapping);
          return [];
        }
        return [wanted(indicator.id, mapping.payloads)];
      }
      case "update":
        return this.replace(event, indicator);
      case "delete": {
        if (!Array.isArray(event.context?.patch)) {
          // A genuine deletion carries the indicator as it was: if that version never mapped, nothing is there.
          const mapping = this.map(indicator);
          if (mapping.kind === "skip" && NEVER_PUSHED.has(mapping.reason)) {
            this.logger.debug("Deleted indicator had no IOCs in SentinelOne", {
              event_id: event.id,
              indicator_id: indicator.id,
              reason: mapping.reason,
            });
            return [];
          }
        }
        return [wanted(indicator.id, [])];
      }
      case "merge": {
        const ops = this.replace(event, indicator);
        for (const source of event.context?.sources ?? []) {
          if (!source || typeof source !== "object" || typeof source.id !== "string") continue;
          if (source.type !== "indicator" || source.id === indicator.id) continue;
          const mapping = this.map(source);
          if (mapping.kind === "skip" && NEVER_PUSHED.has(mapping.reason)) continue;
          ops.push(wanted(source.id, []));
        }
        return ops;
      }
      default:
        this.logger.warning("Unknown stream event skipped", { event_id: event.id, event: String(event.event) });
        return [];
    }
  }

  /** Update semantics: nothing, no IOCs, or the new IOCs. */
  private replace(event: StreamEvent, indicator: StixObject): IocChange[] {
    const changed = changedFields(event.context);
    if (changed !== "unknown" && changed.size === 0) {
      this.logger.debug("Indicator update changes nothing SentinelOne holds", {
        event_id: event.id,
        indicator_id: indicator.id,
      });
      return [];
    }
    if (this.settings.skipScoreOnlyUpdates && changed !== "unknown" && [...changed].every((f) => SCORE_FIELDS.has(f))) {
      this.logger.debug("Score-only indicator update skipped (skip_score_only_updates)", {
        event_id: event.id,
        indicator_id: indicator.id,
      });
      return [];
    }
    const mapping = this.map(indicator);
    if (mapping.kind === "skip") {
      const decisiveChanged = changed === "unknown" || DECISIVE_FIELDS.some((field) => changed.has(field));
      if (!decisiveChanged) {
        // It did not map before this update either: SentinelOne holds nothing for it.
        this.metrics.indicatorsSkipped.inc({ reason: mapping.reason });
        this.logger.debug("Updated indicator still not pushed to SentinelOne", {
          event_id: event.id,
          indicator_id: indicator.id,
          reason: mapping.reason,
        });
        return [];
      }
      this.skipped(event, indicator, mapping);
      return [wanted(indicator.id, [])];
    }
    return [wanted(indicator.id, mapping.payloads)];
  }

  private map(indicator: StixObject): IndicatorMapping {
    return mapIndicator(indicator, { source: this.settings.source, now: this.now() });
  }

  private skipped(event: StreamEvent, indicator: StixObject, mapping: Extract<IndicatorMapping, { kind: "skip" }>) {
    this.metrics.indicatorsSkipped.inc({ reason: mapping.reason });
    // What SentinelOne cannot hold (YARA, AND, CIDR, a bad hash …) is named in the log at the default level, so an
    // operator can see why an indicator is not detected; a revoked or expired one is only counted.
    const level = ROUTINE.has(mapping.reason) ? "debug" : "info";
    this.logger[level]("Indicator not pushed to SentinelOne", {
      event_id: event.id,
      event: event.event,
      indicator_id: indicator.id,
      reason: mapping.reason,
      detail: mapping.detail,
    });
  }
}

/** The state an indicator should reach: these IOCs (none: deleted). */
function wanted(indicatorId: string, iocs: readonly IocPayload[]): IocChange {
  return { key: indicatorId, items: iocs.map((payload) => ({ payload, fingerprint: fingerprintIoc(payload) })) };
}
