/**
 * Joining OpenCTI at start-up, as pycti does: a health check (the platform version), then `registerConnector`,
 * retried with backoff while OpenCTI is unreachable (it often starts after its connectors in a compose file). A
 * refusal (bad token, bad id) is not retried: the caller stops the run with its message.
 */
import type { BaseConfig } from "../config/types.js";
import { backoffDelay, sleep } from "../http/index.js";
import type { Logger } from "../logging/types.js";
import type { OpenCtiClient } from "../opencti/client.js";
import { OpenCtiApiError } from "../opencti/errors.js";

export interface RegistrationDeps {
  readonly client: OpenCtiClient;
  readonly connector: BaseConfig["connector"];
  /** The `api` logger (pycti's wording of the waiting message). */
  readonly logger: Logger;
  /** First delay of the backoff (ms); the ceiling is `CONNECTOR_LIVE_STREAM_RECONNECT_MAX_DELAY`. */
  readonly retryBaseMs: number;
  /** Aborted when the run stops: ends the wait between attempts. */
  readonly signal: AbortSignal;
  readonly stopping: () => boolean;
  /** OpenCTI refused the connector: not retried. */
  readonly refused: (message: string, error: OpenCtiApiError) => void;
}

/** What registration returns: the state OpenCTI holds for this connector (null on a first run or after a reset). */
export interface Registered {
  readonly connector_state: string | null;
}

/** Registers the connector; `undefined` when the run stopped or OpenCTI refused it. */
export async function registerWithRetry(deps: RegistrationDeps): Promise<Registered | undefined> {
  const c = deps.connector;
  for (let attempt = 0; !deps.stopping(); attempt++) {
    try {
      deps.logger.info("Health check (platform version)...");
      const version = await deps.client.healthCheck();
      const registered = await deps.client.registerConnector({
        id: c.id,
        name: c.name,
        type: "STREAM",
        scope: c.scope,
        auto: false,
        auto_update: false,
        enrichment_resolution: "none",
        only_contextual: false,
        playbook_compatible: false,
        listen_callback_uri: null,
      });
      deps.logger.info("Connector registered with ID", { id: c.id, platform_version: version });
      return registered;
    } catch (error) {
      if (error instanceof OpenCtiApiError && !error.retryable) {
        deps.refused(`OpenCTI refused the connector: ${error.message}`, error);
        return undefined;
      }
      const delay = backoffDelay(attempt, {
        baseMs: deps.retryBaseMs,
        maxMs: c.live_stream_reconnect_max_delay * 1000,
      });
      deps.logger.error(
        "OpenCTI API is not reachable. Waiting for OpenCTI API to start or check your configuration...",
        {
          reason: error instanceof Error ? error.message : String(error),
          retry_in_ms: delay,
        },
      );
      try {
        await sleep(delay, deps.signal);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
