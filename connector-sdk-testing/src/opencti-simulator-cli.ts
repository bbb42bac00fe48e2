import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  CONTROL_PREFIX,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_SIMULATOR_TOKEN,
  DEFAULT_STREAM_ID,
} from "./constants.js";
import { handleControlRequest } from "./control-api.js";
import { OpenCtiSimulator, type SimulatedStreamOptions } from "./opencti-simulator.js";
import { syntheticIndicatorFeed } from "./stix-factory.js";

/**
 * `node dist/opencti-simulator-cli.js [options]`: runs the OpenCTI simulator in its own process
 * (the benchmark does). Prints one JSON line on stdout once listening:
 *   {"event":"listening","url":"http://127.0.0.1:PORT","token":"…","streams":["…"],"control":"http://…/__sim","pid":N}
 * then is driven through the control routes (`POST /__sim/feeds`, `/__sim/publish`, `/__sim/faults`, …,
 * see control-api.ts). Stops on SIGINT/SIGTERM or `POST /__sim/shutdown`, printing {"event":"stopped"}.
 *
 * Options:
 *   --port <n>            default 0 (any free port)
 *   --host <addr>         default 127.0.0.1
 *   --token <t>           accepted token (admin), default opencti-test-token
 *   --stream <id[=name]>  a started collection; repeatable (default: DEFAULT_STREAM_ID)
 *   --heartbeat-ms <n>    default 5000
 *   --feed <count>        preload a synthetic indicator feed of <count> events
 *   --feed-actions <a>    create (default) | mixed
 *   --seed <s>            seed of the preloaded feed
 *   --idle-heartbeats-advance  idle heartbeats move to <now>-0 as OpenCTI's (a recovery snapshot's end shows)
 */

export const CLI_USAGE =
  "usage: opencti-simulator-cli [--port N] [--host ADDR] [--token T] [--stream ID[=NAME]]... [--heartbeat-ms N] [--feed COUNT] [--feed-actions create|mixed] [--seed S] [--idle-heartbeats-advance]";

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface CliHandle {
  readonly simulator: OpenCtiSimulator;
  readonly url: string;
  /** Resolves when the simulator stopped (signal or shutdown route). */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} needs a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Starts the simulator from command-line arguments; `installSignals` wires SIGINT/SIGTERM to a clean stop. */
export async function runCli(
  argv: readonly string[],
  io: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
  installSignals = false,
): Promise<CliHandle> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      token: { type: "string" },
      stream: { type: "string", multiple: true },
      "heartbeat-ms": { type: "string" },
      feed: { type: "string" },
      "feed-actions": { type: "string" },
      seed: { type: "string" },
      "idle-heartbeats-advance": { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    io.out(CLI_USAGE);
    throw new Error("help requested");
  }
  const streams: SimulatedStreamOptions[] = (values.stream ?? [DEFAULT_STREAM_ID]).map((spec) => {
    const eq = spec.indexOf("=");
    return eq > 0 ? { id: spec.slice(0, eq), name: spec.slice(eq + 1) } : { id: spec };
  });
  const simulator = new OpenCtiSimulator({
    token: values.token ?? DEFAULT_SIMULATOR_TOKEN,
    streams,
    heartbeatIntervalMs: positiveInt("heartbeat-ms", values["heartbeat-ms"], DEFAULT_HEARTBEAT_INTERVAL_MS) || 1,
    controlApi: handleControlRequest,
    idleHeartbeatsAdvance: values["idle-heartbeats-advance"] === true,
  });
  const feedCount = positiveInt("feed", values.feed, 0);
  if (feedCount > 0) {
    const actions = values["feed-actions"] === "mixed" ? "mixed" : "create";
    simulator.addSyntheticFeed(
      syntheticIndicatorFeed({ count: feedCount, actions, ...(values.seed ? { seed: values.seed } : {}) }),
    );
  }
  const url = await simulator.start(positiveInt("port", values.port, 0), values.host ?? "127.0.0.1");

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<void> | undefined;
  const onSignal = () => void stop();
  const stop = (): Promise<void> => {
    stopping ??= simulator.stop().then(() => {
      if (installSignals) {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      io.out(JSON.stringify({ event: "stopped" }));
      resolveStopped();
    });
    return stopping;
  };
  simulator.onShutdownRequest = () => void stop();
  if (installSignals) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  io.out(
    JSON.stringify({
      event: "listening",
      url,
      token: simulator.token,
      streams: streams.map((s) => s.id),
      control: `${url}${CONTROL_PREFIX}`,
      eventCount: simulator.eventCount,
      pid: process.pid,
    }),
  );
  return { simulator, url, stopped, stop };
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  runCli(process.argv.slice(2), undefined, true).catch((error: unknown) => {
    const message = (error as Error).message;
    if (message !== "help requested") process.stderr.write(`opencti-simulator-cli: ${message}\n${CLI_USAGE}\n`);
    process.exitCode = message === "help requested" ? 0 : 2;
  });
}
