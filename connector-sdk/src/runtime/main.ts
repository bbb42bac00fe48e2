import { ConfigValidationError, configSearchDirs } from "../config/index.js";
import type { NamespaceSchema } from "../config/types.js";
import { errorMessage } from "../logging/error-message.js";
import type { ConnectorPlugin, StreamEventHandler } from "./plugin.js";
import { type ConnectorRun, startConnector } from "./runner.js";

export interface MainOptions {
  /** The connector package directory: `config.yml` / `.env` are looked up in the current directory, then here, then in `src/`. */
  readonly packageDir?: string;
}

/**
 * The process entry point of a connector (its `main.ts` calls this): starts the run, turns SIGTERM/SIGINT
 * into a graceful stop (drain, final state push, exit 0), and exits 1 on bad configuration or a fatal error.
 */
export function runMain<S extends NamespaceSchema, R, H extends StreamEventHandler>(
  plugin: ConnectorPlugin<S, R, H>,
  options: MainOptions = {},
): void {
  const searchDirs = configSearchDirs(options.packageDir);
  let run: ConnectorRun<R, H> | undefined;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1 || !run) {
      process.stderr.write(`Received ${signal} again, exiting without draining\n`);
      process.exit(1);
    }
    void run.stop(`received ${signal}`);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  startConnector(plugin, { searchDirs })
    .then(async (started) => {
      run = started;
      process.on("unhandledRejection", (reason) => {
        process.stderr.write(`Unhandled rejection: ${errorMessage(reason)}\n`);
      });
      const result = await started.done;
      process.exit(result.exitCode);
    })
    .catch((error: unknown) => {
      if (error instanceof ConfigValidationError) {
        process.stderr.write(`${error.message}\n`);
      } else {
        process.stderr.write(`Connector failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
      }
      process.exit(1);
    });
}
