import { describe, expect, it } from "vitest";
import { bypassesProxy, proxyFor } from "../../src/http/agents.js";
import { backoffDelay, describeHttpError, parseRetryAfter, sleep } from "../../src/http/retry.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    ["120", 120_000],
    ["1.5", 1_500],
    ["0", 0],
    ["-3", 0],
    ["Thu, 01 Jan 2026 00:00:30 GMT", 30_000],
    ["Wed, 31 Dec 2025 23:00:00 GMT", 0],
    ["soon", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("%j → %j ms", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe("backoff and sleep", () => {
  it("grows exponentially and is capped", () => {
    expect(backoffDelay(0, { baseMs: 100, maxMs: 1000, jitter: false })).toBe(100);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000, jitter: false })).toBe(800);
    expect(backoffDelay(10, { baseMs: 100, maxMs: 1000, jitter: false })).toBe(1000);
    const j = backoffDelay(3, { baseMs: 100, maxMs: 1000 });
    expect(j).toBeGreaterThanOrEqual(400);
    expect(j).toBeLessThanOrEqual(800);
  });

  it("sleep ends early with an AbortError", async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
  });

  it("describes errors without bodies or headers", () => {
    const text = describeHttpError({
      config: { method: "post", url: "https://s1.example.com/web/api?x=secret", headers: { Authorization: "ApiToken zzz" } },
      response: { status: 503, statusText: "Service Unavailable", data: "token zzz" },
    });
    expect(text).toBe("POST https://s1.example.com/web/api → 503 Service Unavailable");
    expect(describeHttpError({ code: "ECONNREFUSED" })).toMatch(/ECONNREFUSED/);
  });
});

describe("proxy selection", () => {
  it("uses HTTPS_PROXY for https, HTTP_PROXY for http, either case", () => {
    expect(proxyFor("https://a.example.com/x", { HTTPS_PROXY: "http://proxy:3128" })).toBe("http://proxy:3128");
    expect(proxyFor("http://a.example.com/x", { http_proxy: "proxy:8080" })).toBe("http://proxy:8080");
    expect(proxyFor("http://a.example.com/x", { HTTPS_PROXY: "http://proxy:3128" })).toBeUndefined();
  });

  it("honours NO_PROXY", () => {
    const env = { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "localhost,.internal.example.com,10.0.0.1:443" };
    expect(proxyFor("https://localhost:8443/", env)).toBeUndefined();
    expect(proxyFor("https://api.internal.example.com/", env)).toBeUndefined();
    expect(proxyFor("https://10.0.0.1/", env)).toBeUndefined();
    expect(proxyFor("https://example.com/", env)).toBe("http://proxy:3128");
    expect(bypassesProxy(new URL("https://x.com"), "*")).toBe(true);
  });
});
