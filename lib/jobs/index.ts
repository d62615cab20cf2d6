// Enqueueing side of the job catalogue: one BullMQ Queue per queue name per process.
import { Queue } from "bullmq";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { bullConnection } from "@/lib/redis";
import { jobCatalogue, type JobName, type JobPayload, type QueueName } from "./catalogue";

export * from "./catalogue";

const holder = globalThis as unknown as { framecastQueues?: Map<QueueName, Queue> };

export function getQueue(name: QueueName): Queue {
  holder.framecastQueues ??= new Map();
  let queue = holder.framecastQueues.get(name);
  if (!queue) {
    queue = new Queue(name, { connection: bullConnection("queue"), prefix: env().QUEUE_PREFIX });
    // Connection trouble as one JSON log line (unhandled, BullMQ prints a stack per retry).
    queue.on("error", (err) => log().warn({ queue: name, err: err.message }, "queue connection error"));
    holder.framecastQueues.set(name, queue);
  }
  return queue;
}

/**
 * Adds a job under the id derived from its entity, so adding the same work twice is a
 * no-op: BullMQ ignores an add whose job id already exists.
 */
export async function enqueue<N extends JobName>(name: N, payload: JobPayload<N>) {
  const def = jobCatalogue[name];
  const data = def.payload.parse(payload) as JobPayload<N>;
  return getQueue(def.queue).add(name, data, { ...def.options, jobId: def.jobId(data) });
}

/** The job for an entity, if BullMQ still holds it. */
export async function findJob<N extends JobName>(name: N, payload: JobPayload<N>) {
  const def = jobCatalogue[name];
  return getQueue(def.queue).getJob(def.jobId(def.payload.parse(payload)));
}

export async function closeQueues(): Promise<void> {
  const queues = [...(holder.framecastQueues?.values() ?? [])];
  holder.framecastQueues?.clear();
  await Promise.all(queues.map((q) => q.close()));
}
