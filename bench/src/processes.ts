/**
 * Child processes of the benchmark: both simulators (their CLIs) and the connector (`dist/main.js`). Each gets its
 * own log file; every process started here is stopped by its pid when the run ends, fails or is interrupted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, createWriteStream, openSync, readFileSync, type WriteStream } from "node:fs";

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  readonly name: string;
  /** Arguments of `node` (script first, or node flags then the script). */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** stdout and stderr go here. */
  readonly logFile: string;
  /** stdout goes here instead (not with `announce`): a command's report apart from its logs. */
  readonly stdoutFile?: string;
  /** Wait for the first stdout line, parsed as JSON (the simulators announce their URL this way). */
  readonly announce?: boolean;
  /** Milliseconds to wait for that line (default 30 s). */
  readonly announceTimeoutMs?: number;
}

const live = new Set<ManagedProcess>();

export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  exit: ExitInfo | undefined;
  private readonly child: ChildProcess;

  private constructor(
    readonly name: string,
    child: ChildProcess,
    readonly logFile: string,
  ) {
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        resolve(this.exit);
      });
    });
    live.add(this);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Starts `node <args>`; with `announce`, resolves once the first stdout line arrived (and returns it parsed). */
  static async start(options: SpawnOptions): Promise<{ process: ManagedProcess; announcement: unknown }> {
    const log: WriteStream | undefined = options.announce ? createWriteStream(options.logFile) : undefined;
    const fd = options.announce ? undefined : openSync(options.logFile, "w");
    const outFd = options.announce || options.stdoutFile === undefined ? fd : openSync(options.stdoutFile, "w");
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...options.args], {
        cwd: options.cwd,
        env: options.env,
        stdio: options.announce ? ["ignore", "pipe", "pipe"] : ["ignore", outFd!, fd!],
      });
    } finally {
      if (fd !== undefined) closeSync(fd);
      if (outFd !== undefined && outFd !== fd) closeSync(outFd);
    }
    const managed = new ManagedProcess(options.name, child, options.logFile);
    if (!options.announce || !log) return { process: managed, announcement: undefined };
    child.stderr?.pipe(log, { end: false });
    const announcement = await new Promise<unknown>((resolve, reject) => {
      let buffered = "";
      let done = false;
      const timer = setTimeout(
        () =>
          finish(new Error(`${options.name} did not announce itself within ${options.announceTimeoutMs ?? 30_000} ms`)),
        options.announceTimeoutMs ?? 30_000,
      );
      const finish = (error: Error | undefined, value?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value);
      };
      child.stdout?.on("data", (chunk: Buffer) => {
        log.write(chunk);
        if (done) return;
        buffered += chunk.toString("utf8");
        const newline = buffered.indexOf("\n");
        if (newline < 0) return;
        try {
          finish(undefined, JSON.parse(buffered.slice(0, newline)));
        } catch (error) {
          finish(
            new Error(`${options.name} announced something that is not JSON: ${buffered.slice(0, newline)} (${error})`),
          );
        }
      });
      void managed.exited.then((exit) =>
        finish(
          new Error(
            `${options.name} exited (${describeExit(exit)}) before announcing itself: ${tail(options.logFile)}`,
          ),
        ),
      );
    }).catch(async (error: unknown) => {
      await managed.stop();
      throw error;
    });
    return { process: managed, announcement };
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it exited. */
  async stop(graceMs = 15_000): Promise<ExitInfo> {
    if (this.exit) return this.exit;
    this.child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (this.running) this.child.kill("SIGKILL");
        resolve();
      }, graceMs);
    });
    const exit = await Promise.race([this.exited, killed.then(() => this.exited)]);
    clearTimeout(timer);
    return exit;
  }

  /** SIGKILL (a crash: no shutdown, no state saved); resolves once it is gone. */
  async kill(): Promise<ExitInfo> {
    if (this.exit) return this.exit;
    this.child.kill("SIGKILL");
    return this.exited;
  }

  /** The end of its log (for error messages). */
  logTail(chars = 2000): string {
    return tail(this.logFile, chars);
  }
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

function tail(file: string, chars = 2000): string {
  try {
    const text = readFileSync(file, "utf8");
    return text.length > chars ? `…${text.slice(-chars)}` : text;
  } catch {
    return "(no log)";
  }
}

/** Stops every process this module started and that still runs (by pid, one by one). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(5_000)));
}

/** Synchronous last resort (process `exit` handlers cannot wait). */
export function killAllNow(): void {
  for (const p of live) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
