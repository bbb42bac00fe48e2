/**
 * The stream connector state exactly as pycti keeps it (pycti-stream-protocol.md §6):
 * `{"start_from": "<stream id>", "recover_until": "<ISO date | false>"}`, sent to OpenCTI as a JSON
 * string in `pingConnector`. Legacy keys `connectorLastEventId` / `connectorStartTime` are read, never written.
 * Keys a connector added are preserved.
 */

export interface StreamState {
  readonly start_from: string;
  readonly recover_until: string | false;
  readonly [key: string]: unknown;
}

/** pycti's `get_state()`: only a non-empty JSON object is a state; anything else means "no state". */
export function parseState(raw: string | null | undefined): Readonly<Record<string, unknown>> | null {
  if (raw === null || raw === undefined || raw.trim() === "") return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    return Object.keys(value).length > 0 ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `YYYY-MM-DDTHH:MM:SSZ` (UTC, no fraction), pycti's `date_now_z()`. */
export function dateNowZ(now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

export interface InitialStateOptions {
  /** `CONNECTOR_LIVE_STREAM_START_TIMESTAMP` (ms): becomes `<ms>-0`. Only used when there is no state. */
  readonly startTimestamp?: number;
  /** `CONNECTOR_LIVE_STREAM_RECOVER_ISO_DATE`. Only used when there is no state. */
  readonly recoverIsoDate?: string;
  readonly now?: Date;
}

/**
 * pycti's start-up choice (`ListenStream.run`): the stored state wins; with none, start from the configured
 * timestamp or `0-0` and recover until the configured date or now.
 */
export function resolveInitialState(
  stored: Readonly<Record<string, unknown>> | null,
  options: InitialStateOptions,
): StreamState {
  if (stored) {
    const start = stored.connectorLastEventId ?? stored.start_from;
    const recover = stored.connectorStartTime ?? stored.recover_until;
    if (typeof start === "string" && start !== "") {
      const rest = { ...stored };
      delete rest.connectorLastEventId;
      delete rest.connectorStartTime;
      return {
        ...rest,
        start_from: start,
        recover_until: typeof recover === "string" ? recover : false,
      };
    }
    // pycti dies on a state without start_from; we start over instead, and the caller logs it.
  }
  return {
    start_from: options.startTimestamp !== undefined ? `${options.startTimestamp}-0` : "0-0",
    recover_until: options.recoverIsoDate ?? dateNowZ(options.now),
  };
}

/**
 * Serialises like Python's `json.dumps` (`", "` and `": "` separators, non-ASCII escaped), so the state
 * string stored in OpenCTI is byte-identical to what a pycti connector writes.
 */
export function serializeState(state: Readonly<Record<string, unknown>> | null): string {
  if (state === null) return "null";
  return pythonJson(state);
}

function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${asciiJson(k)}: ${pythonJson(v)}`);
    return `{${parts.join(", ")}}`;
  }
  if (typeof value === "string") return asciiJson(value);
  return JSON.stringify(value);
}

function asciiJson(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Deep equality of two parsed states (pycti compares dicts). */
export function sameState(
  a: Readonly<Record<string, unknown>> | null,
  b: Readonly<Record<string, unknown>> | null,
): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
