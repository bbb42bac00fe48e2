/**
 * @octi/connector-sentinelone-intel: pushes OpenCTI STIX indicators to SentinelOne Threat Intelligence as IOCs.
 * `plugin` is what the SDK runs; the mapping API is exported for the dry-run tool and tests.
 */
import { definePlugin } from "@octi/connector-sdk";
import { configSchema, crossFieldRules, NAMESPACE } from "./config-schema.js";
import { SentinelOneIntelHandler } from "./handler.js";
import { SentinelOneMetrics } from "./metrics.js";
import { SentinelOneClient } from "./sentinelone/client.js";
import type { DeadLetterRecord } from "./sentinelone/dead-letter.js";
import { PushQueue } from "./sentinelone/push-queue.js";
import { resolveSettings } from "./settings.js";
import { VERSION } from "./version.js";

export const plugin = definePlugin({
  manifest: {
    slug: "sentinelone-intel",
    namespace: NAMESPACE,
    version: VERSION,
    connectorDefaults: { name: "SentinelOne Intel", scope: ["sentinelone"] },
  },
  configSchema,
  crossFieldRules,
  resolve: resolveSettings,
  // One client, queue and set of counters per run; nothing here touches the network (the handler's start() does).
  createHandler: (ctx) => {
    const settings = ctx.settings;
    const now = () => Date.now();
    const metrics = new SentinelOneMetrics(ctx.metrics);
    const client = new SentinelOneClient(settings, ctx.agents, metrics);
    const deadLetter = ctx.deadLetter<DeadLetterRecord>(settings.deadLetterPath);
    const queue = new PushQueue(settings, client, deadLetter, metrics, ctx, now);
    return new SentinelOneIntelHandler(queue, settings, metrics, ctx.logger, now);
  },
});

export {
  configSchema,
  crossFieldRules,
  NAMESPACE,
  type SentinelOneConfig,
  type SentinelOneIntelSettings,
  scopeId,
  stripTokenPrefix,
} from "./config-schema.js";
export { changedFields, type OperationQueue, SentinelOneIntelHandler } from "./handler.js";
export {
  type BuildOptions,
  buildIoc,
  type IndicatorMapper,
  type IndicatorMapping,
  mapIndicator,
} from "./mapping/ioc-builder.js";
export { classifyIndicator, PATTERN_TABLE } from "./mapping/pattern-table.js";
export { SentinelOneMetrics } from "./metrics.js";
export {
  deleteFilter,
  type IocPage,
  type ListIocsQuery,
  MAX_DELETE_UUIDS,
  type SentinelOneApi,
  SentinelOneClient,
} from "./sentinelone/client.js";
export type { DeadLetterRecord, DeadLetterSink } from "./sentinelone/dead-letter.js";
export { SentinelOneApiError, type SentinelOneErrorKind } from "./sentinelone/errors.js";
export { fingerprintIoc } from "./sentinelone/fingerprint.js";
export { type IocChange, PushQueue, type PushQueueOptions } from "./sentinelone/push-queue.js";
export { SentinelOneTarget } from "./sentinelone/target.js";
export type { IocPayload, IocRecord, IocScope, IocType } from "./sentinelone/types.js";
export { resolveSettings, type SentinelOneSettings } from "./settings.js";
export { VERSION } from "./version.js";
