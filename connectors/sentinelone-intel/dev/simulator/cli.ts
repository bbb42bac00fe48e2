#!/usr/bin/env node
/**
 * Runs the SentinelOne simulator as a process (for the benchmark / demo). Prints one JSON line
 * `{"url":"http://127.0.0.1:PORT"}` on stdout once listening, then serves until SIGINT / SIGTERM.
 * The control routes `/__sim/*` are on (read-only views and the console changes). See README.md in this folder for the flags.
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { SentinelOneSimulator } from "./server.js";
import type { DedupMode, RateLimitBody, RetryAfterKind, SentinelOneSimulatorOptions } from "./types.js";

export const CLI_USAGE = `Usage: sentinelone-simulator [options]
  --port <n>                 listen port (default 0 = any free port)
  --host <addr>              listen address (default 127.0.0.1)
  --rate-limit <rpm>         per-token requests per minute on /threat-intelligence/* (default: off)
  --burst <n>                bucket capacity (default: = rate)
  --retry-after <kind>       none | seconds | http-date (default none)
  --rate-limit-body <kind>   html | json (default html)
  --dedup <mode>             duplicate | upsert_by_type_value_scope | upsert_by_externalId_scope
  --max-items <n>            largest data[] per POST (default unlimited)
  --latency <ms>             delay before each answer (default 0)
  --no-scope-status <code>   500 | 400 (default 500)
  --lenient                  accept unknown keys (strict mode off)
  --honour-get-source        apply the source filter on GET (default: ignored, as observed)
  --max-url <bytes>          longest request target (default 8192; longer gets 414)
  --help`;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], def: T): T {
  if (value === undefined) return def;
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`--${name} must be one of ${allowed.join(", ")}`);
  return value as T;
}

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
  return n;
}

export interface CliHandle {
  simulator: SentinelOneSimulator;
  url: string;
}

/** Parses `argv` (without node and script), starts the simulator and writes the `{"url":...}` line with `write`. */
export async function runCli(argv: string[], write: (line: string) => void): Promise<CliHandle | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "rate-limit": { type: "string" },
      burst: { type: "string" },
      "retry-after": { type: "string" },
      "rate-limit-body": { type: "string" },
      dedup: { type: "string" },
      "max-items": { type: "string" },
      latency: { type: "string" },
      "no-scope-status": { type: "string" },
      lenient: { type: "boolean" },
      "honour-get-source": { type: "boolean" },
      "max-url": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    write(CLI_USAGE);
    return undefined;
  }
  const options: SentinelOneSimulatorOptions = {
    controlRoutes: true,
    strict: !values.lenient,
    dedupMode: oneOf<DedupMode>(
      "dedup",
      values.dedup,
      ["duplicate", "upsert_by_type_value_scope", "upsert_by_externalId_scope"],
      "duplicate",
    ),
    noScopeStatus: oneOf("no-scope-status", values["no-scope-status"], ["500", "400"], "500") === "400" ? 400 : 500,
    latencyMs: num("latency", values.latency) ?? 0,
  };
  if (values["honour-get-source"]) options.honourSourceOnGet = true;
  const maxUrl = num("max-url", values["max-url"]);
  if (maxUrl !== undefined) options.maxUrlBytes = maxUrl;
  const maxItems = num("max-items", values["max-items"]);
  if (maxItems !== undefined) options.maxItemsPerRequest = maxItems;
  const rpm = num("rate-limit", values["rate-limit"]);
  if (rpm !== undefined && rpm > 0) {
    const burst = num("burst", values.burst);
    options.rateLimit = {
      requestsPerMinute: rpm,
      ...(burst !== undefined ? { burst } : {}),
      retryAfter: oneOf<RetryAfterKind>("retry-after", values["retry-after"], ["none", "seconds", "http-date"], "none"),
      body: oneOf<RateLimitBody>("rate-limit-body", values["rate-limit-body"], ["html", "json"], "html"),
    };
  }
  const simulator = new SentinelOneSimulator(options);
  const url = await simulator.start(num("port", values.port) ?? 0, values.host ?? "127.0.0.1");
  write(JSON.stringify({ url }));
  return { simulator, url };
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  runCli(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).then(
    (handle) => {
      if (handle === undefined) return;
      const shutdown = () => {
        handle.simulator.stop().then(() => process.exit(0));
      };
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${CLI_USAGE}\n`);
      process.exit(2);
    },
  );
}
