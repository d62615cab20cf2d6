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

/**
 * Retry delay per backoff type named in a job's options (`backoff: { type }`). The worker
 * runtime hands BullMQ a strategy that looks the type up here, so a queue's retry pace is
 * part of the contract, not of the worker. "slow-exponential" is for workflow steps, whose
 * failures are usually an AI service or a busy machine: 10 s, 20 s, 40 s, … at most 600 s.
 */
export const backoffDelays: Record<string, (attemptsMade: number) => number> = {
  "capped-exponential": (n) => cappedExponentialDelay(n),
  "slow-exponential": (n) => cappedExponentialDelay(n, 10_000, 600_000),
  // Webhook receivers are often down for minutes, not seconds (a deploy, a restart).
  webhook: (n) => WEBHOOK_RETRY_DELAYS_MS[Math.min(Math.max(n, 1), WEBHOOK_RETRY_DELAYS_MS.length) - 1],
};

/** Waits between webhook delivery attempts: 1 s, 10 s, 1 min, 5 min, 30 min, 2 h. */
export const WEBHOOK_RETRY_DELAYS_MS = [1_000, 10_000, 60_000, 300_000, 1_800_000, 7_200_000] as const;

/**
 * The seeds' "retry 3 times" is three retries after the first try: four attempts in all
 * (photos: 1 s → 2 s → 4 s → failed). JOB_QUEUE_MAX_RETRIES changes the count of every
 * entry marked `configuredRetries` when it is enqueued (see attemptsFor).
 */
export const DEFAULT_MAX_RETRIES = 3;

const retried: JobsOptions = {
  attempts: DEFAULT_MAX_RETRIES + 1,
  backoff: { type: "capped-exponential" },
  removeOnComplete: RETENTION.completed,
  removeOnFail: RETENTION.failed,
};

const maintenance: JobsOptions = {
  attempts: 1,
  removeOnComplete: RETENTION.maintenance.completed,
  removeOnFail: RETENTION.maintenance.failed,
};

/** Workflow steps: the same count of retries, 10 s → 20 s → 40 s apart. */
const workflowRetried: JobsOptions = {
  ...retried,
  backoff: { type: "slow-exponential" },
};

/**
 * AI jobs (lib/ai-jobs): 1 s → 2 s → 4 s apart, like photos. Each job's BullMQ priority
 * comes from its own priority (toBullPriority), set when it is added.
 */
const aiJobOptions: JobsOptions = {
  attempts: DEFAULT_MAX_RETRIES + 1,
  backoff: { type: "capped-exponential" },
  removeOnComplete: RETENTION.completed,
  removeOnFail: RETENTION.failed,
};

/** The Job row's id: nothing else, the worker reads the rest from Postgres. */
const aiJobPayload = z.object({ jobId: z.string().uuid() });

/** One completion webhook of a job: the Job id and the version it was sent for. */
const webhookPayload = z.object({ jobId: z.string().uuid(), version: z.number().int().min(0) });

/** One step of a workflow run (lib/workflow). The generation makes a resumed step a new job. */
const kebab = /^[a-z][a-z0-9-]*$/;
const workflowStepPayload = z.object({
  runId: z.string().uuid(),
  phase: z.string().regex(kebab),
  // Any step of any plan: the engine checks it against the run's plan when the job runs.
  step: z.string().regex(kebab),
  generation: z.number().int().min(0),
});
type WorkflowStepPayload = z.infer<typeof workflowStepPayload>;
const workflowStepJobId = (p: WorkflowStepPayload) => `wf-${p.runId}-${p.phase}-${p.step}-g${p.generation}`;

/**
 * A job that runs steps of workflow runs on its own queue. The workflow engine is its
 * processor and records its failures (worker/processors/workflow-step.ts), so a pipeline
 * adds a queue for its heavy step with this one entry and names it in its plan.
 */
function workflowStepJob<Q extends string>(queue: Q, options: JobsOptions = workflowRetried) {
  return { queue, payload: workflowStepPayload, jobId: workflowStepJobId, options, configuredRetries: true, workflowStep: true } as const;
}

export const jobCatalogue = {
  "analyze-media": {
    queue: "media-analysis",
    payload: z.object({ mediaId: z.string().uuid() }),
    jobId: (p: { mediaId: string }) => `analyze-${p.mediaId}`,
    options: retried,
    configuredRetries: true,
  },
  // Re-enqueues photos left unfinished with no live job (see lib/media/reconcile.ts).
  // Run by a job scheduler every RECONCILE_EVERY_MS; a missed run is simply the next one.
  "reconcile-media": {
    queue: "maintenance",
    payload: z.object({}),
    jobId: () => "reconcile-media",
    options: maintenance,
  },
  // Re-enqueues the step of workflow runs (vlogs, episodes) left running with no live job
  // (see lib/workflow/reconcile.ts); scheduled beside reconcile-media.
  "reconcile-runs": {
    queue: "maintenance",
    payload: z.object({}),
    jobId: () => "reconcile-runs",
    options: maintenance,
  },
  // One AI job of the public jobs API (a batch is a BullMQ flow of these: the batch is the
  // parent, each of its jobs a child that may fail without failing the others).
  "ai-job": {
    queue: "ai-jobs",
    payload: aiJobPayload,
    // One BullMQ job per Job row at a time: a retry removes the failed one and adds it again
    // (lib/ai-jobs/queue.ts), so the web app can always find a row's job to cancel it.
    jobId: (p: z.infer<typeof aiJobPayload>) => `ai-${p.jobId}`,
    options: aiJobOptions,
    configuredRetries: true,
  },
  // Completion webhooks of AI jobs: their own queue and their own, slower retries.
  "job-webhook": {
    queue: "job-webhooks",
    payload: webhookPayload,
    jobId: (p: z.infer<typeof webhookPayload>) => `hook-${p.jobId}-v${p.version}`,
    options: {
      attempts: WEBHOOK_RETRY_DELAYS_MS.length + 1,
      backoff: { type: "webhook" },
      removeOnComplete: RETENTION.completed,
      removeOnFail: RETENTION.failed,
    } satisfies JobsOptions,
  },
  // Deletes finished AI jobs older than JOB_RETENTION_DAYS; scheduled with the reconciler.
  "ai-job-retention": {
    queue: "maintenance",
    payload: z.object({}),
    jobId: () => "ai-job-retention",
    options: maintenance,
  },
  // Light workflow steps (planning, writing, storing): many may run at once.
  "workflow-step": workflowStepJob("workflow-steps"),
  // The CPU-heavy vlog render: its own queue so it can be rate-limited and run few at a time.
  "vlog-render": workflowStepJob("vlog-render"),
  // Podcast episodes (lib/podcasts/plan.ts): the loudness-normalising MP3 encode, few at a
  // time; and the notifications, on a queue of their own so a Discord 429 pauses only them.
  "podcast-encode": workflowStepJob("podcast-encode"),
  "podcast-notify": workflowStepJob("podcast-notify"),
  // Rebuilds a show's feed XML after a change outside an episode's run (show edited, token
  // rotated, artwork, an episode unpublished or deleted): one job per change, named by the
  // show and the change's time, so a rebuild asked for after another started is never lost.
  "podcast-feed": {
    queue: "podcast-feeds",
    payload: z.object({ showId: z.string().uuid(), changedAt: z.number().int().min(0) }),
    jobId: (p: { showId: string; changedAt: number }) => `feed-${p.showId}-${p.changedAt}`,
    options: retried,
    configuredRetries: true,
  },
  // Tells a show's Discord channel and webhook that an episode's run failed (which step, why);
  // beside the other notifications, so a Discord 429 pauses them together.
  "podcast-failure-notice": {
    queue: "podcast-notify",
    payload: z.object({ runId: z.string().uuid(), generation: z.number().int().min(0) }),
    jobId: (p: { runId: string; generation: number }) => `episode-failed-${p.runId}-g${p.generation}`,
    options: retried,
    configuredRetries: true,
  },
  // Your data (lib/account, docs/your-data.md). Deletes one person's account and everything in
  // it, in batches; keyed by the user, so asking twice is one job. It must finish: many
  // attempts, and the orphan collector puts a stuck one back.
  "delete-account": {
    queue: "account",
    payload: z.object({ userId: z.string().uuid() }),
    jobId: (p: { userId: string }) => `delete-account-${p.userId}`,
    options: { ...retried, attempts: 10 } satisfies JobsOptions,
  },
  // "Download all my data": one ZIP per DataExport row.
  "export-data": {
    queue: "account",
    payload: z.object({ exportId: z.string().uuid() }),
    jobId: (p: { exportId: string }) => `export-${p.exportId}`,
    options: retried,
  },
  // Removes stored objects nothing refers to (after ORPHAN_GRACE_MS) and expired exports;
  // scheduled every ORPHAN_SWEEP_EVERY_MS.
  "collect-orphans": {
    queue: "maintenance",
    payload: z.object({}),
    jobId: () => "collect-orphans",
    options: maintenance,
  },
} as const;

export type JobName = keyof typeof jobCatalogue;

/**
 * Attempts a job gets: for entries marked `configuredRetries`, the first try plus
 * `maxRetries` retries (JOB_QUEUE_MAX_RETRIES); the others keep their own count
 * (webhooks their schedule, maintenance one try).
 */
export function attemptsFor(name: JobName, maxRetries: number): number {
  const def = jobCatalogue[name];
  return "configuredRetries" in def && def.configuredRetries ? maxRetries + 1 : (def.options.attempts ?? 1);
}
/** The jobs a workflow plan may name for its steps (entries marked `workflowStep: true`). */
export type WorkflowStepJobName = { [N in JobName]: (typeof jobCatalogue)[N] extends { workflowStep: true } ? N : never }[JobName];
export const workflowStepJobNames = (Object.keys(jobCatalogue) as JobName[]).filter(
  (name): name is WorkflowStepJobName => "workflowStep" in jobCatalogue[name],
);
export type { WorkflowStepPayload };
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalogue)[N]["payload"]>;
export type QueueName = (typeof jobCatalogue)[JobName]["queue"];

export const queueNames: QueueName[] = [...new Set(Object.values(jobCatalogue).map((j) => j.queue))];

/** Worker settings per queue; a queue not listed uses WORKER_CONCURRENCY and no limiter. */
export interface QueueSettings {
  /** Jobs one worker process runs at once; a function so it can come from config. */
  concurrency?: (config: { VLOG_RENDER_CONCURRENCY: number; PODCAST_ENCODE_CONCURRENCY: number; JOB_QUEUE_WORKER_COUNT?: number; WORKER_CONCURRENCY: number }) => number;
  /** At most `max` jobs started per `duration` ms, across all workers of the queue. */
  limiter?: { max: number; duration: number };
  /**
   * Whether the worker sizes this queue's concurrency by itself (worker/autoscale.ts).
   * Default: yes, unless the queue sets its own `concurrency` (the heavy ones keep theirs);
   * `autoscale: true` makes such a concurrency the starting point instead.
   */
  autoscale?: boolean;
}

export const queueSettings: Partial<Record<QueueName, QueueSettings>> = {
  // Sized by the worker like the light queues; JOB_QUEUE_WORKER_COUNT is where it starts.
  "ai-jobs": { concurrency: (config) => config.JOB_QUEUE_WORKER_COUNT ?? config.WORKER_CONCURRENCY, autoscale: true },
  "vlog-render": {
    concurrency: (config) => config.VLOG_RENDER_CONCURRENCY,
    limiter: { max: 10, duration: 1_000 },
  },
  "podcast-encode": {
    concurrency: (config) => config.PODCAST_ENCODE_CONCURRENCY,
    limiter: { max: 10, duration: 1_000 },
  },
  // A limiter is also what lets a 429's wait (worker.rateLimit) hold the queue back.
  "podcast-notify": {
    limiter: { max: 20, duration: 1_000 },
  },
};

/** True when the worker sizes this queue by itself unless WORKER_AUTOSCALE_QUEUES says otherwise. */
export function autoscaledByDefault(queue: string): boolean {
  const settings = queueSettings[queue as QueueName];
  return settings?.autoscale ?? settings?.concurrency === undefined;
}
