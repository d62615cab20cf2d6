// Graceful shutdown of a web process (`next start`). Next itself, on SIGTERM, stops
// accepting connections and waits for in-flight requests before exiting (143). Three things
// would make that wait unbounded, and this handles them: live update (SSE) streams, which
// never end by themselves, are closed at once (browsers reconnect elsewhere); keep-alive
// connections, which browsers keep busy (an EventSource retries every 3 s, polling every
// 2 s, both inside Node's 5 s keep-alive timeout), are closed as soon as they are idle and
// told "Connection: close" on their next response; and a hard deadline,
// WEB_SHUTDOWN_GRACE_MS, ends the process whatever is still running.
import http from "node:http";
import path from "node:path";
import { env } from "@/lib/env";
import { rootLogger } from "@/lib/log";
import { closeEventHub } from "@/lib/events/web";
import { closeAllStreams } from "./sse";
import { sweepTempFiles } from "./upload";

const logger = () => rootLogger().child({ component: "web" });

const holder = globalThis as unknown as { framecastShutdownInstalled?: boolean; framecastHttpServers?: Set<http.Server> };

/**
 * Next does not hand out its http.Server; note each server that emits a request, so the
 * drain can reach its connections. One comparison per event.
 */
function trackHttpServers(): Set<http.Server> {
  if (holder.framecastHttpServers) return holder.framecastHttpServers;
  const servers = (holder.framecastHttpServers = new Set());
  const proto = http.Server.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") servers.add(this);
    return emit.call(this, event, ...args);
  };
  return servers;
}

/** Ends keep-alive connections: idle ones now and while draining, busy ones after their response. */
function closeKeepAlive(servers: Set<http.Server>): void {
  for (const server of servers) {
    server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!res.headersSent) res.setHeader("Connection", "close");
    });
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 250).unref();
  }
}

export function installWebShutdown(graceMs = env().WEB_SHUTDOWN_GRACE_MS): void {
  if (holder.framecastShutdownInstalled) return;
  holder.framecastShutdownInstalled = true;
  const servers = trackHttpServers();
  let draining = false;
  const drain = (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    const streams = closeAllStreams("The server is restarting. Reconnecting…");
    closeKeepAlive(servers);
    logger().info({ signal, streams, graceSeconds: graceMs / 1000 }, "draining: live update streams closed, waiting for requests in flight");
    void closeEventHub();
    // unref: when Next finishes first, it exits on its own schedule.
    setTimeout(() => {
      logger().error({ graceSeconds: graceMs / 1000 }, "requests still running after the grace period; exiting anyway");
      process.exit(1);
    }, graceMs).unref();
  };
  process.on("SIGTERM", drain);
  process.on("SIGINT", drain);
}

/** Start-up housekeeping: temp files of uploads cut short by a crash (older than an hour). */
export async function sweepUploadLeftovers(): Promise<void> {
  const removed = await sweepTempFiles(path.join(env().DATA_DIR, "tmp"), 60 * 60_000);
  if (removed > 0) logger().info({ removed }, "removed temp files left by interrupted uploads");
}
