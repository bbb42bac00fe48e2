import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "./types.js";

export interface HealthReport {
  readonly status: "ok" | "degraded" | "down";
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface MetricsServerOptions {
  readonly port: number;
  /** Default `0.0.0.0`, as prometheus_client's `start_http_server`. */
  readonly host?: string;
  readonly metrics: Metrics;
  readonly health: () => HealthReport;
}

/** Serves `GET /metrics` (Prometheus text) and `GET /health` (200 ok/degraded, 503 down). */
export async function startMetricsServer(
  options: MetricsServerOptions,
): Promise<{ readonly port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405).end();
      return;
    }
    if (path === "/metrics") {
      options.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": options.metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (path === "/health") {
      const report = options.health();
      res
        .writeHead(report.status === "down" ? 503 : 200, { "content-type": "application/json" })
        .end(JSON.stringify(report));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
