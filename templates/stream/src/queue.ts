/**
 * The connector's sink queue: the SDK's `SinkQueue` (batches, per-key order, coalescing, pacing, retries,
 * back-pressure, drain, acknowledgement once the target has an event's state) on the __TITLE__ target, with the
 * index of what the target holds in `data_dir` (rebuilt by a listing when lost). Tune it in the config, not here.
 */
import { join } from "node:path";
import {
  JsonLinesFile,
  type Lifecycle,
  type Logger,
  type Metrics,
  SinkQueue,
  TargetIndex,
  TOKENS,
} from "@octi/connector-sdk";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { __ENV_PREFIX___CLIENT, type __PASCAL_NAME__Client, type __PASCAL_NAME__Item } from "./client.js";
import type { __PASCAL_NAME__Config } from "./config-schema.js";
import { __PASCAL_NAME__Target } from "./target.js";

export const __ENV_PREFIX___QUEUE = Symbol.for("__SLUG__.Queue");

/** Registers the queue (one per run) under `__ENV_PREFIX___QUEUE`. */
export function registerQueue(container: DependencyContainer, config: __PASCAL_NAME__Config): void {
  const settings = config.__SNAKE_NAME__;
  const indexPath = join(settings.data_dir, "index.sqlite");
  container.register(__ENV_PREFIX___QUEUE, {
    useFactory: instanceCachingFactory(
      (c) =>
        new SinkQueue<__PASCAL_NAME__Item>({
          target: new __PASCAL_NAME__Target(
            c.resolve<__PASCAL_NAME__Client>(__ENV_PREFIX___CLIENT),
            new JsonLinesFile(join(settings.data_dir, "refused.jsonl"), c.resolve<readonly string[]>(TOKENS.Secrets)),
          ),
          // The index describes one target: another URL empties it (it is then rebuilt from a listing).
          openIndex: () => TargetIndex.open({ path: indexPath, identity: settings.api_url }),
          options: {
            batchSize: settings.batch_size,
            flushIntervalMs: settings.batch_flush_interval * 1000,
            maxPending: settings.max_pending,
            retryBaseMs: 500,
            retryMaxDelayMs: 60_000,
            requestsPerMinute: settings.requests_per_minute,
            listingMarginMs: 60_000,
          },
          logger: c.resolve<Logger>(TOKENS.Logger),
          metrics: c.resolve<Metrics>(TOKENS.Metrics),
          lifecycle: c.resolve<Lifecycle>(TOKENS.Lifecycle),
        }),
    ),
  });
}
