/** `npm run reconcile [-- --apply] [--json] [--requests-per-minute N]` for any connector with a `ReconcileSpec`. */
import { Writable } from "node:stream";
import { ConfigValidationError } from "../config/errors.js";
import { configSearchDirs } from "../config/sources.js";
import type { NamespaceSchema } from "../config/types.js";
import type { StreamEventHandler } from "../runtime/plugin.js";
import type { ProgressDisplayOptions } from "../runtime/progress.js";
import { reportJson, reportText } from "./report.js";
import { runReconcile } from "./run.js";
import type { ReconcileNames, ReconcileSpec } from "./spec.js";

/** Exit codes: in sync or repaired, error, bad usage, drift found by a dry run. */
export const RECONCILE_EXIT = { inSync: 0, error: 1, usage: 2, drift: 3 } as const;

/** What the command reads and writes (the process's in `reconcileMain`; tests capture them). */
export interface ReconcileIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Where the progress bar is drawn when a terminal (default: plain lines on `err`). */
  readonly progress?: ProgressDisplayOptions["stream"];
}

export const reconcileUsage = (
  n: ReconcileNames,
  rpm?: number,
): string => `Usage: npm run reconcile [-- --apply] [--json] [--requests-per-minute N]

Compares what OpenCTI's live stream holds (its recovery snapshot, through the connector's own mapping) with the
${n.items} of this connector's source in ${n.target}, and reports the drift: missing ${n.items}, orphans, duplicates
and stale fields. ${n.items} of other sources are never touched. Without --apply it is read-only: nothing is created
or deleted. OpenCTI is only read (no registration, no ping). Configuration as for npm start (environment
variables, then config.yml, then .env, in the current directory, the connector directory or its src/).

  --apply                    repair: create what is missing, delete orphans and duplicates by ${n.id}, replace stale
                             ${n.items} (the old record deleted, then the current one created)
  --json                     print the report as JSON (logs go to stderr)
  --requests-per-minute N    pace of ${n.target} requests (default ${rpm ?? "the connector's setting"}; 0 = unpaced)

Exit code: 0 in sync or repaired, 3 drift found by a dry run, 1 error, 2 bad usage.
`;

interface Args {
  readonly help: boolean;
  readonly json: boolean;
  readonly apply: boolean;
  readonly requestsPerMinute?: number;
}

class UsageError extends Error {}

function parse(argv: readonly string[]): Args {
  const flags = new Set<string>();
  let rpm: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const [name, inline] = arg.startsWith("--") ? [arg.slice(2).split("=")[0], arg.split("=")[1]] : [undefined];
    if (arg === "-h" || name === "help" || name === "json" || name === "apply") flags.add(name ?? "help");
    else if (name === "requests-per-minute") {
      rpm = inline ?? argv[++i];
      if (rpm === undefined || !/^\d+$/.test(rpm)) {
        throw new UsageError(`--requests-per-minute must be a whole number (got ${JSON.stringify(rpm ?? "")})`);
      }
    } else if (name !== undefined) throw new UsageError(`unknown option --${name}`);
    else throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
  }
  const args = { help: flags.has("help"), json: flags.has("json"), apply: flags.has("apply") };
  return rpm === undefined ? args : { ...args, requestsPerMinute: Number(rpm) };
}

export async function reconcileCommand<S extends NamespaceSchema, R, H extends StreamEventHandler, P, Rec>(
  spec: ReconcileSpec<S, R, H, P, Rec>,
  argv: readonly string[],
  io: ReconcileIo & { readonly packageDir?: string },
  signal?: AbortSignal,
): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${reconcileUsage(spec.names, spec.requestsPerMinute)}`);
    return RECONCILE_EXIT.usage;
  }
  if (args.help) {
    io.out(reconcileUsage(spec.names, spec.requestsPerMinute));
    return RECONCILE_EXIT.inSync;
  }
  const rpm = args.requestsPerMinute ?? spec.requestsPerMinute;
  try {
    const report = await runReconcile(spec, {
      env: io.env,
      searchDirs: configSearchDirs(io.packageDir, io.cwd),
      apply: args.apply,
      progress: io.progress ?? { write: io.err },
      logStream: new Writable({
        write(chunk, _encoding, done) {
          io.err(String(chunk));
          done();
        },
      }),
      ...(rpm !== undefined ? { requestsPerMinute: rpm } : {}),
      ...(signal ? { signal } : {}),
    });
    io.out(args.json ? reportJson(report, spec.names) : reportText(report, spec.names));
    return report.inSync || report.repair !== undefined ? RECONCILE_EXIT.inSync : RECONCILE_EXIT.drift;
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      io.err(`${error.message}\n\nThe configuration is NOT valid: check it with npm run config:check.\n`);
    } else {
      io.err(`reconcile failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return RECONCILE_EXIT.error;
  }
}

/**
 * The process entry (`dist/reconcile/cli.js`): argv, environment and working directory of the process; the
 * progress bar on stderr (stdout may be the JSON report); Ctrl-C stops the run.
 */
export function reconcileMain<S extends NamespaceSchema, R, H extends StreamEventHandler, P, Rec>(
  spec: ReconcileSpec<S, R, H, P, Rec>,
  packageDir: string,
): void {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  process.once("SIGTERM", () => controller.abort());
  const io = {
    out: (text: string) => process.stdout.write(text),
    err: (text: string) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    progress: process.stderr,
    packageDir,
  };
  reconcileCommand(spec, process.argv.slice(2), io, controller.signal).then(
    (code) => {
      process.exitCode = code;
      // Everything the run started is stopped by now; should a stray handle keep the loop alive, do not hang.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`reconcile failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
      process.exitCode = 1;
    },
  );
}
