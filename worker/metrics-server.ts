// The worker's own small HTTP server (WORKER_METRICS_PORT): GET /metrics in Prometheus
// format behind the same bearer token as the web app's /api/metrics, and GET /health for
// liveness probes. Workers serve no other HTTP.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "@/lib/log";
import { METRICS_DENIED_MESSAGE, METRICS_DISABLED_MESSAGE, metricsAccess } from "@/lib/metrics/auth";

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  port: number;
  host: string;
  token: string | undefined;
  registry: Registry;
  logger: Logger;
  /** Extra fields for /health, e.g. the queues this process works on. */
  health?: () => Record<string, unknown>;
}

/**
 * Starts the server; resolves to null when the port is 0 (turned off) or taken (another
 * worker on this machine has it), since a worker without metrics is better than none.
 */
export function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer | null> {
  if (opts.port === 0) return Promise.resolve(null);
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://worker").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: { message: "Only GET." } });
    if (path === "/health") return json(res, 200, { status: "ok", uptimeSeconds: Math.round(process.uptime()), ...opts.health?.() });
    if (path !== "/metrics") return json(res, 404, { error: { message: "Try /metrics or /health." } });
    const access = metricsAccess(req.headers.authorization, opts.token);
    if (access === "disabled") return json(res, 404, { error: { message: METRICS_DISABLED_MESSAGE, code: "metrics_disabled" } });
    if (access === "denied") {
      return json(res, 401, { error: { message: METRICS_DENIED_MESSAGE, code: "unauthenticated" } }, { "WWW-Authenticate": "Bearer" });
    }
    opts.registry.metrics().then(
      (text) => {
        res.writeHead(200, { "Content-Type": opts.registry.contentType, "Cache-Control": "no-store" });
        res.end(text);
      },
      (err: Error) => {
        opts.logger.error({ err }, "metrics: collection failed");
        json(res, 500, { error: { message: "Collecting metrics failed; see the worker log." } });
      },
    );
  });
  return new Promise((resolve) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      opts.logger.error(
        { err: err.message, port: opts.port },
        err.code === "EADDRINUSE"
          ? "metrics: port already in use (give each worker on this machine its own WORKER_METRICS_PORT); running without /metrics"
          : "metrics: server failed to start; running without /metrics",
      );
      resolve(null);
    });
    server.listen(opts.port, opts.host, () => {
      const port = (server.address() as AddressInfo).port;
      opts.logger.info({ port, host: opts.host }, "metrics: serving /metrics and /health");
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
