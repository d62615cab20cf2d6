// Integration tests run the real worker runtime in-process. These are the pieces every
// such test file needs: the processor dependencies (with per-test overrides), the
// per-process connections to close afterwards, and one job taken by hand.
import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { createLocalProvider } from "@/lib/ai/local";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { closePublisher } from "@/lib/events/publish";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues, type QueueName } from "@/lib/jobs";
import { bullConnection } from "@/lib/redis";
import { storage } from "@/lib/storage/instance";
import type { ProcessorDeps } from "@/worker/processors";

/** The worker's real dependencies (local captions by default); call after isolate(). */
export function processorDeps(lockRedis: Redis, overrides: Partial<ProcessorDeps> = {}): ProcessorDeps {
  return {
    db: db(),
    storage: storage(),
    ai: createLocalProvider(),
    redis: lockRedis,
    prefix: env().QUEUE_PREFIX,
    maxPixels: env().MAX_PIXELS,
    ...overrides,
  };
}

/** Closes this process's queues, event hub, publisher, lock connection and database pool. */
export async function closeConnections(lockRedis?: Redis): Promise<void> {
  await Promise.all([closeQueues(), closeEventHub(), closePublisher(), lockRedis?.quit()]);
  await db().$disconnect();
}

/**
 * Takes one job off `queue` as a worker would: it is then active, its lock held by `token`.
 * Other jobs met first go back to waiting. Close the returned worker when done with the job.
 */
export async function takeJob(queue: QueueName, jobId: string, token: string): Promise<{ job: Job; worker: Worker }> {
  const worker = new Worker(queue, null, { connection: bullConnection("worker"), prefix: env().QUEUE_PREFIX, autorun: false });
  try {
    for (;;) {
      const job = await worker.getNextJob(token);
      if (!job) throw new Error(`job ${jobId} not found in ${queue}`);
      if (job.id === jobId) return { job, worker };
      await job.moveToWait(token); // not the one: put it back
    }
  } catch (err) {
    await worker.close();
    throw err;
  }
}
