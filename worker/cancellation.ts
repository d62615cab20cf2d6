// Listens for cancel requests (lib/jobs/cancel.ts) on one Redis subscriber connection per
// worker process and aborts the job if one of this process's workers runs it.
import type { Worker } from "bullmq";
import { env } from "@/lib/env";
import { cancelChannel, parseCancelRequest } from "@/lib/jobs/cancel";
import type { Logger } from "@/lib/log";
import { createRedis } from "@/lib/redis";

export interface CancelListener {
  close(): Promise<void>;
}

export function listenForCancels(workers: readonly Worker[], logger: Logger): CancelListener {
  const redis = createRedis("events-subscribe");
  const channel = cancelChannel(env().QUEUE_PREFIX);
  redis.subscribe(channel).catch((err) => logger.error({ err: (err as Error).message }, "could not listen for job cancellations"));
  redis.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    const request = parseCancelRequest(message);
    if (!request) return;
    for (const worker of workers) {
      if (worker.name === request.queue && worker.cancelJob(request.jobId, request.reason)) {
        logger.info({ queue: request.queue, jobId: request.jobId }, "job canceled while running");
      }
    }
  });
  return {
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
