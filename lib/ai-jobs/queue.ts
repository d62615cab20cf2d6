// The BullMQ side of AI jobs for the web process: adding a job (a batch as a flow), taking a
// queued one off the queue, and asking the worker that runs one to abort it. The Job row in
// Postgres is the record; these only move the work.
import { FlowProducer, type JobsOptions } from "bullmq";
import { env } from "@/lib/env";
import { attemptsFor, getQueue, jobCatalogue, jobIdOf } from "@/lib/jobs";
import { requestCancel } from "@/lib/jobs/cancel";
import { bullConnection, outageLogger, withRedisTimeout } from "@/lib/redis";
import { dropSingleton, singleton } from "@/lib/singleton";
import { toBullPriority } from "./types";

const AI_JOB = jobCatalogue["ai-job"];

/** What the queue needs of a Job row. */
export interface QueuedJobRef {
  id: string;
  priority: number;
}

/** The BullMQ job id of a Job row: one BullMQ job per row at a time. */
export const bullJobIdOf = (job: { id: string }) => jobIdOf("ai-job", { jobId: job.id });

/** JOB_QUEUE_MAX_RETRIES retries after the first attempt (seed 003: "3 retries" = 4 attempts, 1 s → 2 s → 4 s). */
export function aiJobOptions(job: QueuedJobRef, maxRetries = env().JOB_QUEUE_MAX_RETRIES): JobsOptions {
  return { ...AI_JOB.options, attempts: attemptsFor("ai-job", maxRetries), priority: toBullPriority(job.priority), jobId: bullJobIdOf(job) };
}

const timed = <T>(what: string, work: Promise<T>) => withRedisTimeout(what, env().ENQUEUE_TIMEOUT_MS, work);

/** Adds one job; adding a row that is already queued is a no-op (same BullMQ id). */
export async function enqueueAiJob(job: QueuedJobRef): Promise<void> {
  const opts = aiJobOptions(job);
  await timed(`enqueue ${opts.jobId}`, getQueue(AI_JOB.queue).add("ai-job", { jobId: job.id }, opts));
}

function flowProducer(): FlowProducer {
  return singleton("flow-producer", () => {
    const producer = new FlowProducer({ connection: bullConnection("queue"), prefix: env().QUEUE_PREFIX });
    producer.on("error", outageLogger("flow producer").error);
    return producer;
  });
}

export async function closeFlowProducer(): Promise<void> {
  await dropSingleton<FlowProducer>("flow-producer")?.close();
}

/**
 * A batch as one BullMQ flow: the batch job is the parent, each of its jobs a child. A child
 * that fails for good moves to the parent's failed dependencies (ignoreDependencyOnFailure)
 * instead of failing it, so its siblings run on and the parent still runs once every child
 * has finished; it then collects the outcomes from Postgres. Added atomically: all or none.
 */
export async function enqueueBatch(parent: QueuedJobRef, children: readonly QueuedJobRef[]): Promise<void> {
  const queueName = AI_JOB.queue;
  const flow = {
    name: "ai-job",
    queueName,
    data: { jobId: parent.id },
    opts: aiJobOptions(parent),
    children: children.map((child) => ({
      name: "ai-job",
      queueName,
      data: { jobId: child.id },
      opts: { ...aiJobOptions(child), ignoreDependencyOnFailure: true },
    })),
  };
  await timed(`enqueue batch ${parent.id}`, flowProducer().add(flow));
}

/**
 * Takes a queued job off the queue. False when BullMQ has no waiting job for it (it has
 * started, or it is a batch child, which is left to run as a no-op so its parent's
 * dependencies stay whole); the worker then finds the row canceled and does nothing.
 */
export async function removeQueuedJob(job: { id: string }): Promise<boolean> {
  return timed(`remove ${bullJobIdOf(job)}`, (async () => {
    const bull = await getQueue(AI_JOB.queue).getJob(bullJobIdOf(job));
    if (!bull || bull.parentKey) return false;
    const state = await bull.getState();
    if (state !== "waiting" && state !== "prioritized" && state !== "delayed") return false;
    try {
      await bull.remove();
      return true;
    } catch {
      return false; // it was picked up in the meantime (locked)
    }
  })());
}

/**
 * Before a retry: removes the row's finished BullMQ job so the same id can be added again.
 * False while that job is still active (its worker is recording the failure right now).
 */
export async function clearFinishedJob(job: { id: string }): Promise<boolean> {
  return timed(`clear ${bullJobIdOf(job)}`, (async () => {
    const bull = await getQueue(AI_JOB.queue).getJob(bullJobIdOf(job));
    if (!bull) return true;
    const state = await bull.getState();
    if (state === "active") return false;
    try {
      await bull.remove();
      return true;
    } catch {
      return false;
    }
  })());
}

/** Asks the worker running this row's job to abort it: the provider call is closed at once. */
export function abortRunningJob(job: { id: string }): Promise<void> {
  return requestCancel(AI_JOB.queue, bullJobIdOf(job), "The job was canceled.");
}
