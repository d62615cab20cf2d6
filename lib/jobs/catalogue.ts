// The job catalogue: the contract between the web app (which enqueues) and the worker
// (which processes). It names every queue and job, validates payloads, derives job ids
// from entity ids, and holds default options. It imports no processor code.
import { z } from "zod";
import type { JobsOptions } from "bullmq";

/** Retry delays for "capped-exponential": 1 s, 2 s, 4 s, … never more than 10 s. */
export function cappedExponentialDelay(attemptsMade: number, baseMs = 1_000, capMs = 10_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), capMs);
}

const retried: JobsOptions = {
  attempts: 3,
  backoff: { type: "capped-exponential" },
  // Keep finished jobs long enough to inspect, bounded so Redis memory stays flat.
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
};

export const jobCatalogue = {
  "analyze-media": {
    queue: "media-analysis",
    payload: z.object({ mediaId: z.string().uuid() }),
    jobId: (p: { mediaId: string }) => `analyze-${p.mediaId}`,
    options: retried,
  },
} as const;

export type JobName = keyof typeof jobCatalogue;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalogue)[N]["payload"]>;
export type QueueName = (typeof jobCatalogue)[JobName]["queue"];

export const queueNames: QueueName[] = [...new Set(Object.values(jobCatalogue).map((j) => j.queue))];
