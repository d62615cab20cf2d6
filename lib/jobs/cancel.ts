// Cancelling a running BullMQ job from any process. BullMQ can abort a job only in the
// worker that runs it (worker.cancelJob: the processor's AbortSignal fires), so the web
// app publishes the request on one Redis channel and every worker process listens
// (worker/runtime.ts); the one running the job aborts it, the others ignore it.
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { withRedisTimeout } from "@/lib/redis";
import type { QueueName } from "./catalogue";
import { getQueue } from "./index";

export const cancelChannel = (prefix: string) => `${prefix}:jobs:cancel`;

export interface CancelRequest {
  queue: QueueName;
  jobId: string;
  reason: string;
}

/** Parses a message from the channel; null when it is not a cancel request. */
export function parseCancelRequest(message: string): CancelRequest | null {
  try {
    const value = JSON.parse(message) as Partial<CancelRequest>;
    if (typeof value.queue !== "string" || typeof value.jobId !== "string") return null;
    return { queue: value.queue as QueueName, jobId: value.jobId, reason: typeof value.reason === "string" ? value.reason : "canceled" };
  } catch {
    return null;
  }
}

/** Asks whichever worker runs this job to abort it. Resolves once the request is published. */
export async function requestCancel(queue: QueueName, jobId: string, reason = "The job was canceled."): Promise<void> {
  const request: CancelRequest = { queue, jobId, reason };
  await withRedisTimeout(`cancel ${jobId}`, env().ENQUEUE_TIMEOUT_MS, (async () => {
    // The queue's own connection: publishing is one short command, no new connection needed.
    const client = (await getQueue(queue).getBackend().client) as unknown as Redis;
    await client.publish(cancelChannel(env().QUEUE_PREFIX), JSON.stringify(request));
  })());
}
