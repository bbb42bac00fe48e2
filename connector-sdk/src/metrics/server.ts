import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "./types.js";

export interface HealthReport {
  readonly status: "ok" | "degraded" | "down";
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface MetricsServerOptions {
  /** 0 picks a free port (tests). pycti's default is 9095 (`CONNECTOR_METRICS_PORT`). */
  readonly port: number;
  /** Default `0.0.0.0`, as prometheus_client's `start_http_server`. */
  readonly host?: string;
  readonly metrics: Metrics;
  /** Called on every `GET /health`; a throw counts as `down`. */
  readonly health: () => HealthReport;
}

export interface MetricsServer {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format, the run's registry) and `GET /health` (JSON `{status, details?}`,
 * 200 for ok/degraded, 503 for down). HEAD is answered like GET without a body, other methods get 405, other
 * paths 404. Rejects when the port cannot be bound (e.g. EADDRINUSE).
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      options.metrics.registry.metrics().then(
        (text) =>
          res.writeHead(200, { "content-type": options.metrics.registry.contentType }).end(head ? undefined : text),
        () =>
          res.writeHead(500, { "content-type": "text/plain" }).end(head ? undefined : "metrics collection failed\n"),
      );
      return;
    }
    if (path === "/health") {
      let report: HealthReport;
      try {
        report = options.health();
      } catch {
        report = { status: "down", details: { error: "health check failed" } };
      }
      const body = JSON.stringify(report.details === undefined ? { status: report.status } : report);
      res
        .writeHead(report.status === "down" ? 503 : 200, {
          "content-type": "application/json",
          "cache-control": "no-store",
        })
        .end(head ? undefined : body);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end(head ? undefined : "not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", onError);
      // A later socket-level error must not crash the connector: the endpoint is an observer.
      server.on("error", () => undefined);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
