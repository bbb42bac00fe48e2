import type { Writable } from "node:stream";
import winston from "winston";
import type { LogLevel } from "../config/types.js";
import { scrubSecrets, scrubValue } from "./scrub.js";
import type { Logger } from "./types.js";

export interface LoggerOptions {
  readonly name: string;
  readonly level: LogLevel | string;
  /** JSON lines in pycti's shape (default), or Python's plain `LEVEL:name:message`. */
  readonly json?: boolean;
  /** Values never to print; every occurrence is replaced by `[REDACTED]`. */
  readonly secrets?: readonly string[];
  /** Default: stderr, as pycti. */
  readonly stream?: Writable;
}

const LEVELS = { error: 0, warning: 1, info: 2, debug: 3 } as const;
const LEVEL_NAMES: Record<string, string> = { error: "ERROR", warning: "WARNING", info: "INFO", debug: "DEBUG" };

function normaliseLevel(level: string): keyof typeof LEVELS {
  const l = level.toLowerCase();
  if (l === "warn" || l === "warning") return "warning";
  if (l === "debug" || l === "info" || l === "error") return l;
  return "error";
}

/** Python's `%Y-%m-%dT%H:%M:%S.%fZ` (microseconds). */
function timestamp(): string {
  return `${new Date().toISOString().slice(0, 23)}000Z`;
}

/** A winston logger writing one line per record in pycti's JSON shape, secrets scrubbed. */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = expandSecrets(options.secrets ?? []);
  const json = options.json ?? true;
  const format = winston.format.printf((info) => {
    const name = String(info.loggerName ?? options.name);
    const message = scrubSecrets(String(info.message), secrets);
    const level = LEVEL_NAMES[info.level] ?? info.level.toUpperCase();
    const attributes = info.attributes === undefined ? undefined : scrubValue(info.attributes, secrets);
    if (!json) return `${level}:${name}:${message}${attributes === undefined ? "" : ` ${JSON.stringify(attributes)}`}`;
    const line: Record<string, unknown> = { timestamp: timestamp(), level, name, message };
    if (attributes !== undefined) line.attributes = attributes;
    return JSON.stringify(line);
  });
  const base = winston.createLogger({
    levels: LEVELS,
    level: normaliseLevel(options.level),
    format,
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
  return wrap(base, options.name);
}

function wrap(base: winston.Logger, name: string): Logger {
  const log = (level: keyof typeof LEVELS, message: string, attributes?: Readonly<Record<string, unknown>>) => {
    base.log({ level, message, loggerName: name, ...(attributes === undefined ? {} : { attributes }) });
  };
  return {
    debug: (m, a) => log("debug", m, a),
    info: (m, a) => log("info", m, a),
    warning: (m, a) => log("warning", m, a),
    error: (m, a) => log("error", m, a),
    child: (childName) => wrap(base, childName),
  };
}

/** Each secret plus the forms it travels in (`Bearer x`, `APIToken x`) so none slips through. */
function expandSecrets(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    out.add(s);
    const bare = s.replace(/^(apitoken|bearer)\s+/i, "");
    if (bare.length >= 4) out.add(bare);
  }
  return [...out].sort((a, b) => b.length - a.length);
}
