// The job catalogue: the contract between the web app (which enqueues) and the worker
// (which processes). It names every queue and job, validates payloads, derives job ids
// from entity ids, and holds default options. It imports no processor code.
import { z } from "zod";
import type { JobsOptions } from "bullmq";

/** Retry delays for "capped-exponential": 1 s, 2 s, 4 s, … never more than 10 s. */
export function cappedExponentialDelay(attemptsMade: number, baseMs = 1_000, capMs = 10_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), capMs);
}

/**
 * Job retention: finished jobs are kept long enough to inspect, bounded by age AND count
 * so Redis memory stays flat whatever the traffic (see docs/operations.md). Postgres keeps
 * the record a user sees; a removed job only loses its BullMQ history.
 */
export const RETENTION = {
  completed: { age: 24 * 3600, count: 1_000 },
  failed: { age: 7 * 24 * 3600, count: 5_000 },
  maintenance: { completed: { age: 3600, count: 20 }, failed: { age: 24 * 3600, count: 50 } },
} as const;

const retried: JobsOptions = {
  attempts: 3,
  backoff: { type: "capped-exponential" },
  removeOnComplete: RETENTION.completed,
  removeOnFail: RETENTION.failed,
};

const maintenance: JobsOptions = {
  attempts: 1,
  removeOnComplete: RETENTION.maintenance.completed,
  removeOnFail: RETENTION.maintenance.failed,
};

export const jobCatalogue = {
  "analyze-media": {
    queue: "media-analysis",
    payload: z.object({ mediaId: z.string().uuid() }),
    jobId: (p: { mediaId: string }) => `analyze-${p.mediaId}`,
    options: retried,
  },
  // Re-enqueues photos left unfinished with no live job (see lib/media/reconcile.ts).
  // Run by a job scheduler every RECONCILE_EVERY_MS; a missed run is simply the next one.
  "reconcile-media": {
    queue: "maintenance",
    payload: z.object({}),
    jobId: () => "reconcile-media",
    options: maintenance,
  },
} as const;

export type JobName = keyof typeof jobCatalogue;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalogue)[N]["payload"]>;
export type QueueName = (typeof jobCatalogue)[JobName]["queue"];

export const queueNames: QueueName[] = [...new Set(Object.values(jobCatalogue).map((j) => j.queue))];
