/**
 * The error of a failed request to a connector's target API, classified so that the sink (sink/refusals.ts) and
 * tools decide from `kind` alone:
 * | kind           | when                                                     | sink                            |
 * |----------------|----------------------------------------------------------|---------------------------------|
 * | `rate_limited` | 429                                                      | retry after Retry-After/backoff |
 * | `unavailable`  | 5xx                                                      | retry; may have landed          |
 * | `timeout`      | no answer within the timeout, 408                        | retry; may have landed          |
 * | `network`      | connection refused/reset, DNS or TLS failure             | retry                           |
 * | `invalid`      | 400, 409, 413, 422: the target refused the content       | refused (split, dead-letter)    |
 * | `auth`         | 401, 403                                                 | fatal                           |
 * | `other`        | anything else (404, 405, 3xx, a 2xx body that is not JSON) | fatal                         |
 * Messages are scrubbed of the client's secrets before the error is built.
 */

export type HttpFailureKind = "rate_limited" | "unavailable" | "timeout" | "network" | "invalid" | "auth" | "other";

/** One entry of the common error envelope `{"errors":[{code,title,detail}]}`. */
export interface HttpErrorEntry {
  readonly code?: number;
  readonly title?: string;
  readonly detail?: string | null;
}

export interface HttpTargetErrorInit {
  readonly method: string;
  readonly path: string;
  readonly kind: HttpFailureKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** The answer's error entries (scrubbed). */
  readonly errors?: readonly HttpErrorEntry[];
  /** Low-level error code (`ECONNREFUSED`, `ETIMEDOUT` …) of a network error. */
  readonly code?: string;
  /** The request was cancelled through its abort signal. */
  readonly aborted?: boolean;
}

export class HttpTargetError extends Error {
  override readonly name = "HttpTargetError";
  readonly method: string;
  readonly path: string;
  readonly kind: HttpFailureKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly errors: readonly HttpErrorEntry[];
  readonly code: string | undefined;
  readonly aborted: boolean;

  constructor(message: string, init: HttpTargetErrorInit) {
    super(message);
    this.method = init.method;
    this.path = init.path;
    this.kind = init.kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.errors = init.errors ?? [];
    this.code = init.code;
    this.aborted = init.aborted ?? false;
  }

  /** Worth retrying unchanged. */
  get retryable(): boolean {
    return (
      this.kind === "rate_limited" || this.kind === "unavailable" || this.kind === "timeout" || this.kind === "network"
    );
  }

  /** The request cannot have been applied: a 429, or a connection that was never made. */
  get notSent(): boolean {
    return this.kind === "rate_limited" || (this.kind === "network" && NOT_SENT_CODES.has(this.code ?? ""));
  }
}

/** Network errors raised before the request left. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

export function kindForStatus(status: number): HttpFailureKind {
  if (status === 429) return "rate_limited";
  if (status === 408) return "timeout";
  if (status >= 500) return "unavailable";
  if (status === 401 || status === 403) return "auth";
  if (status === 400 || status === 409 || status === 413 || status === 422) return "invalid";
  return "other";
}

/** The `errors` array of a parsed body, or [] when the body is not that envelope (e.g. an nginx HTML page). */
export function errorEntriesOf(body: unknown): HttpErrorEntry[] {
  const errors: unknown = body && typeof body === "object" ? Reflect.get(body, "errors") : undefined;
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
export function summarizeErrors(errors: readonly HttpErrorEntry[], max = 3): string {
  const parts = errors.slice(0, max).map((e) => [e.title, e.detail].filter((s) => s && s.length > 0).join(": "));
  const more = errors.length > max ? ` (and ${errors.length - max} more)` : "";
  const text = parts.filter((p) => p.length > 0).join("; ") + more;
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}
