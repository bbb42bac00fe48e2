/**
 * Measuring a process from outside, through Linux's `/proc`:
 * - `/proc/<pid>/status` `VmHWM`: the kernel's high-water mark of the resident set, i.e. the exact peak RSS since the
 *   process started (polling cannot miss a short peak); `VmRSS`: the current resident set.
 * - `/proc/<pid>/stat` fields 14 and 15 (`utime`, `stime`): CPU time in clock ticks (`getconf CLK_TCK`, 100 on Linux);
 *   the same fields of `/proc/<pid>/task/<pid>/stat`: the main thread's alone (Node's JavaScript thread; the rest
 *   is GC helpers, libuv's pool and the compiler), the one that bounds a single connector's throughput.
 * Read while the process is alive (just before it is stopped), so shutdown work is not counted.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ProcSnapshot {
  /** Peak resident set (VmHWM), bytes. */
  readonly peakRssBytes: number;
  /** Current resident set (VmRSS), bytes. */
  readonly rssBytes: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
  /** user + system. */
  readonly cpuSeconds: number;
  /** user + system of the main thread. */
  readonly mainThreadSeconds: number;
  /** When it was read (epoch ms). */
  readonly at: number;
}

let clockTicks: number | undefined;

/** `getconf CLK_TCK`, 100 when it cannot be read. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const n = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
      clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function kib(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** `utime` and `stime` (fields 14 and 15) of a `stat` file, in seconds. */
function cpuTimes(path: string): [user: number, system: number] {
  const stat = readFileSync(path, "utf8");
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its closing ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = clockTicksPerSecond();
  return [Number(fields[11]) / ticks, Number(fields[12]) / ticks];
}

/** The process' figures, or undefined when it is gone (or `/proc` is not there). */
export function readProc(pid: number): ProcSnapshot | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const [userSeconds, systemSeconds] = cpuTimes(`/proc/${pid}/stat`);
    const [mainUser, mainSystem] = cpuTimes(`/proc/${pid}/task/${pid}/stat`);
    return {
      peakRssBytes: kib(status, "VmHWM"),
      rssBytes: kib(status, "VmRSS"),
      userSeconds,
      systemSeconds,
      cpuSeconds: userSeconds + systemSeconds,
      mainThreadSeconds: mainUser + mainSystem,
      at: Date.now(),
    };
  } catch {
    return undefined;
  }
}

export const MB = 1024 * 1024;

/** The CPU model of /proc/cpuinfo (first `model name`). */
export function cpuModel(): string {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}
