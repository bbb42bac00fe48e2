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
