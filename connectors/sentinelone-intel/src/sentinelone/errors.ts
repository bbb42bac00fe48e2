/**
 * Typed SentinelOne API errors. The push queue decides what to do from `kind` alone:
 * | kind           | when                                                     | queue                          |
 * |----------------|----------------------------------------------------------|--------------------------------|
 * | `rate_limited` | 429                                                      | retry after Retry-After/backoff |
 * | `unavailable`  | 5xx                                                      | retry with backoff             |
 * | `timeout`      | no answer within `request_timeout`, 408                  | retry with backoff             |
 * | `network`      | connection refused/reset, DNS failure, TLS failure …      | retry with backoff             |
 * | `invalid`      | 400, 409, 413, 422: SentinelOne refused the content       | split the batch, dead-letter   |
 * | `auth`         | 401, 403                                                 | stop the connector (fatal)     |
 * | `other`        | anything else (404, 405, 3xx, malformed 2xx body …)      | stop the connector (fatal)     |
 *
 * Messages never contain the API key: they are built from the method, the path, the status and the server's
 * error titles/details, and any occurrence of the key in server text is masked anyway.
 */

export type SentinelOneErrorKind =
  | "rate_limited"
  | "unavailable"
  | "timeout"
  | "network"
  | "invalid"
  | "auth"
  | "other";

/** One entry of SentinelOne's error envelope `{"errors":[{code,title,detail}]}`. */
export interface SentinelOneErrorEntry {
  readonly code?: number;
  readonly title?: string;
  readonly detail?: string | null;
}

export interface SentinelOneApiErrorInit {
  readonly method: string;
  readonly path: string;
  readonly kind: SentinelOneErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly errors?: readonly SentinelOneErrorEntry[];
  /** Indices of `data[]` items the 400 details name (`data: <i>: …`), sorted, unique. */
  readonly itemIndices?: readonly number[];
  /** Low-level error code (`ECONNREFUSED`, `ETIMEDOUT` …) for network errors. */
  readonly code?: string;
  /** The request was cancelled through its abort signal. */
  readonly aborted?: boolean;
}

export class SentinelOneApiError extends Error {
  override readonly name = "SentinelOneApiError";
  readonly method: string;
  readonly path: string;
  readonly kind: SentinelOneErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly errors: readonly SentinelOneErrorEntry[];
  readonly itemIndices: readonly number[];
  readonly code: string | undefined;
  readonly aborted: boolean;

  constructor(message: string, init: SentinelOneApiErrorInit) {
    super(message);
    this.method = init.method;
    this.path = init.path;
    this.kind = init.kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.errors = init.errors ?? [];
    this.itemIndices = init.itemIndices ?? [];
    this.code = init.code;
    this.aborted = init.aborted ?? false;
  }

  /** The first item index a 400 named, if any. */
  get itemIndex(): number | undefined {
    return this.itemIndices[0];
  }

  /** Worth retrying unchanged. */
  get retryable(): boolean {
    return (
      this.kind === "rate_limited" || this.kind === "unavailable" || this.kind === "timeout" || this.kind === "network"
    );
  }
}

export function kindForStatus(status: number): SentinelOneErrorKind {
  if (status === 429) return "rate_limited";
  if (status === 408) return "timeout";
  if (status >= 500) return "unavailable";
  if (status === 401 || status === 403) return "auth";
  if (status === 400 || status === 409 || status === 413 || status === 422) return "invalid";
  return "other";
}

const ITEM_INDEX = /^\s*data\s*:\s*(\d+)\s*:/;

/** Item indices named by `data: <i>: …` details (SentinelOne's marshmallow-style paths), sorted and unique. */
export function itemIndicesOf(errors: readonly SentinelOneErrorEntry[]): number[] {
  const found = new Set<number>();
  for (const entry of errors) {
    const match = typeof entry.detail === "string" ? ITEM_INDEX.exec(entry.detail) : null;
    if (match?.[1] !== undefined) found.add(Number(match[1]));
  }
  return [...found].sort((a, b) => a - b);
}

/** The entries whose detail names item `index` (`data: <index>: …`). */
export function entriesForItem(errors: readonly SentinelOneErrorEntry[], index: number): SentinelOneErrorEntry[] {
  return errors.filter((entry) => {
    const match = typeof entry.detail === "string" ? ITEM_INDEX.exec(entry.detail) : null;
    return match?.[1] !== undefined && Number(match[1]) === index;
  });
}

/** The `errors` array of a parsed body, or [] when the body is not SentinelOne's envelope (e.g. nginx HTML). */
export function errorEntriesOf(body: unknown): SentinelOneErrorEntry[] {
  if (!body || typeof body !== "object") return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => !!e && typeof e === "object")
    .map((e) => ({
      ...(typeof e.code === "number" ? { code: e.code } : {}),
      ...(typeof e.title === "string" ? { title: e.title } : {}),
      ...(typeof e.detail === "string" ? { detail: e.detail } : {}),
    }));
}

/** `Validation Error: data: 3: value: Not a valid IPv4 address.` (first entries, bounded length). */
export function summarizeErrors(errors: readonly SentinelOneErrorEntry[], max = 3): string {
  const parts = errors.slice(0, max).map((e) => [e.title, e.detail].filter((s) => s && s.length > 0).join(": "));
  const more = errors.length > max ? ` (and ${errors.length - max} more)` : "";
  const text = parts.filter((p) => p.length > 0).join("; ") + more;
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}
