/**
 * @octi/connector-sentinelone-intel: pushes OpenCTI STIX indicators to SentinelOne Threat Intelligence as IOCs.
 * `plugin` is what the SDK runs; the mapping API is exported for the dry-run tool and tests.
 */
import type { ConnectorPlugin } from "@octi/connector-sdk";
import type { DependencyContainer } from "tsyringe";
import { configSchema, crossFieldRules, NAMESPACE, type SentinelOneConfig } from "./config-schema.js";
import { SentinelOneIntelHandler } from "./handler.js";
import { SentinelOneMetrics } from "./metrics.js";
import { SentinelOneClient } from "./sentinelone/client.js";
import { DeadLetterFile } from "./sentinelone/dead-letter.js";
import { PushQueue } from "./sentinelone/push-queue.js";
import { resolveSettings } from "./settings.js";
import { S1_TOKENS } from "./tokens.js";
import { VERSION } from "./version.js";

/** Registers the connector's services in the run's child container (no network access here). */
export function registerServices(container: DependencyContainer, config: SentinelOneConfig): void {
  container.register(S1_TOKENS.Settings, { useValue: resolveSettings(config.sentinelone_intel) });
  container.register(S1_TOKENS.Clock, { useValue: () => Date.now() });
  container.registerSingleton(S1_TOKENS.Metrics, SentinelOneMetrics);
  container.registerSingleton(S1_TOKENS.Client, SentinelOneClient);
  container.registerSingleton(S1_TOKENS.DeadLetter, DeadLetterFile);
  container.registerSingleton(S1_TOKENS.PushQueue, PushQueue);
}

export const plugin: ConnectorPlugin<SentinelOneConfig> = {
  slug: "sentinelone-intel",
  namespace: NAMESPACE,
  configSchema,
  configDefaults: { connector: { name: "SentinelOne Intel", scope: ["sentinelone"] } },
  crossFieldRules,
  version: VERSION,
  register: registerServices,
  handler: SentinelOneIntelHandler,
};

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
  type Classification,
  type ClassifiedIoc,
  type Classifier,
  type ClassifyOptions,
  classifyIndicator,
  createClassifier,
  SKIP_REASONS,
  type SkipReason,
} from "./mapping/classify.js";
export { OPENCTI_EXTENSION } from "./mapping/indicator-fields.js";
export {
  type BuildOptions,
  buildIoc,
  createMapper,
  type IndicatorMapper,
  type IndicatorMapping,
  mapIndicator,
} from "./mapping/ioc-builder.js";
export {
  checkValue,
  type KeyMatcher,
  type PatternRow,
  type ValueCheck,
  type ValueRule,
} from "./mapping/pattern-row.js";
export { PATTERN_TABLE } from "./mapping/pattern-table.js";
export { EMPTY_FILE_HASHES } from "./mapping/validators.js";
export { SentinelOneMetrics } from "./metrics.js";
export {
  deleteFilter,
  type IocPage,
  type ListIocsQuery,
  MAX_DELETE_UUIDS,
  type SentinelOneApi,
  SentinelOneClient,
} from "./sentinelone/client.js";
export { DeadLetterFile, type DeadLetterRecord, type DeadLetterSink } from "./sentinelone/dead-letter.js";
export { SentinelOneApiError, type SentinelOneErrorKind } from "./sentinelone/errors.js";
export { fingerprintIoc } from "./sentinelone/fingerprint.js";
export { type IocChange, PushQueue, type PushQueueOptions } from "./sentinelone/push-queue.js";
export { SentinelOneTarget } from "./sentinelone/target.js";
export type { IocPayload, IocRecord, IocScope, IocType } from "./sentinelone/types.js";
export { resolveSettings, type SentinelOneSettings } from "./settings.js";
export { S1_TOKENS } from "./tokens.js";
export { VERSION } from "./version.js";
