/**
 * tsyringe tokens of the connector's own services (registered by `plugin.register` in the run's child container;
 * tests override any of them). The SDK's services use the SDK's `TOKENS`.
 */
export const S1_TOKENS = {
  /** `SentinelOneSettings`: the resolved, normalised `sentinelone_intel` namespace. */
  Settings: Symbol.for("sentinelone-intel.Settings"),
  /** `SentinelOneApi`: the HTTP client (`SentinelOneClient`). */
  Client: Symbol.for("sentinelone-intel.Client"),
  /** `PushQueue`: ordered create/delete operations, batching, retries. */
  PushQueue: Symbol.for("sentinelone-intel.PushQueue"),
  /** `DeadLetterSink`: where refused IOCs go (`DeadLetterFile`). */
  DeadLetter: Symbol.for("sentinelone-intel.DeadLetter"),
  /** `SentinelOneMetrics`: the connector's counters, created once per run. */
  Metrics: Symbol.for("sentinelone-intel.Metrics"),
  /** `() => number`: the clock (epoch ms) for expiry checks and dead-letter times. */
  Clock: Symbol.for("sentinelone-intel.Clock"),
} as const;
