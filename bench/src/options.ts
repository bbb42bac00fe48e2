/**
 * The benchmark's options: every size and rate can be set on the command line; `--quick` picks sizes that fit
 * in about a minute. See `USAGE`.
 */
import { parseArgs } from "node:util";

export const SECTIONS = ["backfill", "live", "rate-limited", "baseline", "memory", "churn", "reconcile"] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  /** Events waiting in the stream for the backfill section. */
  readonly backfill: number;
  /** Live section: events published per second, for `liveSeconds`. */
  readonly liveRate: number;
  readonly liveSeconds: number;
  /** Events of the rate-limited section (SentinelOne at `rateLimitRpm` requests per minute, 429 + Retry-After). */
  readonly rateLimited: number;
  readonly rateLimitRpm: number;
  /** Token-bucket capacity of the rate-limited SentinelOne (undefined: the simulator's default, = the rate). */
  readonly rateLimitBurst: number | undefined;
  /** Events of the baseline section (batch size 1, 200 ms per push). */
  readonly baseline: number;
  /** Latency (ms) of every SentinelOne answer in the baseline: the original connector's pause after each push. */
  readonly baselinePauseMs: number;
  /** Backfill sizes of the memory-scaling section. */
  readonly memory: readonly number[];
  /** Churn section: indicators created live, then updated twice, a third revoked, a third given a later valid_until. */
  readonly churn: number;
  /** Requests per minute of the churn section's SentinelOne. */
  readonly churnRpm: number;
  /** Its bucket capacity (undefined: = the rate). */
  readonly churnBurst: number | undefined;
  /** Seconds after the churn's publication when the run stops and reports "not settled". */
  readonly churnDeadlineSeconds: number;
  /** SIGKILLs of the connector in the second churn run (0: no second run). */
  readonly churnKills: number;
  /** Reconcile section: N indicators against N IOCs with issue 12's drift mix (dry run, --apply, dry run). */
  readonly reconcile: number;
  /** Requests per minute of the reconcile section's SentinelOne (and the command's pace). */
  readonly reconcileRpm: number;
  /** Sections to run, in the order of `SECTIONS`. */
  readonly only: readonly Section[];
  /** `SENTINELONE_INTEL_BATCH_SIZE` of every section but the baseline (undefined: the connector's default). */
  readonly batchSize: number | undefined;
  /** Also run a profiled backfill (`node --cpu-prof` on the connector and both simulators) and summarise it. */
  readonly profile: boolean;
  /** Events of the profiled backfill (default: `backfill`). */
  readonly profileSize: number | undefined;
  /** Build the packages before running (`npx tsc -p <pkg>/tsconfig.build.json`); `npm run bench` builds with turbo. */
  readonly build: boolean;
  /** Where `latest.json`, logs and profiles go (default `bench/results`). */
  readonly resultsDir: string | undefined;
  /** Extra environment of every connector process (`--connector-env KEY=VALUE`, repeatable): experiments. */
  readonly connectorEnv: Readonly<Record<string, string>>;
  /** Another build of the connector to run instead of `connectors/sentinelone-intel/dist/main.js` (experiments). */
  readonly connectorMain: string | undefined;
  /** Extra `node` flags of every connector process (`--connector-node-flag`, repeatable): experiments. */
  readonly connectorNodeFlags: readonly string[];
  /** Run the connector with the node flags of the root `npm start` script (what users run). */
  readonly deployed: boolean;
  /** Milliseconds between two polls of the simulators / `/proc` (default 50). */
  readonly pollMs: number;
  readonly quick: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  backfill: 100_000,
  liveRate: 500,
  liveSeconds: 30,
  rateLimited: 20_000,
  rateLimitRpm: 30,
  rateLimitBurst: undefined,
  baseline: 500,
  baselinePauseMs: 200,
  memory: [10_000, 100_000, 1_000_000],
  churn: 10_000,
  churnRpm: 30,
  churnBurst: undefined,
  churnDeadlineSeconds: 300,
  churnKills: 3,
  reconcile: 100_000,
  reconcileRpm: 30,
  only: SECTIONS,
  batchSize: undefined,
  profile: false,
  profileSize: undefined,
  build: false,
  resultsDir: undefined,
  connectorEnv: {},
  connectorMain: undefined,
  connectorNodeFlags: [],
  deployed: true,
  pollMs: 50,
  quick: false,
};

/**
 * About a minute on two cores. The rate-limited section keeps 30 requests/minute but a bucket of 2, so it still
 * meets 429s with a handful of requests.
 */
export const QUICK_OPTIONS: Partial<BenchOptions> = {
  backfill: 5_000,
  liveRate: 500,
  liveSeconds: 5,
  rateLimited: 2_000,
  rateLimitBurst: 2,
  baseline: 20,
  memory: [2_000, 5_000, 20_000],
  churn: 300,
  churnDeadlineSeconds: 30,
  reconcile: 2_000,
  reconcileRpm: 6_000,
  quick: true,
};

export const USAGE = `usage: npm run bench -- [options]
  --backfill <n>          events waiting in the stream from 0-0 (default 100000)
  --live-rate <n>         live section: events published per second (default 500)
  --live-seconds <n>      live section: how long (default 30)
  --rate-limited <n>      events synced against a SentinelOne limited to --rate-limit-rpm (default 20000)
  --rate-limit-rpm <n>    requests per minute of the limited SentinelOne (default 30)
  --rate-limit-burst <n>  its bucket capacity (default: = the rate; --quick uses 2)
  --baseline <n>          events of the original design's run: batch size 1, 200 ms per push (default 500)
  --baseline-pause <ms>   the pause after each push in the baseline (default 200)
  --memory <n,n,…>        backfill sizes of the memory-scaling section (default 10000,100000,1000000)
  --churn <n>             churn section: indicators created live, two score updates each, then a third revoked
                          and a third given a later valid_until (default 10000)
  --churn-rpm <n>         requests per minute of the churn section's SentinelOne (default 30)
  --churn-burst <n>       its bucket capacity (default: = the rate)
  --churn-deadline <s>    seconds after the churn is published before reporting "not settled" (default 300)
  --churn-kills <n>       SIGKILLs of the connector in the second churn run, 0 to skip that run (default 3)
  --reconcile <n>         reconcile section: n indicators against n IOCs with issue 12's drift (10 % removed,
                          5 % duplicated, 5 % other validUntil, 50 orphans, 50 of another source); npm run
                          reconcile as a dry run, then --apply, then a dry run (default 100000)
  --reconcile-rpm <n>     requests per minute of its SentinelOne and of the command (default 30)
  --only <s,s,…>          sections: ${SECTIONS.join(",")} (default: all); "profile" adds --profile
  --batch-size <n>        SENTINELONE_INTEL_BATCH_SIZE outside the baseline (default: the connector's default)
  --profile               also run a profiled backfill (node --cpu-prof on the connector and both simulators)
  --profile-size <n>      events of the profiled backfill (default: --backfill)
  --build                 build the SDK and the connector first (npx tsc)
  --results <dir>         where latest.json, logs and profiles go (default bench/results)
  --connector-env K=V     extra environment of every connector process, repeatable (experiments, e.g.
                          CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT=2000 or NODE_OPTIONS=--max-old-space-size=64);
                          {workdir} in a value is the run's own directory, kept across the churn's restarts
  --deployed              run the connector with the node flags of the root \`npm start\` script (the default)
  --bare                  run the connector with Node's default heap sizing instead (no \`npm start\` flags)
  --connector-node-flag=F extra node flag of every connector process, repeatable (e.g. =--trace-gc)
  --connector-main <file> run this build of the connector instead of connectors/sentinelone-intel/dist/main.js
  --poll-ms <n>           polling period of the simulators and /proc (default 50)
  --quick                 small sizes, about a minute in all (explicit options still win)
  --help`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

function integer(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.replace(/_/g, "");
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min} (got ${JSON.stringify(raw)})`);
  }
  return Number(text);
}

function sizes(name: string, raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) throw new UsageError(`--${name} needs at least one size`);
  return list.map((s) => integer(name, s, 1)!);
}

/** `--only` (`profile` may be listed too: it turns `--profile` on). */
function sections(raw: string | undefined): { only: Section[]; profile: boolean } | undefined {
  if (raw === undefined) return undefined;
  const wanted = new Set<string>();
  let profile = false;
  for (const part of raw.split(",")) {
    const name = part.trim().toLowerCase().replace(/_/g, "-");
    if (name === "") continue;
    if (name === "profile") {
      profile = true;
      continue;
    }
    const canonical = name === "ratelimited" || name === "rate" ? "rate-limited" : name;
    if (!(SECTIONS as readonly string[]).includes(canonical)) {
      throw new UsageError(`--only: unknown section ${JSON.stringify(part)} (sections: ${SECTIONS.join(", ")})`);
    }
    wanted.add(canonical);
  }
  if (wanted.size === 0 && !profile) throw new UsageError("--only needs at least one section");
  return { only: SECTIONS.filter((s) => wanted.has(s)), profile };
}

function envPairs(raw: readonly string[] | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const env: Record<string, string> = {};
  for (const pair of raw) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new UsageError(`--connector-env needs KEY=VALUE (got ${JSON.stringify(pair)})`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** `undefined` when `--help` was asked for. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | undefined {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        backfill: { type: "string" },
        "live-rate": { type: "string" },
        "live-seconds": { type: "string" },
        "rate-limited": { type: "string" },
        "rate-limit-rpm": { type: "string" },
        "rate-limit-burst": { type: "string" },
        baseline: { type: "string" },
        "baseline-pause": { type: "string" },
        memory: { type: "string" },
        churn: { type: "string" },
        "churn-rpm": { type: "string" },
        "churn-burst": { type: "string" },
        "churn-deadline": { type: "string" },
        "churn-kills": { type: "string" },
        reconcile: { type: "string" },
        "reconcile-rpm": { type: "string" },
        only: { type: "string" },
        "batch-size": { type: "string" },
        profile: { type: "boolean" },
        "profile-size": { type: "string" },
        build: { type: "boolean" },
        results: { type: "string" },
        "connector-env": { type: "string", multiple: true },
        "connector-main": { type: "string" },
        "connector-node-flag": { type: "string", multiple: true },
        deployed: { type: "boolean" },
        bare: { type: "boolean" },
        "poll-ms": { type: "string" },
        quick: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return undefined;
  const str = (key: string): string | undefined => (typeof v[key] === "string" ? (v[key] as string) : undefined);
  const base: BenchOptions = v.quick ? { ...DEFAULT_OPTIONS, ...QUICK_OPTIONS } : DEFAULT_OPTIONS;
  const only = sections(str("only"));
  const explicit: Partial<Record<keyof BenchOptions, unknown>> = {
    backfill: integer("backfill", str("backfill"), 1),
    liveRate: integer("live-rate", str("live-rate"), 1),
    liveSeconds: integer("live-seconds", str("live-seconds"), 1),
    rateLimited: integer("rate-limited", str("rate-limited"), 1),
    rateLimitRpm: integer("rate-limit-rpm", str("rate-limit-rpm"), 1),
    rateLimitBurst: integer("rate-limit-burst", str("rate-limit-burst"), 1),
    baseline: integer("baseline", str("baseline"), 1),
    baselinePauseMs: integer("baseline-pause", str("baseline-pause"), 0),
    memory: sizes("memory", str("memory")),
    churn: integer("churn", str("churn"), 1),
    churnRpm: integer("churn-rpm", str("churn-rpm"), 1),
    churnBurst: integer("churn-burst", str("churn-burst"), 1),
    churnDeadlineSeconds: integer("churn-deadline", str("churn-deadline"), 1),
    churnKills: integer("churn-kills", str("churn-kills"), 0),
    reconcile: integer("reconcile", str("reconcile"), 20),
    reconcileRpm: integer("reconcile-rpm", str("reconcile-rpm"), 1),
    only: only?.only,
    batchSize: integer("batch-size", str("batch-size"), 1),
    profile: v.profile === true || only?.profile === true ? true : undefined,
    profileSize: integer("profile-size", str("profile-size"), 1),
    build: v.build === true ? true : undefined,
    resultsDir: str("results"),
    connectorMain: str("connector-main"),
    connectorNodeFlags: v["connector-node-flag"] as string[] | undefined,
    deployed: v.bare === true ? false : v.deployed === true ? true : undefined,
    connectorEnv: envPairs(v["connector-env"] as unknown as string[] | undefined),
    pollMs: integer("poll-ms", str("poll-ms"), 5),
  };
  const options: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(explicit)) if (value !== undefined) options[key] = value;
  return options as unknown as BenchOptions;
}

/** The command line that reproduces `options` (recorded with the results). */
export function commandLine(argv: readonly string[]): string {
  const quoted = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`));
  return ["npm run bench", ...(quoted.length > 0 ? ["--", ...quoted] : [])].join(" ");
}
