// The worker process: `tsx worker/index.ts`. Runs every queue's processors until SIGTERM,
// then lets in-flight jobs finish (bounded) before exiting.
import { createAiProvider } from "@/lib/ai";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { announceMedia, closePublisher } from "@/lib/events/publisher";
import { rootLogger } from "@/lib/log";
import { metricsRegistry } from "@/lib/metrics/registry";
import { createRedis } from "@/lib/redis";
import { schemaProblem } from "@/lib/schema-check";
import { storage } from "@/lib/storage/instance";
import { startMetricsServer } from "./metrics-server";
import { buildProcessors } from "./processors";
import { startWorkers } from "./runtime";

const SHUTDOWN_GRACE_MS = 30_000;
const logger = rootLogger().child({ component: "worker" });

async function main() {
  const config = env();
  const problem = await schemaProblem(config.DATABASE_URL, config.DATABASE_SCHEMA);
  if (problem) throw new Error(problem);
  const lockRedis = createRedis("lock");
  const ai = createAiProvider(config);
  const runtime = startWorkers(
    buildProcessors({
      db: db(),
      storage: storage(),
      ai,
      redis: lockRedis,
      prefix: config.QUEUE_PREFIX,
      maxPixels: config.MAX_PIXELS,
      maxFrames: config.MAX_FRAMES,
      announce: announceMedia,
    }),
  );
  const queues = runtime.workers.map((w) => w.name);
  logger.info({ queues, concurrency: config.WORKER_CONCURRENCY, captions: ai.name }, "worker started");
  const metricsServer = await startMetricsServer({
    port: config.WORKER_METRICS_PORT,
    host: config.WORKER_METRICS_HOST,
    token: config.METRICS_TOKEN,
    registry: metricsRegistry(),
    logger,
    health: () => ({ queues }),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceSeconds: SHUTDOWN_GRACE_MS / 1000 }, "finishing in-flight jobs");
    const timer = setTimeout(() => {
      logger.error("grace period over; unfinished jobs go back to the queue when they stall");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    await runtime.close();
    await Promise.all([closePublisher(), lockRedis.quit().catch(() => {}), db().$disconnect(), metricsServer?.close()]);
    clearTimeout(timer);
    logger.info("worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  logger.fatal({ err: err instanceof Error ? err.message : String(err) }, "worker failed to start");
  process.exit(1);
});
