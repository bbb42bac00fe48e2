/**
 * The shapes of the benchmark's results (`latest.json`): shared by the runner (`run.ts`), which fills them, and the
 * report (`report.ts`), which reads them, so neither imports the other's module for its types.
 */
import type { ChurnRun } from "./churn.js";
import type { BenchOptions } from "./options.js";
import type { ProfileSummary } from "./profile.js";
import type { ReconcileRun } from "./reconcile.js";
import type { BackfillRun, LiveRun } from "./scenarios.js";

export interface TargetCheck {
  readonly id: string;
  readonly description: string;
  readonly target: string;
  readonly measured: string;
  /** null: not measured in this run (section not run or failed). */
  readonly pass: boolean | null;
}

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly totalMemoryGiB: number;
  /** 1/5/15-minute load averages when the run started and ended (the machine may be shared). */
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
}

export interface ConnectorDefaults {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxPendingIocs: number;
}

export interface RateLimitedResult extends BackfillRun {
  readonly rateLimitRpm: number;
  readonly rateLimitBurst: number;
  readonly batchSize: number;
  /** 2 × (events / batch size / rpm) minutes, in seconds. */
  readonly targetSeconds: number;
}

export interface BaselineResult extends BackfillRun {
  readonly pauseMs: number;
  /** How the pause is made: the connector has no pause option, so every SentinelOne answer is delayed. */
  readonly pauseBy: string;
}

export interface ChurnResult {
  /** Without kills. */
  readonly plain?: ChurnRun;
  /** With `churnKills` SIGKILLs of the connector. */
  readonly withKills?: ChurnRun;
}

export interface ProfileResult {
  readonly run: BackfillRun;
  readonly summaries: readonly ProfileSummary[];
}

export interface BenchResults {
  readonly schema: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationSeconds: number;
  readonly command: string;
  readonly options: BenchOptions;
  readonly machine: Machine;
  readonly connectorDefaults: ConnectorDefaults;
  /** Node flags every connector process got (`--deployed`, `--connector-node-flag`). */
  readonly connectorNodeFlags: readonly string[];
  /** Variables every connector process got besides its configuration (`npm start`'s, `--connector-env`). */
  readonly connectorEnv?: Readonly<Record<string, string>>;
  readonly sections: {
    backfill?: BackfillRun;
    live?: LiveRun;
    rateLimited?: RateLimitedResult;
    baseline?: BaselineResult;
    memory?: { readonly runs: readonly BackfillRun[] };
    profile?: ProfileResult;
    churn?: ChurnResult;
    reconcile?: ReconcileRun;
  };
  readonly targets: readonly TargetCheck[];
  readonly errors: readonly { readonly section: string; readonly message: string }[];
  readonly resultsFile: string;
}
