import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/metrics/metrics.js";
import { type HealthReport, type MetricsServer, startMetricsServer } from "../../src/metrics/server.js";
import type { Metrics } from "../../src/metrics/types.js";

const servers: MetricsServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(metrics: Metrics, health: () => HealthReport = () => ({ status: "ok" })): Promise<string> {
  const server = await startMetricsServer({ port: 0, host: "127.0.0.1", metrics, health });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

/** Sample lines (`name{labels} value`) of the exposition, comments dropped. */
const samples = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

describe("SDK metrics over /metrics", () => {
  it("exposes exactly pycti's names and ours", async () => {
    const metrics = createMetrics();
    const { sdk } = metrics;
    sdk.pingApi.inc();
    sdk.pingApi.inc();
    sdk.pingApiErrors.inc();
    sdk.errors.inc();
    sdk.eventsReceived.inc({ event: "create" });
    sdk.eventsHandled.inc({ event: "delete" });
    sdk.eventsFailed.inc({ reason: "TypeError" });
    sdk.eventsMalformed.inc();
    sdk.reconnects.inc();
    sdk.inFlight.set(3);
    sdk.lag.set(1.5);
    const base = await serve(metrics);
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = samples(await response.text());
    for (const expected of [
      "ping_api_total 2",
      "ping_api_errors_total 1",
      "errors_total 1",
      'state{state="idle"} 1',
      'state{state="running"} 0',
      'state{state="stopped"} 0',
      'stream_events_received_total{event="create"} 1',
      'stream_events_handled_total{event="delete"} 1',
      'stream_events_failed_total{reason="TypeError"} 1',
      "stream_events_malformed_total 1",
      "stream_reconnects_total 1",
      "stream_in_flight_events 3",
      "stream_lag_seconds 1.5",
    ]) {
      expect(lines).toContain(expected);
    }
    const text = lines.join("\n");
    // prom-client does not double the suffix.
    expect(text).not.toMatch(/_total_total/);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_total_bytes \d/m);
  });

  it("counts the runner's per-event figures in the stream tally and shows them at each collection", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const { sdk } = metrics;
    sdk.stream.receive("create");
    sdk.stream.receive("create");
    sdk.stream.receive("delete");
    sdk.stream.handle("create");
    sdk.stream.inFlight(2);
    const before = Date.now();
    sdk.stream.acknowledged(`${before - 4000}-0`);
    let lines = samples(await metrics.registry.metrics());
    expect(lines).toContain('stream_events_received_total{event="create"} 2');
    expect(lines).toContain('stream_events_received_total{event="delete"} 1');
    expect(lines).toContain('stream_events_handled_total{event="create"} 1');
    expect(lines).toContain("stream_in_flight_events 2");
    const lag = Number(lines.find((l) => l.startsWith("stream_lag_seconds "))?.split(" ")[1]);
    expect(lag).toBeGreaterThanOrEqual(4);
    expect(lag).toBeLessThan(4 + (Date.now() - before) / 1000 + 0.001);
    // A second collection adds only what was counted since the first.
    sdk.stream.receive("create");
    sdk.stream.inFlight(0);
    lines = samples(await metrics.registry.metrics());
    expect(lines).toContain('stream_events_received_total{event="create"} 3');
    expect(lines).toContain('stream_events_received_total{event="delete"} 1');
    expect(lines).toContain("stream_in_flight_events 0");
    expect((await sdk.eventsReceived.get()).values.reduce((n, v) => n + v.value, 0)).toBe(4);
  });

  it("declares the types pycti uses", async () => {
    const text = await createMetrics({ processMetrics: false }).registry.metrics();
    expect(text).toContain("# TYPE ping_api_total counter");
    expect(text).toContain("# HELP ping_api_total Number of pings to the API");
    expect(text).toContain("# TYPE errors_total counter");
    expect(text).toContain("# TYPE state gauge");
    expect(text).toContain("# TYPE stream_lag_seconds gauge");
  });

  it("prefixes every name with namespace and subsystem (empty parts dropped), connector metrics too", async () => {
    const both = createMetrics({ namespace: "octi", subsystem: "s1", processMetrics: false });
    both.sdk.errors.inc();
    both.counter("iocs_created_total", "IOCs created", ["type"]).inc({ type: "DNS" });
    both.gauge("queue_depth", "Queue depth").set(4);
    both.histogram("push_seconds", "Push duration", [], [0.1, 1]).observe(0.5);
    const text = await both.registry.metrics();
    expect(text).toMatch(/^octi_s1_errors_total 1$/m);
    expect(text).toMatch(/^octi_s1_iocs_created_total\{type="DNS"\} 1$/m);
    expect(text).toMatch(/^octi_s1_queue_depth 4$/m);
    expect(text).toMatch(/^octi_s1_push_seconds_bucket\{le="1"\} 1$/m);
    expect(await createMetrics({ subsystem: "s1", processMetrics: false }).registry.metrics()).toMatch(
      /^s1_ping_api_total 0$/m,
    );
    expect(await createMetrics({ namespace: "", subsystem: "", processMetrics: false }).registry.metrics()).toMatch(
      /^ping_api_total 0$/m,
    );
  });

  it("keeps runs apart: each has its own registry", async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.sdk.errors.inc();
    expect(await a.registry.metrics()).toMatch(/^errors_total 1$/m);
    expect(await b.registry.metrics()).toMatch(/^errors_total 0$/m);
    expect(a.registry).not.toBe(b.registry);
  });

  it("refuses a prefix Prometheus cannot take", () => {
    expect(() => createMetrics({ namespace: "my-connector" })).toThrow(/Invalid metrics prefix "my-connector"/);
  });
});

describe("/health and the rest of the server", () => {
  it.each([
    ["ok", 200],
    ["degraded", 200],
    ["down", 503],
  ] as const)("answers %s with %i and a JSON body", async (status, code) => {
    const base = await serve(createMetrics({ processMetrics: false }), () => ({
      status,
      details: { stream: "connected" },
    }));
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(code);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ status, details: { stream: "connected" } });
  });

  it("follows the health function from one request to the next", async () => {
    let status: HealthReport["status"] = "ok";
    const base = await serve(createMetrics({ processMetrics: false }), () => ({ status }));
    expect((await fetch(`${base}/health`)).status).toBe(200);
    status = "down";
    const down = await fetch(`${base}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "down" });
  });

  it("answers 503 when the health function throws", async () => {
    const base = await serve(createMetrics({ processMetrics: false }), () => {
      throw new Error("nope");
    });
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: "down" });
  });

  it("404 elsewhere, 405 for other methods, HEAD without a body", async () => {
    const base = await serve(createMetrics({ processMetrics: false }));
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(405);
    const head = await fetch(`${base}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
  });

  it("rejects when the port is taken, and close() frees it", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as AddressInfo).port;
    const metrics = createMetrics({ processMetrics: false });
    await expect(
      startMetricsServer({ port, host: "127.0.0.1", metrics, health: () => ({ status: "ok" }) }),
    ).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    await new Promise<void>((r) => blocker.close(() => r()));
    const server = await startMetricsServer({ port, host: "127.0.0.1", metrics, health: () => ({ status: "ok" }) });
    expect(server.port).toBe(port);
    await server.close();
    await server.close();
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
