/**
 * The REAL connector as a process: `node connectors/sentinelone-intel/dist/main.js`, configured only through
 * environment variables (as in production), in a scratch working directory (no stray config.yml / .env is read
 * from the current directory).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN } from "@octi/connector-sentinelone-intel/simulator";
import { BUILT } from "./paths.js";
import { ManagedProcess } from "./processes.js";
import type { OpenCtiProcess, SentinelOneProcess } from "./simulators.js";

/** The SentinelOne simulator's default API token, and the account it is scoped to. */
export const S1_API_KEY: string = DEFAULT_API_TOKEN;
export const S1_ACCOUNT_ID: string = DEFAULT_ACCOUNT_ID;

export interface ConnectorLaunch {
  readonly dir: string;
  readonly label: string;
  /** Working directory (default `dir`): a connector restarted in the same one finds its files there again. */
  readonly cwd?: string;
  /** Log file name suffix (default none): one log per process when a run restarts the connector. */
  readonly logSuffix?: string;
  readonly opencti: OpenCtiProcess;
  readonly sentinelOne: SentinelOneProcess;
  readonly batchSize?: number;
  readonly flushIntervalMs?: number;
  readonly nodeFlags?: readonly string[];
  /** Default: the built connector (`BUILT.connectorMain`). */
  readonly main?: string;
  /**
   * Any other variables (win over the ones above). `{workdir}` in a value becomes the run's own working directory
   * (`cwd`, else `<dir>/<label>-work`, created), e.g. a data directory that must not be shared between runs.
   */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

const WORKDIR = "{workdir}";

/** The run's own working directory (created). */
function workDirOf(launch: ConnectorLaunch): string {
  const dir = launch.cwd ?? join(launch.dir, `${launch.label}-work`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Variables of the parent that must not leak into the connector (its configuration, proxies). */
const STRIPPED = /^(OPENCTI_|CONNECTOR_|SENTINELONE_INTEL_|HTTPS?_PROXY$|ALL_PROXY$|NO_PROXY$|NODE_OPTIONS$)/i;

/** The parent's environment without configuration that would change what is measured. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!STRIPPED.test(key)) env[key] = value;
  env.NO_PROXY = "127.0.0.1,localhost";
  env.no_proxy = "127.0.0.1,localhost";
  return env;
}

export function connectorEnv(launch: ConnectorLaunch): NodeJS.ProcessEnv {
  const env = cleanEnv();
  Object.assign(env, {
    OPENCTI_URL: launch.opencti.url,
    OPENCTI_TOKEN: launch.opencti.token,
    CONNECTOR_ID: randomUUID(),
    CONNECTOR_NAME: `Bench ${launch.label}`,
    CONNECTOR_LIVE_STREAM_ID: launch.opencti.streamId,
    CONNECTOR_LOG_LEVEL: "error",
    SENTINELONE_INTEL_API_URL: launch.sentinelOne.url,
    SENTINELONE_INTEL_API_KEY: S1_API_KEY,
    SENTINELONE_INTEL_ACCOUNT_ID: S1_ACCOUNT_ID,
    SENTINELONE_INTEL_DEAD_LETTER_PATH: join(launch.dir, `${launch.label}-dead-letter.jsonl`),
  });
  if (launch.batchSize !== undefined) env.SENTINELONE_INTEL_BATCH_SIZE = String(launch.batchSize);
  if (launch.flushIntervalMs !== undefined) env.SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL = String(launch.flushIntervalMs);
  for (const [key, value] of Object.entries(launch.extraEnv ?? {})) {
    env[key] = value.includes(WORKDIR) ? value.replaceAll(WORKDIR, workDirOf(launch)) : value;
  }
  return env;
}

export interface RunningConnector {
  readonly process: ManagedProcess;
  /** Epoch ms just before the spawn. */
  readonly spawnedAt: number;
  /** The variables it got (the benchmark records the SENTINELONE_INTEL_* ones). */
  readonly env: NodeJS.ProcessEnv;
}

export async function startConnectorProcess(launch: ConnectorLaunch): Promise<RunningConnector> {
  const env = connectorEnv(launch);
  const spawnedAt = Date.now();
  const { process } = await ManagedProcess.start({
    name: "connector",
    args: [...(launch.nodeFlags ?? []), launch.main ?? BUILT.connectorMain],
    env,
    cwd: launch.cwd ?? launch.dir,
    logFile: join(launch.dir, `${launch.label}-connector${launch.logSuffix ?? ""}.log`),
  });
  return { process, spawnedAt, env };
}

/** The connector settings a run used (for the results). */
export function connectorSettings(
  env: NodeJS.ProcessEnv,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (
      /^SENTINELONE_INTEL_(BATCH|MAX_PENDING)|^CONNECTOR_LIVE_STREAM_MAX_IN_FLIGHT/.test(key) &&
      value !== undefined
    ) {
      out[key] = value;
    }
  }
  return { ...out, ...extra };
}
