import { STATUS_CODES } from "node:http";

const SECONDS = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const NEGATIVE_SECONDS = /^-(?:\d+(?:\.\d*)?|\.\d+)$/;
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "\\d\\d:\\d\\d:\\d\\d";
/** RFC 9110 §5.6.7 HTTP-date: IMF-fixdate, obsolete RFC 850 and asctime forms. */
const HTTP_DATE = new RegExp(
  [
    `^${DAY}, \\d\\d ${MONTH} \\d{4} ${TIME} GMT$`,
    `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d\\d-${MONTH}-\\d\\d ${TIME} GMT$`,
    `^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`,
  ].join("|"),
  "i",
);

/**
 * The delay in ms a `Retry-After` header asks for: delay-seconds (integer, or decimal as some APIs send) or an
 * HTTP-date (relative to `nowMs`). A negative number or a past date gives 0; anything else (empty, garbage,
 * other date formats) gives undefined, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | undefined | null, nowMs: number = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (SECONDS.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    return Number.isFinite(ms) ? Math.min(ms, Number.MAX_SAFE_INTEGER) : undefined;
  }
  if (NEGATIVE_SECONDS.test(text)) return 0;
  if (!HTTP_DATE.test(text)) return undefined;
  // asctime has no zone: it is GMT.
  const date = Date.parse(/GMT$/i.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export interface BackoffOptions {
  /** Delay of the first retry before jitter (attempt 0). */
  readonly baseMs: number;
  /** Cap of the exponential delay. */
  readonly maxMs: number;
  /** Equal jitter: a uniformly random delay between half and all of the exponential value. Default true. */
  readonly jitter?: boolean;
  /** Source of randomness in [0, 1) (tests). Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with equal jitter for the given attempt (0-based): `min(maxMs, baseMs * 2^attempt)`, then,
 * with jitter, a uniformly random delay in [half of that, that]. Equal rather than full jitter: a rate-limited
 * API must see the wait grow, never a near-zero retry. Negative or NaN attempts count as 0.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const n = Number.isNaN(attempt) || attempt <= 0 ? 0 : Math.min(Math.floor(attempt), 60);
  const base = Math.max(0, options.baseMs);
  const cap = Math.max(0, options.maxMs);
  const exp = Math.min(cap, base * 2 ** n);
  if (options.jitter === false) return exp;
  const r = (options.random ?? Math.random)();
  return Math.round(exp / 2 + (Math.min(Math.max(r, 0), 1) * exp) / 2);
}

/** Node's longest timer; longer delays would fire after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error("The operation was aborted"), { name: "AbortError", cause: signal.reason });
}

/** Resolves after `ms`, or rejects with an `AbortError` (name `AbortError`) when the signal is or becomes aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const delay = Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_TIMER_MS) : ms > 0 ? MAX_TIMER_MS : 0;
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, delay);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `https://user:pw@host/p?token=x#f` → `https://host/p`: what may be shown of a URL. */
function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return raw.split(/[?#]/)[0] ?? "";
  }
}

/** Every URL in a free text reduced as above (error messages of some clients quote the request URL). */
function safeText(text: string): string {
  const line = (text.split("\n")[0] ?? "").replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (u) => safeUrl(u));
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

type Loose = Record<string, unknown> & {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  address?: unknown;
  port?: unknown;
  errors?: unknown;
  status?: unknown;
  config?: { method?: unknown; url?: unknown; baseURL?: unknown };
  response?: { status?: unknown; statusText?: unknown };
  request?: unknown;
};

function asObject(value: unknown): Loose | undefined {
  return typeof value === "object" && value !== null ? (value as Loose) : undefined;
}

/** `POST https://host/path` from an axios-like error (`config.method`, `config.url`, `config.baseURL`) or `method`/`url`. */
function requestLine(e: Loose): string | undefined {
  const config = asObject(e.config);
  const method =
    typeof config?.method === "string" ? config.method : typeof e.method === "string" ? e.method : undefined;
  let url = typeof config?.url === "string" ? config.url : typeof e.url === "string" ? e.url : undefined;
  const baseURL = typeof config?.baseURL === "string" ? config.baseURL : undefined;
  if (url !== undefined && baseURL && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    url = `${baseURL.replace(/\/+$/, "")}/${url.replace(/^\/+/, "")}`;
  }
  if (url === undefined) return undefined;
  return `${method ? `${method.toUpperCase()} ` : ""}${safeUrl(url)}`;
}

/** The socket-level failure (`ECONNREFUSED 127.0.0.1:1234`) in the error or its causes (fetch wraps it). */
function socketFailure(e: Loose, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  if (typeof e.code === "string" && /^E[A-Z0-9_]+$|^UND_ERR|^CERT_|^ERR_TLS|SELF_SIGNED|UNABLE_TO/.test(e.code)) {
    const address = typeof e.address === "string" ? e.address : undefined;
    const port = typeof e.port === "number" || typeof e.port === "string" ? String(e.port) : undefined;
    const host = typeof e.hostname === "string" ? e.hostname : undefined;
    const where = address ? (address.includes(":") ? `[${address}]` : address) + (port ? `:${port}` : "") : host;
    if (where) return `${e.code} ${where}`;
    // axios copies the code up but leaves the address on the cause.
    const detailed = nestedFailure(e, depth);
    return detailed?.startsWith(`${e.code} `) ? detailed : e.code;
  }
  return nestedFailure(e, depth);
}

function nestedFailure(e: Loose, depth: number): string | undefined {
  const nested = Array.isArray(e.errors) ? e.errors : [];
  for (const inner of [e.cause, ...nested]) {
    const o = asObject(inner);
    const found = o ? socketFailure(o, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

/**
 * A one-line description of a failed HTTP call for logs and errors, e.g. `POST https://host/path → 503 Service
 * Unavailable`, `GET https://host/x → ECONNREFUSED 127.0.0.1:1234`, `ECONNREFUSED 127.0.0.1:1234`. Works on axios
 * errors, fetch (undici) errors and Node socket errors. Never includes headers, bodies, query strings or URL
 * credentials.
 */
export function describeHttpError(error: unknown): string {
  const e = asObject(error);
  if (!e) return safeText(String(error));
  const where = requestLine(e);
  const response = asObject(e.response);
  const status =
    typeof response?.status === "number" ? response.status : typeof e.status === "number" ? e.status : undefined;
  if (status !== undefined) {
    const text =
      typeof response?.statusText === "string" && response.statusText !== ""
        ? response.statusText
        : STATUS_CODES[status];
    return `${where ? `${where} → ` : ""}${status}${text ? ` ${text}` : ""}`;
  }
  let failure = socketFailure(e);
  if (!failure) {
    if (e.name === "AbortError" || e.code === "ERR_CANCELED") failure = "aborted";
    else if (e.name === "TimeoutError") failure = "timed out";
    else if (e.code === "ECONNABORTED" || typeof e.code === "string") failure = String(e.code);
    else {
      const name = typeof e.name === "string" ? e.name : "Error";
      failure = typeof e.message === "string" && e.message !== "" ? `${name}: ${safeText(e.message)}` : name;
    }
  }
  return where ? `${where} → ${failure}` : failure;
}
