/** Delay in ms from a `Retry-After` header: seconds (integer or decimal) or an HTTP-date. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (/^-\d+(\.\d+)?$/.test(text)) return 0;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Full jitter (a random delay between half and all of the exponential value). Default true. */
  readonly jitter?: boolean;
}

/** Exponential backoff for the given attempt (0-based), capped at `maxMs`. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  if (options.jitter === false) return exp;
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/** Resolves after `ms`, or rejects with an AbortError when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(): Error {
  return Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
}

/** "POST https://host/path → 503 Service Unavailable" or "ECONNREFUSED 127.0.0.1:1234"; never headers or bodies. */
export function describeHttpError(error: unknown): string {
  const e = error as {
    code?: string;
    message?: string;
    config?: { method?: string; url?: string; baseURL?: string };
    response?: { status?: number; statusText?: string };
  };
  const method = e.config?.method?.toUpperCase();
  let url = e.config?.url;
  if (url && e.config?.baseURL && !/^https?:/.test(url)) url = `${e.config.baseURL.replace(/\/+$/, "")}/${url.replace(/^\/+/, "")}`;
  const where = method && url ? `${method} ${url.split("?")[0]}` : undefined;
  if (e.response?.status) return `${where ?? "request"} → ${e.response.status} ${e.response.statusText ?? ""}`.trim();
  const code = e.code ?? "network error";
  return where ? `${where} → ${code}` : `${code}${e.message ? ` (${e.message})` : ""}`;
}
