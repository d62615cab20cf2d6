// Enqueueing side of the job catalogue: one BullMQ Queue per queue name per process.
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { env } from "@/lib/env";
import { bullConnection, outageLogger, withRedisTimeout } from "@/lib/redis";
import { dropSingleton, singleton } from "@/lib/singleton";
import { attemptsFor, jobCatalogue, type JobName, type JobPayload, type QueueName, type WorkflowStepJobName, type WorkflowStepPayload } from "./catalogue";

export * from "./catalogue";

const QUEUES = "queues";
const openQueues = () => singleton(QUEUES, () => new Map<QueueName, Queue>());

export function getQueue(name: QueueName): Queue {
  let queue = openQueues().get(name);
  if (!queue) {
    queue = new Queue(name, { connection: bullConnection("queue"), prefix: env().QUEUE_PREFIX });
    // Connection trouble as one JSON log line per outage (unhandled, BullMQ prints a stack
    // per retry, and an unhandled 'error' event would kill the process).
    queue.on("error", outageLogger(`queue ${name}`).error);
    openQueues().set(name, queue);
  }
  return queue;
}

/** The job id for a payload (each entry derives it from its entity id). */
export function jobIdOf<N extends JobName>(name: N, payload: JobPayload<N>): string {
  return (jobCatalogue[name].jobId as (p: JobPayload<N>) => string)(payload);
}

/**
 * Adds a job under the id derived from its entity, so adding the same work twice is a
 * no-op: BullMQ ignores an add whose job id already exists. Gives up after
 * ENQUEUE_TIMEOUT_MS with an error that the HTTP edge answers as 503.
 */
export async function enqueue<N extends JobName>(name: N, payload: JobPayload<N>) {
  const def = jobCatalogue[name];
  const data = def.payload.parse(payload) as JobPayload<N>;
  const jobId = (def.jobId as (p: JobPayload<N>) => string)(data);
  return withRedisTimeout(
    `enqueue ${jobId}`,
    env().ENQUEUE_TIMEOUT_MS,
    getQueue(def.queue).add(name, data, { ...def.options, attempts: attemptsFor(name, env().JOB_QUEUE_MAX_RETRIES), jobId }),
  );
}

/** The job for an entity, if BullMQ still holds it. */
export async function findJob<N extends JobName>(name: N, payload: JobPayload<N>) {
  const def = jobCatalogue[name];
  const jobId = (def.jobId as (p: JobPayload<N>) => string)(def.payload.parse(payload) as JobPayload<N>);
  return withRedisTimeout(`find ${jobId}`, env().ENQUEUE_TIMEOUT_MS, getQueue(def.queue).getJob(jobId));
}

/** What rerunJob did: retried the failed job, added a new one, or left a live one alone. */
export type RerunOutcome = "retried" | "enqueued" | "live";

/** How often rerunJob looks again at a job that is still active. */
const SETTLE_POLL_MS = 20;

/**
 * Puts an entity's work back on the queue once Postgres says it must run again, under the
 * same derived job id (so never twice side by side): a failed job is retried with fresh
 * attempts, a finished or missing one is replaced, a waiting, delayed or active one is left
 * to run.
 *
 * settleMs: how long an active job is given to settle first. A processor records its final
 * failure (and the page shows "failed") just before BullMQ moves the job to its failed set;
 * a Retry pressed in that moment finds the job still active. Left alone, it would then fail
 * with nobody to run it again, and the photo would say "queued" until the reconciler's stale
 * pass. An active job that does not settle in time is running on (or its worker died and
 * the stalled check will hand it on): either way it is live.
 */
export async function rerunJob<N extends JobName>(name: N, payload: JobPayload<N>, opts: { settleMs?: number } = {}): Promise<RerunOutcome> {
  const deadline = Date.now() + (opts.settleMs ?? 0);
  const job = await findJob(name, payload);
  let state = job ? await job.getState() : "missing";
  while (state === "active" && Date.now() < deadline) {
    await sleep(SETTLE_POLL_MS);
    state = await job!.getState(); // "unknown" once removed meanwhile
  }
  switch (state) {
    case "failed":
      await job!.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      return "retried";
    case "completed":
      // Processors are idempotent: a finished job run again only redoes what is missing.
      await job!.remove();
      await enqueue(name, payload);
      return "enqueued";
    case "missing":
    case "unknown":
      await enqueue(name, payload);
      return "enqueued";
    default:
      return "live";
  }
}

/**
 * Creates or updates the maintenance job schedulers: the reconcilers of photos and of
 * workflow runs every RECONCILE_EVERY_MS, AI job retention hourly. Idempotent: every worker
 * calls it at start-up, and the scheduler id makes them one schedule, not one per worker.
 */
export async function scheduleMaintenance(everyMs = env().RECONCILE_EVERY_MS) {
  const def = jobCatalogue["reconcile-media"];
  const retention = jobCatalogue["ai-job-retention"];
  const orphans = jobCatalogue["collect-orphans"];
  await getQueue(orphans.queue).upsertJobScheduler(
    "collect-orphans",
    { every: env().ORPHAN_SWEEP_EVERY_MS },
    { name: "collect-orphans", data: {}, opts: { removeOnComplete: orphans.options.removeOnComplete, removeOnFail: orphans.options.removeOnFail } },
  );
  // AI jobs past JOB_RETENTION_DAYS: hourly is plenty for a limit counted in days.
  await getQueue(retention.queue).upsertJobScheduler(
    "ai-job-retention",
    { every: 3_600_000 },
    { name: "ai-job-retention", data: {}, opts: { removeOnComplete: retention.options.removeOnComplete, removeOnFail: retention.options.removeOnFail } },
  );
  const runs = jobCatalogue["reconcile-runs"];
  await getQueue(runs.queue).upsertJobScheduler(
    "reconcile-runs",
    { every: everyMs },
    { name: "reconcile-runs", data: {}, opts: { removeOnComplete: runs.options.removeOnComplete, removeOnFail: runs.options.removeOnFail } },
  );
  return getQueue(def.queue).upsertJobScheduler(
    "reconcile-media",
    { every: everyMs },
    { name: "reconcile-media", data: {}, opts: { removeOnComplete: def.options.removeOnComplete, removeOnFail: def.options.removeOnFail } },
  );
}

/**
 * True when the entity's job will still run or is running on a live worker: waiting,
 * delayed, or active with its lock held. A worker that died leaves its job "active"
 * until the lock expires; without a lock nobody is working on it.
 */
export async function jobIsAlive<N extends JobName>(name: N, payload: JobPayload<N>): Promise<boolean> {
  const def = jobCatalogue[name];
  const queue = getQueue(def.queue);
  const job = await queue.getJob(jobIdOf(name, def.payload.parse(payload) as JobPayload<N>));
  if (!job) return false;
  const state = await job.getState();
  if (state === "active") {
    const client = await queue.getBackend().client;
    return (await client.get(`${queue.toKey(job.id!)}:lock`)) !== null;
  }
  return state === "waiting" || state === "delayed" || state === "prioritized" || state === "waiting-children";
}

/**
 * What the workflow engine, its controls and its reconciler need from the queues
 * (EngineDeps, ControlDeps and RunReconcileDeps of lib/workflow): add a step's job, ask
 * whether it is still alive, put it back to work.
 */
export const workflowQueues = {
  enqueue: (job: WorkflowStepJobName, data: WorkflowStepPayload) => enqueue(job, data),
  jobIsAlive: (job: WorkflowStepJobName, data: WorkflowStepPayload) => jobIsAlive(job, data),
  rerun: (job: WorkflowStepJobName, data: WorkflowStepPayload) => rerunJob(job, data),
};

export async function closeQueues(): Promise<void> {
  const queues = dropSingleton<Map<QueueName, Queue>>(QUEUES);
  await Promise.all([...(queues?.values() ?? [])].map((q) => q.close()));
}
