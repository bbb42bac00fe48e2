/** `npm run reconcile [-- --apply] [--json]`: drift between OpenCTI's live stream and SentinelOne (see run.ts). */
import { Writable } from "node:stream";
import { ConfigValidationError } from "@octi/connector-sdk";
import { type CliIo, parseArgs, UsageError } from "../tools/args.js";
import { runSearchDirs } from "../tools/paths.js";
import { reportJson, reportText } from "./report.js";
import { runReconcile } from "./run.js";

/** Exit codes: in sync, drift found by a dry run, error, bad usage. */
export const EXIT = { inSync: 0, error: 1, usage: 2, drift: 3 } as const;

export const RECONCILE_USAGE = `Usage: npm run reconcile [-- --apply] [--json] [--requests-per-minute N]

Compares what OpenCTI's live stream holds (its recovery snapshot, through the connector's own mapping) with the
IOCs of this connector's source in the SentinelOne scope, and reports the drift: missing IOCs, orphans, duplicates
and stale fields (validUntil, name, description, score, labels). IOCs of other sources are never touched. Without
--apply it is read-only: nothing is created or deleted. OpenCTI is only read (no registration, no ping).
Configuration as for npm start (environment variables, then config.yml, then .env, in the current directory, the
connector directory or its src/).

  --apply                    repair: create what is missing, delete orphans and duplicates by uuid, replace stale
                             IOCs (created first, then the old record deleted)
  --json                     print the report as JSON (logs go to stderr)
  --requests-per-minute N    pace of SentinelOne requests (default 30, SentinelOne's documented limit; 0 = unpaced)

Exit code: 0 in sync or repaired, 3 drift found by a dry run, 1 error, 2 bad usage.
`;

export async function reconcileCli(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  let json: boolean;
  let apply: boolean;
  let requestsPerMinute: number;
  try {
    const args = parseArgs(argv, { flags: ["json", "apply"], values: ["requests-per-minute"] });
    if (args.flags.has("help")) {
      io.out(RECONCILE_USAGE);
      return 0;
    }
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    json = args.flags.has("json");
    apply = args.flags.has("apply");
    const raw = args.values["requests-per-minute"];
    if (raw !== undefined && !/^\d+$/.test(raw)) {
      throw new UsageError(`--requests-per-minute must be a whole number (got ${JSON.stringify(raw)})`);
    }
    requestsPerMinute = raw === undefined ? 30 : Number(raw);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${RECONCILE_USAGE}`);
    return EXIT.usage;
  }
  try {
    const { report, plan } = await runReconcile({
      env: io.env,
      searchDirs: runSearchDirs(io.cwd),
      requestsPerMinute,
      apply,
      progress: io.progress ?? { write: io.err },
      logStream: new Writable({
        write(chunk, _encoding, done) {
          io.err(String(chunk));
          done();
        },
      }),
      ...(signal ? { signal } : {}),
    });
    io.out(json ? reportJson(report, plan) : reportText(report));
    return report.inSync || report.repair !== undefined ? EXIT.inSync : EXIT.drift;
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      io.err(`${error.message}\n\nThe configuration is NOT valid: check it with npm run config:check.\n`);
    } else {
      io.err(`reconcile failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return EXIT.error;
  }
}
