import { describe, expect, it, vi } from "vitest";
import { DEFAULT_RATE_LIMIT, IOCS_PATH, NGINX_429_HTML } from "../../dev/simulator/index.js";
import { ACCOUNT_FILTER, ips, startSim } from "./helpers.js";

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

function clock() {
  let now = T0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("rate limit (§7.3, §9.9)", () => {
  it("answers 429 with nginx's exact HTML page and no Retry-After by default config", async () => {
    const c = clock();
    const { api, sim } = await startSim({ now: c.now, rateLimit: { ...DEFAULT_RATE_LIMIT, requestsPerMinute: 2 } });
    expect((await api.get()).status).toBe(200);
    expect((await api.post({ filter: ACCOUNT_FILTER, data: ips(1) })).status).toBe(200);
    const r = await api.get();
    expect(r.status).toBe(429);
    expect(r.text).toBe(
      "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>",
    );
    expect(r.text).toBe(NGINX_429_HTML);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(r.headers.get("retry-after")).toBeNull();
    expect(sim.stats().rateLimited).toBe(1);
    expect(sim.stats().byStatus[429]).toBe(1);
    // Refill: 2/min is one token every 30 s.
    c.advance(30_000);
    expect((await api.get()).status).toBe(200);
    expect((await api.get()).status).toBe(429);
  });

  it("sends Retry-After in integer seconds", async () => {
    const c = clock();
    const { api } = await startSim({
      now: c.now,
      rateLimit: { requestsPerMinute: 6, burst: 1, retryAfter: "seconds", body: "json" },
    });
    expect((await api.get()).status).toBe(200);
    const r = await api.get();
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("10");
    expect(r.json).toEqual({ errors: [{ code: 4290010, title: "Too Many Requests", detail: null }] });
    c.advance(4_000);
    expect((await api.get()).headers.get("retry-after")).toBe("6");
  });

  it("sends Retry-After as an HTTP-date", async () => {
    const c = clock();
    const { api } = await startSim({
      now: c.now,
      rateLimit: { requestsPerMinute: 1, retryAfter: "http-date", body: "html" },
    });
    await api.get();
    const r = await api.get();
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe(new Date(T0 + 60_000).toUTCString());
    expect(r.headers.get("retry-after")).toBe("Sun, 01 Mar 2026 10:01:00 GMT");
  });

  it("keeps one bucket per token, can be changed at runtime, and leaves other paths alone", async () => {
    const c = clock();
    const { api, sim } = await startSim({
      now: c.now,
      tokens: {
        a: { user: "a@example.com", scope: "account", accountIds: ["1000000000000000001"] },
        b: { user: "b@example.com", scope: "account", accountIds: ["1000000000000000001"] },
      },
    });
    sim.setRateLimit({ requestsPerMinute: 1, retryAfter: "seconds", body: "html" });
    expect((await api.as("a").get()).status).toBe(200);
    expect((await api.as("a").get()).status).toBe(429);
    expect((await api.as("b").get()).status).toBe(200);
    expect((await api.as("a").raw("GET", "/web/api/v2.1/agents")).status).toBe(404);
    sim.setRateLimit(null);
    expect((await api.as("a").get()).status).toBe(200);
  });
});

describe("fault injection (§9.9)", () => {
  it("failNext answers the next n requests with the status and body asked for, then recovers", async () => {
    const { api, sim } = await startSim();
    sim.failNext(2);
    const first = await api.post({ filter: ACCOUNT_FILTER, data: ips(1) });
    expect(first.status).toBe(503);
    expect(first.text).toContain("<center><h1>503 Service Temporarily Unavailable</h1></center>");
    expect((await api.get()).status).toBe(503);
    expect((await api.post({ filter: ACCOUNT_FILTER, data: ips(1) })).status).toBe(200);
    expect(sim.iocs()).toHaveLength(1); // the failed POST stored nothing

    sim.failNext(1, 500);
    const e500 = await api.get();
    expect(e500.status).toBe(500);
    expect(e500.json.errors[0]).toMatchObject({ code: 5000010, detail: "Server could not process the request." });
    sim.failNext(1, 502, "json");
    const e502 = await api.get();
    expect(e502.status).toBe(502);
    expect(e502.json.errors[0].code).toBe(5020010);
    sim.failNext(1, 500, "html");
    expect((await api.get()).text).toContain("500 Internal Server Error");
    sim.failNext(1, 503, { raw: "upstream down", contentType: "text/plain" });
    const raw = await api.get();
    expect([raw.status, raw.text, raw.headers.get("content-type")]).toEqual([503, "upstream down", "text/plain"]);
    expect(sim.stats().byStatus).toEqual({ 200: 1, 500: 2, 502: 1, 503: 3 });
  });

  it("hangNext holds a request until the client times out, later requests are served, stop() does not hang", async () => {
    const { api, sim } = await startSim();
    sim.hangNext(1);
    const hung = fetch(`${api.url}${IOCS_PATH}`, {
      headers: { authorization: "ApiToken s1-test-api-key" },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toMatchObject({ name: "TimeoutError" });
    expect((await api.get()).status).toBe(200);
    expect(sim.stats().hung).toBe(1);
    expect(sim.requests[0]).toMatchObject({ method: "GET", path: IOCS_PATH, status: 0 });

    // A request still held when the server stops is cut, not waited for.
    sim.hangNext(1);
    const held = fetch(`${api.url}${IOCS_PATH}`, { headers: { authorization: "ApiToken s1-test-api-key" } });
    await vi.waitFor(() => expect(sim.stats().hung).toBe(2));
    await sim.stop();
    await expect(held).rejects.toThrow();
  });

  it("setLatency delays answers (a client timeout shorter than the latency fires)", async () => {
    const { api, sim } = await startSim();
    sim.setLatency(2_000);
    const slow = fetch(`${api.url}${IOCS_PATH}`, {
      headers: { authorization: "ApiToken s1-test-api-key" },
      signal: AbortSignal.timeout(200),
    });
    await expect(slow).rejects.toMatchObject({ name: "TimeoutError" });
    sim.setLatency(0);
    expect((await api.get()).status).toBe(200);
  });
});
