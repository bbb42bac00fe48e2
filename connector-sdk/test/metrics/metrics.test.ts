import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/metrics/metrics.js";
import { startMetricsServer } from "../../src/metrics/server.js";

describe("metrics", () => {
  it("exposes pycti's names and ours over HTTP, with a health endpoint", async () => {
    const metrics = createMetrics();
    metrics.sdk.pingApi.inc();
    metrics.sdk.eventsReceived.inc({ event: "create" });
    let status: "ok" | "down" = "ok";
    const server = await startMetricsServer({ port: 0, host: "127.0.0.1", metrics, health: () => ({ status }) });
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(text).toMatch(/^ping_api_total 1$/m);
      expect(text).toMatch(/^stream_events_received_total\{event="create"\} 1$/m);
      expect(text).toMatch(/^ping_api_errors_total 0$/m);
      expect(text).toMatch(/process_cpu_user_seconds_total/);
      expect((await fetch(`http://127.0.0.1:${server.port}/health`)).status).toBe(200);
      status = "down";
      expect((await fetch(`http://127.0.0.1:${server.port}/health`)).status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it("prefixes names with namespace and subsystem, and keeps runs apart", async () => {
    const a = createMetrics({ namespace: "octi", subsystem: "s1", processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.sdk.errors.inc();
    expect(await a.registry.metrics()).toMatch(/^octi_s1_errors_total 1$/m);
    expect(await b.registry.metrics()).toMatch(/^errors_total 0$/m);
  });
});
