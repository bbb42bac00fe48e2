/**
 * Shared machinery of the fault suite: sizes (short in `npm test`, full under `FAULTS_FULL=1`), the distinctive
 * secrets every scenario uses, both simulators, the connector run in-process (`startConnector`) or as a real
 * process (`node dist/main.js`, for SIGKILL / SIGTERM), output capture for the secrets check, and the rows of the
 * end-of-run table (`task.meta.faults`, printed by `faults/table-reporter.ts`).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import {
  type ConnectorRun,
  compareStreamIds,
  parseState,
  type StartOptions,
  type StreamEventHandler,
  startConnector,
} from "@octi/connector-sdk";
import { OpenCtiSimulator } from "@octi/connector-sdk-testing";
import { afterAll, afterEach, expect } from "vitest";
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_GROUP_ID,
  DEFAULT_SITE_ID,
  SentinelOneSimulator,
  type SentinelOneSimulatorOptions,
} from "../../dev/simulator/index.js";
import type { SentinelOneIntelHandler } from "../../src/handler.js";
import { plugin } from "../../src/index.js";
import type { FeedStep } from "./feed.js";
import { type CompareOptions, compareIocs, ExpectedIocs, type OracleReport } from "./oracle.js";
import { type FaultRow, formatTable } from "./table.js";

export { type FaultRow, formatTable } from "./table.js";

// ------------------------------------------------------------------------------------------------ sizes

/** `FAULTS_FULL=1`: the full sizes (`npm run test:faults`); otherwise the short ones of the normal suite. */
export const FULL = process.env.FAULTS_FULL === "1";

export function sized(short: number, full: number): number {
  return FULL ? full : short;
}

/** Test timeout for a scenario: generous, the machine is shared. */
export function budget(shortMs: number, fullMs: number): number {
  return FULL ? fullMs : shortMs;
}

/** The seed of this run (`FAULTS_SEED` to replay one); printed in each row's notes. */
export const SEED = process.env.FAULTS_SEED ?? `faults-${Date.now().toString(36)}`;

// ------------------------------------------------------------------------------------------------ secrets

/** Distinctive secrets: mixed case, so the case-insensitive search also catches re-cased copies. */
export const SECRETS = {
  opencti: "OctiTok3n-Fau1ts-5EcReT-4c9e7b21d0",
  sentinelOne: "S1ApiK3y-Fau1ts-5EcReT-90d7a3f8e2",
} as const;

export const STREAM_ID = "faults-live-stream";

/** The outputs (logs, stdout, stderr, dead-letter files) a test file produced; checked for secrets. */
export interface Output {
  readonly name: string;
  readonly text: () => string;
}

export const outputs: Output[] = [];
const deadLetterDirs: string[] = [];

/** Every occurrence of a secret, any case, bare or URL-encoded (an `APIToken ` prefix contains the bare one). */
export function findSecrets(text: string): string[] {
  const lower = text.toLowerCase();
  const found: string[] = [];
  for (const [name, secret] of Object.entries(SECRETS)) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      let at = lower.indexOf(form.toLowerCase());
      while (at >= 0) {
        found.push(`${name} at ${at}: …${text.slice(Math.max(0, at - 60), at + form.length + 20)}…`);
        at = lower.indexOf(form.toLowerCase(), at + 1);
      }
    }
  }
  return found;
}

/** Secrets found in every registered output and every dead-letter file written so far. */
export function leakedSecrets(): string[] {
  const leaks: string[] = [];
  for (const output of outputs) for (const leak of findSecrets(output.text())) leaks.push(`${output.name}: ${leak}`);
  for (const dir of deadLetterDirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      const path = join(dir, file);
      for (const leak of findSecrets(readFileSync(path, "utf8"))) leaks.push(`${path}: ${leak}`);
    }
  }
  return leaks;
}

/** Bytes of every registered output (to show the check saw something). */
export function outputBytes(): number {
  return outputs.reduce((sum, o) => sum + o.text().length, 0);
}

// ------------------------------------------------------------------------------------------------ logs

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly attributes?: Record<string, unknown>;
}

/** JSON log lines of a text (non-JSON lines, e.g. Node warnings, are skipped). */
export function parseLogLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a partial last line
    }
  }
  return out;
}

/** Collects what an in-process run logs; registered as an output for the secrets check. */
export class LogCapture {
  readonly stream = new PassThrough();
  private chunks: string[] = [];
  private joined: string | undefined;

  constructor(name: string) {
    this.stream.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk.toString("utf8"));
      this.joined = undefined;
    });
    outputs.push({ name: `log of ${name}`, text: () => this.raw });
  }

  get raw(): string {
    this.joined ??= this.chunks.join("");
    return this.joined;
  }

  lines(): LogLine[] {
    return parseLogLines(this.raw);
  }

  count(message: string | RegExp): number {
    return this.lines().filter((l) => (typeof message === "string" ? l.message === message : message.test(l.message)))
      .length;
  }
}

/** Polls until `check` returns a truthy value. Tests wait on outcomes, never on fixed sleeps. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string | (() => string),
  timeoutMs = 30_000,
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    }
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------------------------------------ simulators

export interface Sims {
  readonly octi: OpenCtiSimulator;
  readonly s1: SentinelOneSimulator;
  stop(): Promise<void>;
}

/** Simulators started by the current test, stopped by the hooks of `useScenarioHooks`. */
const openSims = new Set<Sims>();

/**
 * The hooks every scenario file needs: after each test, stop its in-process runs, connector processes, the
 * `cleanups` it registered (proxies…) and its simulators; after all, print the file's rows and check that no
 * secret of any run leaked into what was captured.
 */
export function useScenarioHooks(cleanups: (() => Promise<void>)[] = []): void {
  afterEach(async () => {
    await stopInProcessRuns();
    await killProcesses();
    for (const close of cleanups.splice(0).reverse()) await close();
    for (const sims of [...openSims]) await sims.stop();
  });
  afterAll(() => {
    printFileRows();
    expect(leakedSecrets()).toEqual([]);
  });
}

export async function startSims(
  options: {
    s1?: SentinelOneSimulatorOptions;
    octiPort?: number;
    startOcti?: boolean;
    /** OpenCTI's idle heartbeats move to `<now>-0` (a recovery snapshot's end shows on an idle stream). */
    idleHeartbeatsAdvance?: boolean;
  } = {},
): Promise<Sims> {
  const octi = new OpenCtiSimulator({
    token: SECRETS.opencti,
    streams: [{ id: STREAM_ID }],
    heartbeatIntervalMs: 200,
    idleHeartbeatsAdvance: options.idleHeartbeatsAdvance ?? false,
  });
  if (options.startOcti !== false) await octi.start(options.octiPort ?? 0);
  const s1 = new SentinelOneSimulator({
    tokens: {
      [SECRETS.sentinelOne]: {
        user: "faults@example.com",
        scope: "account",
        accountIds: [DEFAULT_ACCOUNT_ID],
        siteIds: [DEFAULT_SITE_ID],
        groupIds: [DEFAULT_GROUP_ID],
      },
    },
    ...options.s1,
  });
  await s1.start();
  const sims: Sims = {
    octi,
    s1,
    async stop() {
      openSims.delete(sims);
      await s1.stop();
      await octi.stop();
    },
  };
  openSims.add(sims);
  return sims;
}

export interface PublishedFeed {
  readonly ids: string[];
  readonly expected: ExpectedIocs;
  /** Index in the feed of the last step that set each externalId's IOCs (for the replay-window check). */
  readonly lastTouch: Map<string, number>;
  readonly lastId: string;
}

/** Publishes the steps on the stream and replays their oracle changes. */
export function publishFeed(octi: OpenCtiSimulator, steps: readonly FeedStep[], into?: PublishedFeed): PublishedFeed {
  const feed: PublishedFeed = into ?? { ids: [], expected: new ExpectedIocs(), lastTouch: new Map(), lastId: "" };
  for (const step of steps) {
    const id = octi.publish(step.event, STREAM_ID);
    const index = feed.ids.length;
    feed.ids.push(id);
    feed.expected.apply(step.changes);
    for (const change of step.changes ?? []) feed.lastTouch.set(change.externalId, index);
  }
  return { ...feed, lastId: feed.ids[feed.ids.length - 1] ?? "" };
}

export const OUR_SOURCE = "OpenCTI";

export function compare(feed: { expected: ExpectedIocs }, s1: SentinelOneSimulator, options?: CompareOptions) {
  return compareIocs(feed.expected, s1.iocs(), { source: OUR_SOURCE, ...options });
}

// ------------------------------------------------------------------------------------------------ config

export interface EnvOptions {
  readonly octiUrl: string;
  readonly s1Url: string;
  readonly connectorId?: string;
  readonly extra?: Readonly<Record<string, string>>;
}

/** A fresh directory for a run's dead-letter file; scanned for secrets at the end of the file. */
export async function deadLetterDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "octi-faults-dl-"));
  deadLetterDirs.push(dir);
  return dir;
}

/** The connector's environment, as docker-compose would set it. */
export async function connectorEnv(options: EnvOptions): Promise<Record<string, string>> {
  const dir = await deadLetterDir();
  return {
    OPENCTI_URL: options.octiUrl,
    OPENCTI_TOKEN: SECRETS.opencti,
    CONNECTOR_ID: options.connectorId ?? randomUUID(),
    CONNECTOR_LIVE_STREAM_ID: STREAM_ID,
    CONNECTOR_LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? "info",
    CONNECTOR_STATE_PING_INTERVAL: "1",
    CONNECTOR_SHUTDOWN_TIMEOUT: "10",
    CONNECTOR_LIVE_STREAM_RECONNECT_MAX_DELAY: "1",
    SENTINELONE_INTEL_API_URL: options.s1Url,
    SENTINELONE_INTEL_API_KEY: `APIToken ${SECRETS.sentinelOne}`,
    SENTINELONE_INTEL_ACCOUNT_ID: DEFAULT_ACCOUNT_ID,
    SENTINELONE_INTEL_BATCH_SIZE: "50",
    SENTINELONE_INTEL_BATCH_FLUSH_INTERVAL: "20",
    SENTINELONE_INTEL_RETRY_MAX_DELAY: "1",
    SENTINELONE_INTEL_REQUEST_TIMEOUT: "5",
    SENTINELONE_INTEL_DEAD_LETTER_PATH: join(dir, "dead-letter.jsonl"),
    // Not under the dead-letter directory: that one is scanned for secrets file by file.
    SENTINELONE_INTEL_DATA_DIR: await mkdtemp(join(tmpdir(), "octi-faults-data-")),
    ...options.extra,
  };
}

// ------------------------------------------------------------------------------------------------ in-process runs

export interface InProcessRun {
  readonly run: ConnectorRun;
  readonly logs: LogCapture;
  /** Items (IOCs + deletes) queued for SentinelOne. */
  pending(): number;
  /** The SDK's in-flight gauge (received, not acknowledged). */
  inFlight(): Promise<number>;
  /** Resolved once `done` settled (a fatal error or a stop). */
  ended(): boolean;
}

const runs: ConnectorRun[] = [];

export async function startInProcess(
  name: string,
  env: Record<string, string>,
  options: Omit<StartOptions, "env" | "logStream" | "searchDirs"> & {
    /** Puts a handler around the connector's (fault injection). */
    readonly wrap?: (real: StreamEventHandler) => StreamEventHandler;
  } = {},
): Promise<InProcessRun> {
  const logs = new LogCapture(name);
  const { wrap, ...startOptions } = options;
  let real: SentinelOneIntelHandler | undefined;
  const createHandler = (ctx: Parameters<typeof plugin.createHandler>[0]): StreamEventHandler => {
    real = plugin.createHandler(ctx);
    return wrap ? wrap(real) : real;
  };
  const run = await startConnector(
    { ...plugin, createHandler },
    { env, searchDirs: [], logStream: logs.stream, retryBaseMs: 100, ...startOptions },
  );
  runs.push(run);
  let ended = false;
  void run.done.then(() => {
    ended = true;
  });
  return {
    run,
    logs,
    pending: () => real?.pendingCount ?? 0,
    inFlight: async () => (await run.metrics.sdk.inFlight.get()).values[0]?.value ?? 0,
    ended: () => ended,
  };
}

/** Stops every in-process run still going (afterEach / afterAll). */
export async function stopInProcessRuns(): Promise<void> {
  for (const run of runs.splice(0)) await run.stop("test end");
}

/** The `start_from` OpenCTI stored for a connector (what a restart resumes from). */
export function storedStartFrom(octi: OpenCtiSimulator, connectorId: string): string | undefined {
  const state = parseState(octi.connector(connectorId)?.state ?? null);
  const from = state?.start_from;
  return typeof from === "string" ? from : undefined;
}

/** True once OpenCTI stored a position at or after `lastId` (every event up to it was acknowledged). */
export function storedAtOrAfter(octi: OpenCtiSimulator, connectorId: string, lastId: string): boolean {
  const stored = storedStartFrom(octi, connectorId);
  return stored !== undefined && compareStreamIds(stored, lastId) >= 0;
}

/**
 * Waits until every event is handled: OpenCTI stored a position at or after the last event (an event is
 * acknowledged only once SentinelOne has all its operations). A heartbeat may carry a later id than the last event.
 */
export async function waitUntilDelivered(
  octi: OpenCtiSimulator,
  connectorId: string,
  lastId: string,
  what: string,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    () => storedAtOrAfter(octi, connectorId, lastId),
    () => `${what}: stored start_from ${storedStartFrom(octi, connectorId)} to reach ${lastId}`,
    timeoutMs,
    50,
  );
}

/** No recovery snapshot on a first start: the whole history (updates and deletes included) is replayed. */
export const REPLAY_HISTORY = { CONNECTOR_LIVE_STREAM_RECOVER_ISO_DATE: "1970-01-01T00:00:00Z" } as const;

// ------------------------------------------------------------------------------------------------ real processes

const here = fileURLToPath(new URL(".", import.meta.url));
export const REPO_ROOT = join(here, "../../../..");
const CONNECTOR_DIR = join(REPO_ROOT, "connectors/sentinelone-intel");
/** `FAULTS_CONNECTOR_MAIN` runs another build (e.g. a deliberately broken scratch copy). */
export const CONNECTOR_MAIN = process.env.FAULTS_CONNECTOR_MAIN ?? join(CONNECTOR_DIR, "dist/main.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isBuilt(): boolean {
  if (process.env.FAULTS_CONNECTOR_MAIN) return existsSync(CONNECTOR_MAIN);
  const outputs = [CONNECTOR_MAIN, join(REPO_ROOT, "connector-sdk/dist/index.js")];
  if (!outputs.every((p) => existsSync(p))) return false;
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const sources = Math.max(newestMtime(join(REPO_ROOT, "connector-sdk/src")), newestMtime(join(CONNECTOR_DIR, "src")));
  return built >= sources;
}

function tsc(project: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", project],
      { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`tsc -p ${project} failed:\n${stdout}${stderr}`)) : resolve(),
    );
  });
}

/**
 * Builds the SDK and the connector when `dist` is missing or older than the sources (`npm test` builds first through
 * turbo, so this is a no-op there). A lock directory keeps two test files from building at once.
 */
export async function ensureBuilt(): Promise<void> {
  if (isBuilt()) return;
  const lock = join(tmpdir(), "octi-faults-build.lock");
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(200);
      if (isBuilt()) return;
    }
  }
  try {
    if (!isBuilt()) {
      await tsc("connector-sdk/tsconfig.build.json");
      await tsc("connectors/sentinelone-intel/tsconfig.build.json");
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

/** `node dist/main.js` with only the given environment (nothing inherited but PATH). */
export class ConnectorProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  exit: ProcessExit | undefined;
  private out = "";
  private err = "";

  constructor(
    readonly name: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [CONNECTOR_MAIN], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (chunk: Buffer) => {
      this.out += chunk.toString("utf8");
    });
    this.child.stderr!.on("data", (chunk: Buffer) => {
      this.err += chunk.toString("utf8");
    });
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exit = { code, signal, at: Date.now() };
        resolve(this.exit);
      });
    });
    outputs.push({ name: `stdout of ${name}`, text: () => this.out });
    outputs.push({ name: `stderr of ${name}`, text: () => this.err });
    processes.push(this);
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  lines(): LogLine[] {
    return parseLogLines(this.err);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exit === undefined) this.child.kill(signal);
  }
}

const processes: ConnectorProcess[] = [];

/** SIGKILLs every connector process a test left running. */
export async function killProcesses(): Promise<void> {
  for (const p of processes.splice(0)) {
    if (p.exit === undefined) {
      p.kill("SIGKILL");
      await p.exited;
    }
  }
}

/** A TCP port that was free a moment ago (for "OpenCTI absent at start-up"). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------------------------------------ table rows

const fileRows: FaultRow[] = [];

/** Attaches the row to the test (`task.meta.faults`, read by the table reporter) and keeps it for this file. */
export function recordRow(task: { meta: object }, row: FaultRow): void {
  const meta = task.meta as { faults?: FaultRow[] };
  meta.faults = [...(meta.faults ?? []), row];
  fileRows.push(row);
}

export function rowFrom(
  scenario: string,
  events: number,
  report: OracleReport,
  crashes: number,
  startedAt: number,
  notes?: string,
): FaultRow {
  return {
    scenario,
    events,
    lost: report.lost.length,
    duplicates: report.duplicates,
    unexpected: report.unexpected.length,
    crashes,
    timeMs: Date.now() - startedAt,
    ...(notes ? { notes } : {}),
  };
}

/**
 * A row for a scenario whose check is not the IOC oracle (leaks, refusals, parser timings): its own assertions
 * decide; the lost / duplicates / unexpected columns stay 0 because nothing was compared.
 */
export function plainRow(scenario: string, events: number, startedAt: number | undefined, notes: string): FaultRow {
  return {
    scenario,
    events,
    lost: 0,
    duplicates: 0,
    unexpected: 0,
    crashes: 0,
    timeMs: startedAt === undefined ? 0 : Date.now() - startedAt,
    notes,
  };
}

/** Without the faults reporter (plain `vitest run test/faults` with FAULTS_FULL=1), each file prints its own rows. */
export function printFileRows(): void {
  if (fileRows.length === 0 || process.env.FAULTS_REPORTER === "1") return;
  if (!FULL && process.env.FAULTS_TABLE !== "1") return;
  console.log(`\n${formatTable(fileRows)}\n`);
}
