/**
 * The stream handler: the SDK's indicator handler (create / update / delete / merge → the state each indicator should
 * reach, handed to the push queue) with SentinelOne's mapping, fingerprint and the fields its IOCs carry.
 * A create replayed after a restart sends nothing when SentinelOne already holds the same IOC (the index).
 */
import {
  changedFields as changed,
  type IndicatorQueue,
  IndicatorSinkHandler,
  type Logger,
  type StreamEvent,
} from "@octi/connector-sdk";
import { mapIndicator } from "./mapping/ioc-builder.js";
import type { SentinelOneMetrics } from "./metrics.js";
import { fingerprintIoc } from "./sentinelone/fingerprint.js";
import type { IocPayload } from "./sentinelone/types.js";
import type { SentinelOneSettings } from "./settings.js";

export type OperationQueue = IndicatorQueue<IocPayload>;

/** Top-level indicator fields that reach SentinelOne (`score` stands for the OpenCTI extension's score). */
const RELEVANT_FIELDS: ReadonlySet<string> = new Set([
  ...["pattern", "pattern_type", "valid_until", "name", "description"],
  ...["revoked", "labels", "created", "x_opencti_score", "score"],
]);

/** The fields an update's patches touch that reach SentinelOne, or "unknown". */
export function changedFields(context: StreamEvent["context"]): ReadonlySet<string> | "unknown" {
  return changed(context, RELEVANT_FIELDS);
}

type HandlerSettings = Pick<
  SentinelOneSettings,
  "source" | "apiUrl" | "scope" | "deadLetterPath" | "skipScoreOnlyUpdates" | "indexPath"
>;

export class SentinelOneIntelHandler extends IndicatorSinkHandler<IocPayload> {
  constructor(
    queue: OperationQueue,
    settings: HandlerSettings,
    /** The run's SentinelOne counters (the demo reads them). */
    readonly metrics: SentinelOneMetrics,
    logger: Logger,
    now: () => number,
  ) {
    const { apiUrl, scope, source, deadLetterPath, indexPath, skipScoreOnlyUpdates } = settings;
    super({
      target: "SentinelOne",
      queue,
      map: (indicator, at) => mapIndicator(indicator, { source, now: at }),
      fingerprint: fingerprintIoc,
      relevantFields: RELEVANT_FIELDS,
      skipScoreOnlyUpdates,
      skipped: metrics.indicatorsSkipped,
      logger,
      startMessage: "Pushing OpenCTI indicators to SentinelOne",
      startFields: {
        api_url: apiUrl,
        account_id: scope.accountId,
        site_id: scope.siteId,
        group_id: scope.groupId,
        source,
        dead_letter_path: deadLetterPath,
        index_path: indexPath,
        skip_score_only_updates: skipScoreOnlyUpdates,
      },
      now,
    });
  }
}
