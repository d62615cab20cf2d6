// The worker process: `tsx worker/index.ts`. Runs every queue's processors until SIGTERM,
// then lets in-flight jobs finish (bounded) before exiting.
import { createAiProvider } from "@/lib/ai";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { announceMedia, closePublisher } from "@/lib/events/publisher";
import { createRedis } from "@/lib/redis";
import { schemaProblem } from "@/lib/schema-check";
import { storage } from "@/lib/storage/instance";
import { buildProcessors } from "./processors";
import { startWorkers } from "./runtime";

const SHUTDOWN_GRACE_MS = 30_000;

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
      announce: announceMedia,
    }),
  );
  console.log(
    `[worker] started: queues ${runtime.workers.map((w) => w.name).join(", ")}; concurrency ${config.WORKER_CONCURRENCY}; captions by ${ai.name}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[worker] ${signal}: finishing in-flight jobs (up to ${SHUTDOWN_GRACE_MS / 1000}s)…`);
    const timer = setTimeout(() => {
      console.error("[worker] grace period over; unfinished jobs go back to the queue when they stall");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    await runtime.close();
    await Promise.all([closePublisher(), lockRedis.quit().catch(() => {}), db().$disconnect()]);
    clearTimeout(timer);
    console.log("[worker] stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  console.error(`[worker] failed to start: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
