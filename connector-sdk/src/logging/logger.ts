import type { Writable } from "node:stream";
import winston from "winston";
import type { LogLevel } from "../config/types.js";
import { createScrubber, type Scrubber } from "./scrub.js";
import type { Logger } from "./types.js";

export interface LoggerOptions {
  /** The logger name (pycti: `CONNECTOR_NAME`; `api` for client internals). */
  readonly name: string;
  /** `debug`, `info`, `warn`/`warning`, `error`, any case. Anything else means `error` (pycti's default). */
  readonly level: LogLevel | string;
  /** JSON lines in pycti's shape (default), or Python's plain `LEVEL:name:message`. */
  readonly json?: boolean;
  /** Values never to print; every occurrence (see `scrubSecrets`) is replaced by `[REDACTED]`. */
  readonly secrets?: readonly string[];
  /** Default: stderr, as pycti. */
  readonly stream?: Writable;
}

/** winston levels, most severe first. */
const LEVELS = { error: 0, warning: 1, info: 2, debug: 3 } as const;
type Level = keyof typeof LEVELS;
const LEVEL_NAMES: Readonly<Record<Level, string>> = {
  error: "ERROR",
  warning: "WARNING",
  info: "INFO",
  debug: "DEBUG",
};

/** `warn` and `warning` are the same level (Python accepts both); unknown names fall back to `error`. */
export function normaliseLogLevel(level: string): Level {
  const l = level.trim().toLowerCase();
  if (l === "warn" || l === "warning") return "warning";
  if (l === "debug" || l === "info" || l === "error") return l;
  return "error";
}

/** Python's `%Y-%m-%dT%H:%M:%S.%fZ`: microseconds (milliseconds padded with zeros), literal `Z`. */
function timestamp(): string {
  return `${new Date().toISOString().slice(0, 23)}000Z`;
}

/** What the wrapper hands winston: already scrubbed and JSON-safe. */
interface LogRecord {
  readonly loggerName: string;
  readonly attributes?: unknown;
}

/**
 * A winston logger writing one line per record, secrets scrubbed from the message and (deeply) from the attributes.
 *
 * JSON mode, pycti's shape and key order:
 * `{"timestamp":"2025-10-30T16:33:11.123000Z","level":"INFO","name":"My Connector","message":"…","attributes":{…}}`
 * (`attributes` only when given). Plain mode: `INFO:My Connector:message` plus ` {attributes as JSON}` when given.
 * `child(name)` writes through the same winston logger and stream under another name.
 */
export function createLogger(options: LoggerOptions): Logger {
  const scrubber = createScrubber(options.secrets ?? []);
  const json = options.json ?? true;
  const format = winston.format.printf((info) => {
    const record = info as unknown as LogRecord & { level: string; message: unknown };
    const level = LEVEL_NAMES[record.level as Level] ?? String(record.level).toUpperCase();
    const message = String(record.message);
    if (!json) {
      const suffix = record.attributes === undefined ? "" : ` ${JSON.stringify(record.attributes)}`;
      return `${level}:${record.loggerName}:${message}${suffix}`;
    }
    const line: Record<string, unknown> = { timestamp: timestamp(), level, name: record.loggerName, message };
    if (record.attributes !== undefined) line.attributes = record.attributes;
    return JSON.stringify(line);
  });
  const base = winston.createLogger({
    levels: LEVELS,
    level: normaliseLogLevel(options.level),
    format,
    exitOnError: false,
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
  return wrap(base, scrubber, options.name);
}

function wrap(base: winston.Logger, scrubber: Scrubber, rawName: string): Logger {
  const name = scrubber.text(rawName);
  const log = (level: Level, message: string, attributes?: Readonly<Record<string, unknown>>): void => {
    if (!base.isLevelEnabled(level)) return;
    try {
      base.log({
        level,
        message: scrubber.text(String(message)),
        loggerName: name,
        ...(attributes === undefined ? {} : { attributes: scrubber.value(attributes) }),
      });
    } catch {
      // Logging must never take the connector down.
    }
  };
  return {
    debug: (m, a) => log("debug", m, a),
    info: (m, a) => log("info", m, a),
    warning: (m, a) => log("warning", m, a),
    error: (m, a) => log("error", m, a),
    child: (childName) => wrap(base, scrubber, childName),
  };
}
