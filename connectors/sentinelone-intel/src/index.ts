/**
 * @octi/connector-sentinelone-intel: pushes OpenCTI STIX indicators to SentinelOne Threat Intelligence as IOCs.
 * `plugin` is what the SDK runs; tools and tests import the rest from its modules.
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

export { configSchema, type SentinelOneConfig, type SentinelOneIntelSettings } from "./config-schema.js";
export { SentinelOneIntelHandler } from "./handler.js";
export type { SentinelOneSettings } from "./settings.js";
export { VERSION } from "./version.js";
