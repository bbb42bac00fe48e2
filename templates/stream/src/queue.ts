/**
 * The connector's sink queue: the SDK's `SinkQueue` (batches, per-key order, coalescing, pacing, retries,
 * back-pressure, drain, acknowledgement once the target has an event's state) on the __TITLE__ target, with the
 * index of what the target holds in `data_dir` (rebuilt by a listing when lost). Tune it in the config, not here.
 */
import { join } from "node:path";
import type { PluginContext, SinkQueue } from "@octi/connector-sdk";
import type { __PASCAL_NAME__Client, __PASCAL_NAME__Item } from "./client.js";
import type { __PASCAL_NAME__Settings } from "./config-schema.js";
import { __PASCAL_NAME__Target } from "./target.js";

/** One queue per run, from the SDK's factory (it brings the run's logger, metrics and lifecycle). */
export function createQueue(
  ctx: PluginContext<__PASCAL_NAME__Settings>,
  client: __PASCAL_NAME__Client,
): SinkQueue<__PASCAL_NAME__Item> {
  const settings = ctx.settings;
  return ctx.sinkQueue<__PASCAL_NAME__Item>({
    target: new __PASCAL_NAME__Target(client, ctx.deadLetter(join(settings.data_dir, "refused.jsonl"))),
    // The index describes one target: another URL empties it (it is then rebuilt from a listing).
    index: { path: join(settings.data_dir, "index.sqlite"), identity: settings.api_url },
    options: {
      batchSize: settings.batch_size,
      flushIntervalMs: settings.batch_flush_interval * 1000,
      maxPending: settings.max_pending,
      retryBaseMs: 500,
      retryMaxDelayMs: 60_000,
      requestsPerMinute: settings.requests_per_minute,
      listingMarginMs: 60_000,
    },
  });
}
