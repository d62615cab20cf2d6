// The worker process: `node --import tsx worker/index.ts`. Runs every queue's processors
// until SIGTERM, then lets in-flight jobs finish for up to WORKER_SHUTDOWN_GRACE_MS; jobs
// still running after that are handed back to the queue for another worker, and it exits.
import sharp from "sharp";
import { createAiChainFromEnv, createAiProvider } from "@/lib/ai";
import { createLocalVision } from "@/lib/ai/vision/human";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { closePublisher, publishPatiently } from "@/lib/events/publish";
import { closeQueues, scheduleMaintenance } from "@/lib/jobs";
import { rootLogger } from "@/lib/log";
import { metricsRegistry } from "@/lib/metrics/registry";
import { createRedis } from "@/lib/redis";
import { schemaProblem } from "@/lib/schema-check";
import { storage } from "@/lib/storage/instance";
import { startMetricsServer } from "./metrics-server";
import { buildProcessors } from "./processors";
import { startWorkers } from "./runtime";

const logger = rootLogger().child({ component: "worker" });

async function main() {
  const config = env();
  // libvips's operation cache (sharp's defaults at SHARP_CACHE_MB=50). It is not what the
  // worker's memory grows from: off, the soak's plateau was the same (within 1 %). The
  // cure is MALLOC_ARENA_MAX=2, set where the worker is spawned (docs/performance.md).
  sharp.cache(config.SHARP_CACHE_MB > 0 ? { memory: config.SHARP_CACHE_MB, files: 20, items: 100 } : false);
  if (config.SHARP_CONCURRENCY > 0) sharp.concurrency(config.SHARP_CONCURRENCY);
  const problem = await schemaProblem(config.DATABASE_URL, config.DATABASE_SCHEMA);
  if (problem) throw new Error(problem);
  // Both wait out a Redis restart (see lib/redis.ts): a job should not fail, nor its
  // progress be lost, because Redis blinked while it was publishing progress (for every
  // live kind) or taking its analysis lock.
  publishPatiently();
  const lockRedis = createRedis("lock");
  // One chain for photo captions and AI jobs: the same providers, circuits (shared with
  // every worker process through Redis, so is a 429's delay) and AI_MAX_CONCURRENT_REQUESTS.
  // Where "local" stands, the local vision model (loaded on the first photo) names what is in it.
  const aiChain = createAiChainFromEnv(config, lockRedis);
  let visionFailed = false;
  const ai = createAiProvider(config, {
    chain: aiChain,
    // The analysis records only "local": say which providers rejected the photo and why
    // (a bad key would otherwise pass unnoticed as local captions).
    onPassedOver: (skipped) => logger.warn({ skipped: skipped.map((s) => `${s.provider}: ${s.reason}`) }, "photo described locally: the AI providers before local rejected it"),
    vision: config.LOCAL_VISION ? createLocalVision() : undefined,
    onVisionError: (err) => {
      // Logged once: a broken install fails the same way for every photo.
      if (visionFailed) return;
      visionFailed = true;
      logger.error({ err: err.message }, "local vision model unavailable; describing photos from colours and EXIF only");
    },
  });
  const runtime = startWorkers(
    buildProcessors({
      db: db(),
      storage: storage(),
      ai,
      aiChain,
      redis: lockRedis,
      prefix: config.QUEUE_PREFIX,
      maxPixels: config.MAX_PIXELS,
      maxFrames: config.MAX_FRAMES,
      reconcileStaleMs: config.RECONCILE_STALE_MS,
    }),
  );
  const queues = runtime.workers.map((w) => w.name);
  const concurrency = () => Object.fromEntries(runtime.workers.map((w) => [w.name, runtime.concurrency(w.name)]));
  logger.info({ queues, concurrency: concurrency(), autoscale: config.WORKER_AUTOSCALE, captions: ai.name }, "worker started");
  const metricsServer = await startMetricsServer({
    port: config.WORKER_METRICS_PORT,
    host: config.WORKER_METRICS_HOST,
    token: config.METRICS_TOKEN,
    registry: metricsRegistry(),
    logger,
    health: () => ({ queues, concurrency: concurrency() }),
  });
  // Every worker upserts the same scheduler: one schedule however many workers run.
  // Not awaited before serving jobs, so a worker still starts while Redis is down.
  scheduleMaintenance(config.RECONCILE_EVERY_MS).then(
    () => logger.info({ everySeconds: config.RECONCILE_EVERY_MS / 1000 }, "reconciler scheduled"),
    (err) => logger.error({ err: (err as Error).message }, "could not schedule the reconciler"),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const grace = config.WORKER_SHUTDOWN_GRACE_MS;
    logger.info({ signal, inFlight: runtime.inFlight, graceSeconds: grace / 1000 }, "finishing in-flight jobs");
    // Backstop: if even handing jobs back hangs (Redis gone), their locks expire and
    // the stalled-job check gives them to another worker.
    setTimeout(() => {
      logger.error("shutdown did not complete; exiting");
      process.exit(1);
    }, grace + 10_000).unref();
    const { finished, handedBack } = await runtime.close(grace);
    if (!finished) logger.warn({ handedBack }, `grace period over; handed ${handedBack.length} job(s) back to the queue`);
    await Promise.all([
      closeQueues(),
      closePublisher(),
      lockRedis.quit().catch(() => {}),
      db().$disconnect(),
      metricsServer?.close(),
    ]);
    logger.info("worker stopped");
    process.exit(finished ? 0 : 1);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  logger.fatal({ err: err instanceof Error ? err.message : String(err) }, "worker failed to start");
  process.exit(1);
});
