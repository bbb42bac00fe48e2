/**
 * Injection tokens. Every SDK service is registered under a symbol in the run's child container,
 * so tests and connectors can override any of them; nothing is a static singleton.
 */
export const TOKENS = {
  /** The resolved config (`BaseConfig` & the connector's namespace). */
  Config: Symbol.for("octi.Config"),
  /** `Logger` named after the connector. */
  Logger: Symbol.for("octi.Logger"),
  /** `Metrics` of this run. */
  Metrics: Symbol.for("octi.Metrics"),
  /** `OpenCtiClient` (GraphQL). */
  OpenCtiClient: Symbol.for("octi.OpenCtiClient"),
  /** `HttpAgents`: TLS and proxy aware agents for a URL. */
  HttpAgents: Symbol.for("octi.HttpAgents"),
  /** `Secrets`: every secret value of the config, for scrubbing. */
  Secrets: Symbol.for("octi.Secrets"),
  /** `AbortSignal` aborted when the run stops. */
  ShutdownSignal: Symbol.for("octi.ShutdownSignal"),
  /** `Lifecycle`: lets connector services stop the run on an unrecoverable error (e.g. a revoked API key). */
  Lifecycle: Symbol.for("octi.Lifecycle"),
} as const;
