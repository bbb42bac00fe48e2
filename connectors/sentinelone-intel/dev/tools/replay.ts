/**
 * Dry-run replay (`npm run replay -- <file>`): what the connector WOULD send to SentinelOne for a file of stream
 * events, without any network access.
 *
 * Input, either
 * - JSON lines, one stream message each: `{"id": "<ms>-<seq>", "event": "create|update|delete|merge", "data": …}`
 *   where `data` is the envelope as OpenCTI sends it (`{version, type, message, origin, data: <STIX>, context?}`),
 *   as an object or as the JSON text of the SSE `data:` field; or
 * - a STIX 2.1 bundle (`{"type": "bundle", "objects": [...]}`): every indicator is replayed as a `create`.
 *
 * Each event goes through the connector's own handler (`SentinelOneIntelHandler.plan`: classification, IOC
 * builder, update/merge/delete rules) with a queue that is never called, and comes out as one JSON line:
 * `{event_id, indicator_id?, action: create|replace|delete|skip, iocs: [payload…], deletes?: [filter…], reason?}`.
 * A line that cannot be used gives `{line, action: "error", reason}` and the rest is still processed. The last
 * line is `{summary: {...}}`.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type ConfigSchema,
  createMetrics,
  isMalformed,
  type Logger,
  loadConfig,
  parseEnvelope,
  type StixObject,
  type StreamEvent,
} from "@octi/connector-sdk";
import { configSchema, NAMESPACE, type SentinelOneIntelSettings, scopeId } from "#src/config-schema.js";
import { SentinelOneIntelHandler } from "#src/handler.js";
import { buildIoc } from "#src/mapping/ioc-builder.js";
import { classifyIndicator } from "#src/mapping/pattern-table.js";
import { SentinelOneMetrics } from "#src/metrics.js";
import { deleteFilter } from "#src/sentinelone/client.js";
import type { IocChange } from "#src/sentinelone/push-queue.js";
import type { IocPayload, IocScope } from "#src/sentinelone/types.js";
import { type CliIo, parseArgs, UsageError } from "#src/tools/args.js";
import { runSearchDirs } from "#src/tools/paths.js";

export type ReplayAction = "create" | "replace" | "delete" | "skip";

export interface ReplayEventLine {
  readonly event_id: string;
  readonly indicator_id?: string;
  readonly event?: string;
  readonly action: ReplayAction;
  /** IOC payloads the connector would POST (create / replace), or the IOCs a delete removes (type, value …). */
  readonly iocs: readonly Record<string, unknown>[];
  /** DELETE filters the connector would send, in order (delete / replace / merge). */
  readonly deletes?: readonly Record<string, unknown>[];
  readonly reason?: string;
}

export interface ReplayErrorLine {
  readonly line: number;
  readonly action: "error";
  readonly reason: string;
}

export type ReplayLine = ReplayEventLine | ReplayErrorLine;

export interface ReplaySummary {
  readonly format: "json-lines" | "stix-bundle";
  readonly events: number;
  readonly create: number;
  readonly replace: number;
  readonly delete: number;
  readonly skip: number;
  readonly error: number;
  /** IOC payloads that would be POSTed, by SentinelOne type. */
  readonly iocs_by_type: Record<string, number>;
  readonly delete_requests: number;
  /** Skips by reason code (`unsupported_object`, `revoked` …). */
  readonly skipped_by_reason: Record<string, number>;
}

/** What the dry run needs from the configuration (the `sentinelone_intel` namespace). */
export interface ReplaySettings {
  /** IOC `source` (config `sentinelone_intel.source`, default "OpenCTI"). */
  readonly source: string;
  /** Scope ids, for the DELETE filters shown. */
  readonly scope: IocScope;
  /** Clock for the `expired` check (default: now). */
  readonly now?: () => number;
}

export const DEFAULT_REPLAY_SETTINGS: ReplaySettings = { source: "OpenCTI", scope: {} };

const STREAM_ACTIONS = new Set(["create", "update", "delete", "merge"]);
const IGNORED_EVENTS = new Set(["heartbeat", "connected"]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

interface Captured {
  message: string;
  attributes?: Readonly<Record<string, unknown>>;
}

/** Logger that keeps the handler's last message: the skip reason comes from there. */
class CaptureLogger implements Logger {
  last: Captured | undefined;
  private keep(message: string, attributes?: Readonly<Record<string, unknown>>) {
    this.last = { message, ...(attributes ? { attributes } : {}) };
  }
  debug(message: string, attributes?: Readonly<Record<string, unknown>>) {
    this.keep(message, attributes);
  }
  info(message: string, attributes?: Readonly<Record<string, unknown>>) {
    this.keep(message, attributes);
  }
  warning(message: string, attributes?: Readonly<Record<string, unknown>>) {
    this.keep(message, attributes);
  }
  error(message: string, attributes?: Readonly<Record<string, unknown>>) {
    this.keep(message, attributes);
  }
  child(): Logger {
    return this;
  }
}

/** Turns stream events into replay lines with the connector's handler; one instance per replay. */
export class ReplayPlanner {
  private readonly logger = new CaptureLogger();
  private readonly handler: SentinelOneIntelHandler;
  private readonly settings: ReplaySettings;

  constructor(settings: ReplaySettings = DEFAULT_REPLAY_SETTINGS) {
    this.settings = settings;
    const queue = {
      enqueue: () => Promise.reject(new Error("dry run: nothing is sent")),
      drain: () => Promise.resolve(),
      stop: () => undefined,
    };
    // The handler counts skips during planning: a private registry nobody reads.
    const metrics = new SentinelOneMetrics(createMetrics({ namespace: "", subsystem: "", processMetrics: false }));
    // Only `source` (and the clock) matter for planning; the rest is what the handler logs when a run starts.
    const handlerSettings: ConstructorParameters<typeof SentinelOneIntelHandler>[1] = {
      source: settings.source,
      scope: settings.scope,
      apiUrl: "(dry run)",
      deadLetterPath: "(dry run)",
      indexPath: "(dry run)",
      skipScoreOnlyUpdates: false,
    };
    this.handler = new SentinelOneIntelHandler(
      queue,
      handlerSettings,
      metrics,
      this.logger,
      settings.now ?? (() => Date.now()),
    );
  }

  plan(event: StreamEvent): ReplayEventLine {
    const base = { event_id: event.id, indicator_id: event.data.id, event: event.event };
    if (event.data.type !== "indicator") {
      return { ...base, action: "skip", iocs: [], reason: `not_indicator: a ${event.data.type}, not an indicator` };
    }
    this.logger.last = undefined;
    let ops: IocChange[];
    try {
      ops = this.handler.plan(event);
    } catch (error) {
      return {
        ...base,
        action: "skip",
        iocs: [],
        reason: `handler error: ${(error as Error)?.message ?? String(error)}`,
      };
    }
    const creates: IocPayload[] = ops.flatMap((op) => op.items.map((item) => item.payload));
    // An indicator's earlier IOCs go, except on a create: the run deletes them by uuid (the index); the dry run,
    // which has no index, shows the equivalent filter.
    const deletes = ops.flatMap((op) =>
      op.items.length === 0 || event.event !== "create"
        ? [deleteFilter(op.key, this.settings.source, this.settings.scope)]
        : [],
    );
    const reason = this.reason();
    if (creates.length > 0) {
      const action: ReplayAction = deletes.length > 0 ? "replace" : "create";
      return { ...base, action, iocs: creates.map(plain), ...(deletes.length > 0 ? { deletes } : {}) };
    }
    if (deletes.length > 0) {
      return {
        ...base,
        action: "delete",
        iocs: this.removedIocs(event.data),
        deletes,
        ...(reason ? { reason } : {}),
      };
    }
    return { ...base, action: "skip", iocs: [], reason: reason ?? "nothing to send" };
  }

  /** The IOCs this indicator maps to when revocation and expiry are disregarded: what a delete removes. */
  private removedIocs(indicator: StixObject): Record<string, unknown>[] {
    const classified = classifyIndicator({ ...indicator, revoked: false }, { now: 0 });
    if (classified.kind !== "iocs") return [];
    return classified.iocs.map((ioc) => {
      const payload = buildIoc(indicator, ioc, { source: this.settings.source });
      return { type: payload.type, value: payload.value, externalId: payload.externalId, source: payload.source };
    });
  }

  /** `reason: detail` from the handler's last log line, or its message. */
  private reason(): string | undefined {
    const last = this.logger.last;
    if (!last) return undefined;
    const code = last.attributes?.reason;
    const detail = last.attributes?.detail;
    if (typeof code === "string") return typeof detail === "string" ? `${code}: ${detail}` : code;
    return last.message;
  }
}

const plain = (payload: IocPayload): Record<string, unknown> => ({ ...payload });

/** One input line (1-based) → a stream event, or the reason it cannot be one. */
export function parseReplayLine(
  lineNumber: number,
  text: string,
): { event: StreamEvent } | { ignored: string; id: string } | { error: ReplayErrorLine } {
  const error = (reason: string) => ({ error: { line: lineNumber, action: "error" as const, reason } });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return error(`invalid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  if (!isObject(value)) return error("not a JSON object (expected {id, event, data})");
  const missing = ["id", "event", "data"].filter((key) => value[key] === undefined || value[key] === null);
  if (missing.length > 0) {
    return error(
      `missing field${missing.length > 1 ? "s" : ""} ${missing.map((k) => `\`${k}\``).join(", ")} (expected {id, event, data})`,
    );
  }
  const { id, event, data } = value;
  if (typeof id !== "string" || id === "")
    return error("`id` must be a non-empty string (the SSE id, e.g. 1711633413527-0)");
  if (typeof event !== "string") return error("`event` must be a string");
  if (IGNORED_EVENTS.has(event)) return { ignored: `${event}: no data to replay`, id };
  if (!STREAM_ACTIONS.has(event)) {
    return error(`unknown event type ${JSON.stringify(event.slice(0, 40))} (expected create, update, delete or merge)`);
  }
  if (typeof data !== "string" && !isObject(data))
    return error("`data` must be the envelope, as an object or a JSON string");
  const parsed = parseEnvelope(id, event, typeof data === "string" ? data : JSON.stringify(data));
  if (isMalformed(parsed)) {
    const envelope = typeof data === "string" ? safeParse(data) : data;
    const hint =
      isObject(envelope) && envelope.data === undefined && typeof envelope.type === "string" && "pattern" in envelope
        ? " (`data` must be the envelope {version, type, data: <STIX object>}, not the STIX object itself)"
        : "";
    return error(`${parsed.reason}${hint}`);
  }
  return { event: parsed };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `{"type":"bundle","objects":[…]}` when the whole text is one, else undefined. */
function asBundle(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("{")) return undefined;
  const value = safeParse(trimmed);
  return isObject(value) && value.type === "bundle" ? value : undefined;
}

export class ReplayCounter {
  private readonly counts = { events: 0, create: 0, replace: 0, delete: 0, skip: 0, error: 0, delete_requests: 0 };
  private readonly byType: Record<string, number> = {};
  private readonly byReason: Record<string, number> = {};

  add(line: ReplayLine): void {
    if (line.action === "error") {
      this.counts.error++;
      return;
    }
    this.counts.events++;
    this.counts[line.action]++;
    if (line.action === "create" || line.action === "replace") {
      for (const ioc of line.iocs) {
        const type = String(ioc.type);
        this.byType[type] = (this.byType[type] ?? 0) + 1;
      }
    }
    this.counts.delete_requests += line.deletes?.length ?? 0;
    if (line.action === "skip" && line.reason) {
      const code = /^[a-z_]+(?=:|$)/.exec(line.reason)?.[0] ?? "other";
      this.byReason[code] = (this.byReason[code] ?? 0) + 1;
    }
  }

  summary(format: ReplaySummary["format"]): ReplaySummary {
    return { format, ...this.counts, iocs_by_type: { ...this.byType }, skipped_by_reason: { ...this.byReason } };
  }
}

/** Replays text (a whole file). `emit` gets each line's object in order; the summary is returned (not emitted). */
export function replayText(text: string, emit: (line: ReplayLine) => void, settings?: ReplaySettings): ReplaySummary {
  const planner = new ReplayPlanner(settings);
  const counter = new ReplayCounter();
  const out = (line: ReplayLine) => {
    counter.add(line);
    emit(line);
  };
  const bundle = asBundle(text);
  if (bundle) {
    const objects = bundle.objects;
    if (!Array.isArray(objects)) {
      out({ line: 1, action: "error", reason: "the bundle has no `objects` array" });
      return counter.summary("stix-bundle");
    }
    objects.forEach((object, index) => {
      if (!isObject(object) || typeof object.id !== "string" || typeof object.type !== "string") {
        out({
          line: 1,
          action: "error",
          reason: `objects[${index}] is not a STIX object with string \`id\` and \`type\``,
        });
        return;
      }
      const event: StreamEvent = {
        id: `objects[${index}]`,
        event: "create",
        data: object as StixObject,
        message: "STIX bundle object",
        origin: {},
        version: "4",
      };
      out(planner.plan(event));
    });
    return counter.summary("stix-bundle");
  }
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    if (raw.trim() === "") return;
    const parsed = parseReplayLine(index + 1, raw);
    if ("error" in parsed) out(parsed.error);
    else if ("ignored" in parsed) out({ event_id: parsed.id, action: "skip", iocs: [], reason: parsed.ignored });
    else out(planner.plan(parsed.event));
  });
  return counter.summary("json-lines");
}

/** Reads `path` (rejects when it cannot be read) and replays it. */
export async function replayFile(
  path: string,
  emit: (line: ReplayLine) => void,
  settings?: ReplaySettings,
): Promise<ReplaySummary> {
  const text = await readFile(path, "utf8");
  return replayText(text, emit, settings);
}

export interface ReplayConfigOptions {
  /** Environment (the CLI passes `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directories searched for `config.yml` / `.env`, as a run would (see `runSearchDirs`). */
  readonly searchDirs: readonly string[];
  /** An explicit config.yml (`--config`), as `CONNECTOR_CONFIG_FILE` does for a run. */
  readonly configFile?: string;
}

/** The settings of the `sentinelone_intel` namespace the dry run uses. */
const REPLAY_KEYS = ["source", "account_id", "site_id", "group_id"] as const;

/**
 * The settings a run would use for what the dry run shows (IOC `source`, scope ids), read by the SDK loader from
 * env > config.yml > .env > defaults. Only those keys are loaded, and none is required: a dry run needs no OpenCTI,
 * URL or API key. Throws the loader's `ConfigValidationError` when one of them is invalid.
 */
export function loadReplaySettings(options: ReplayConfigOptions): ReplaySettings {
  const properties = Object.fromEntries(
    REPLAY_KEYS.flatMap((key) => (configSchema.properties[key] ? [[key, configSchema.properties[key]]] : [])),
  );
  const schema: ConfigSchema = { type: "object", properties: { [NAMESPACE]: { type: "object", properties } } };
  const loaded = loadConfig<{ sentinelone_intel: Partial<SentinelOneIntelSettings> }>(schema, {
    env: options.env,
    searchDirs: [...options.searchDirs],
    ...(options.configFile ? { configFile: options.configFile } : {}),
  });
  const ns = loaded.config.sentinelone_intel ?? {};
  const accountId = scopeId(ns.account_id);
  const siteId = scopeId(ns.site_id);
  const groupId = scopeId(ns.group_id);
  return {
    source: typeof ns.source === "string" && ns.source !== "" ? ns.source : DEFAULT_REPLAY_SETTINGS.source,
    scope: { ...(accountId ? { accountId } : {}), ...(siteId ? { siteId } : {}), ...(groupId ? { groupId } : {}) },
  };
}

export const REPLAY_USAGE = `Usage: npm run replay -- <file> [--config <config.yml>] [--no-config]

Shows what the SentinelOne Intel connector would send for each stream event of <file>, without sending anything.
<file> holds JSON lines {"id", "event", "data"} (data: the OpenCTI event envelope, object or JSON string), or one
STIX 2.1 bundle (each indicator replayed as a create).

The IOC source and scope ids come from the configuration a run would use (SENTINELONE_INTEL_* env vars, then
config.yml / .env in the current directory, the connector directory, or its src/), else the defaults.
  --config <file>  read this config.yml instead of searching for one
  --no-config      ignore env and config files: use the defaults (source "OpenCTI", no scope ids)
`;

export async function replayCli(argv: readonly string[], io: CliIo): Promise<number> {
  let file: string;
  let useConfig: boolean;
  let configFile: string | undefined;
  try {
    const args = parseArgs(argv, { values: ["config"], flags: ["no-config"] });
    if (args.flags.has("help")) {
      io.out(REPLAY_USAGE);
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError("expected exactly one file");
    file = args.positionals[0]!;
    useConfig = !args.flags.has("no-config");
    configFile = args.values.config;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${REPLAY_USAGE}`);
    return 2;
  }
  // `npm run replay` runs in the repository root; a relative path is relative to where the user typed it.
  const userDir = io.env.INIT_CWD ?? io.cwd;
  let settings: ReplaySettings = DEFAULT_REPLAY_SETTINGS;
  if (useConfig) {
    try {
      settings = loadReplaySettings({
        env: io.env,
        searchDirs: runSearchDirs(io.cwd),
        ...(configFile ? { configFile: resolve(userDir, configFile) } : {}),
      });
    } catch (error) {
      // The dry run still works with the defaults; say which settings were refused.
      io.err(`${(error as Error).message}\nReplaying with the default settings (source "OpenCTI", no scope ids).\n`);
    }
  }
  try {
    const summary = await replayFile(resolve(userDir, file), (line) => io.out(`${JSON.stringify(line)}\n`), settings);
    io.out(`${JSON.stringify({ summary })}\n`);
    return 0;
  } catch (error) {
    io.err(`Cannot read ${file}: ${(error as Error).message}\n`);
    return 1;
  }
}
