// Integration tests run the real worker runtime in-process. These are the pieces every
// such test file needs: the processor dependencies (with per-test overrides) and the
// per-process connections to close afterwards.
import type { Redis } from "ioredis";
import { createLocalProvider } from "@/lib/ai/local";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { closePublisher } from "@/lib/events/publish";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues } from "@/lib/jobs";
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
