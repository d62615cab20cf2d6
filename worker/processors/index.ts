// The worker's processor map. Typed against the job catalogue, so a job without a
// processor is a compile error; worker/runtime.ts also checks it at start-up. Jobs marked
// `workflowStep: true` in the catalogue get the workflow engine as their processor.
import type { Job } from "bullmq";
import type { JobName, JobPayload, WorkflowStepJobName } from "@/lib/jobs/catalogue";
import { env } from "@/lib/env";
import { publishMedia } from "@/lib/media/live";
import { updateMediaState } from "@/lib/media/repository";
import type { EngineDeps } from "@/lib/workflow/engine";
import { createWorkAhead, type WorkAhead } from "../ahead";
import type { Failure, FailureWording } from "../failures";
import { createAiChainFromEnv, type AiChain } from "@/lib/ai";
import { publishJob } from "@/lib/ai-jobs/live";
import type { JobRow } from "@/lib/ai-jobs/repository";
import { accountProcessors } from "./account";
import { aiJobProcessors } from "./ai-job";
import { analyzeMedia, type AnalyzeDeps } from "./analyze-media";
import { publishEpisodeRun } from "@/lib/podcasts/live";
import { failureNoticeProcessor, podcastFeedProcessor, type PodcastJobDeps } from "./podcast/jobs";
import { reconcileMediaJob, reconcileRunsJob } from "./reconcile-media";
import { workflowStepProcessors } from "./workflow-step";
import { workflowEngine } from "./workflows";

export interface ProcessorDef<N extends JobName> {
  /** `signal` fires when the job is canceled while it runs (lib/jobs/cancel.ts). */
  process(job: Job<JobPayload<N>>, token?: string, signal?: AbortSignal): Promise<unknown>;
  /** Records a failed attempt on the entity: final, or waiting for another try. */
  onFailure(job: Job<JobPayload<N>>, failure: Failure, final: boolean): Promise<void>;
  /** How this job's failures read to its user (worker/failures.ts); default: a photo's. */
  wording?: FailureWording;
  /**
   * The job's queue works ahead (worker/ahead.ts): the runtime runs it at twice its
   * concurrency and sets these limits to the concurrency (the autoscaler's, as it moves).
   */
  ahead?: WorkAhead;
}

export type ProcessorMap = { [N in JobName]: ProcessorDef<N> };
/** The jobs that need a processor written for them: all but the workflow step jobs. */
type OwnProcessors = { [N in Exclude<JobName, WorkflowStepJobName>]: ProcessorDef<N> };

export interface ProcessorDeps extends AnalyzeDeps {
  /** The reconciler leaves alone photos whose state changed more recently than this (default 5 min). */
  reconcileStaleMs?: number;
  /** The orphan collector's grace period; default ORPHAN_GRACE_MS. */
  orphanGraceMs?: number;
  /** Workflow engine; defaults to the vlog workflows configured from the environment. */
  engine?: EngineDeps<WorkflowStepJobName>;
  /** The AI jobs' provider chain; default: from the environment (AI_PROVIDERS …). */
  aiChain?: AiChain | null;
  /** Announces an AI job's change; default: the live pipeline. */
  publishJob?: (row: JobRow) => Promise<unknown>;
}

export function buildProcessors(deps: ProcessorDeps): ProcessorMap {
  const config = env();
  const engine = deps.engine ?? workflowEngine(deps, config);
  const podcast: PodcastJobDeps = {
    db: deps.db,
    storage: deps.storage,
    urls: { appUrl: config.APP_URL, publicMediaBaseUrl: config.PUBLIC_MEDIA_BASE_URL },
    announceRun: (runId) => publishEpisodeRun(deps.db, runId),
  };
  // A photo's remote caption is a wait of seconds: the next photos are decoded meanwhile.
  // The local describer is CPU work here, and keeps today's one-job-one-photo slots.
  const ahead = deps.ahead ?? (deps.ai.remote ? createWorkAhead(config.WORKER_CONCURRENCY) : undefined);
  const analyzeDeps: AnalyzeDeps = { ...deps, ahead };
  const own: OwnProcessors = {
    ...aiJobProcessors({
      db: deps.db,
      publish: deps.publishJob ?? publishJob,
      chain: deps.aiChain === undefined ? createAiChainFromEnv(config, deps.redis) : deps.aiChain,
      fallbackEnabled: config.AI_FALLBACK_ENABLED,
      allowPrivateHosts: config.AI_JOBS_ALLOW_PRIVATE_HOSTS,
      retentionDays: config.JOB_RETENTION_DAYS,
    }),
    "analyze-media": {
      process: (job, token) => analyzeMedia(job, analyzeDeps, token),
      ahead,
      async onFailure(job, failure, final) {
        const row = final
          ? await updateMediaState(deps.db, job.data.mediaId, { status: "failed", stage: null, error: failure.message })
          : await updateMediaState(deps.db, job.data.mediaId, {
              status: "queued",
              stage: failure.kind === "rate_limited" ? "rate-limited" : "retrying",
              error: null,
            });
        // null: the photo is done (another run of the job finished it) or deleted.
        if (row) await publishMedia(row);
      },
    },
    "reconcile-media": {
      process: () => reconcileMediaJob({ db: deps.db, staleMs: deps.reconcileStaleMs ?? 5 * 60_000 }),
      // Nothing to record on an entity: the next scheduled run tries again.
      async onFailure() {},
    },
    "reconcile-runs": {
      process: () => reconcileRunsJob({ db: deps.db, staleMs: deps.reconcileStaleMs ?? 5 * 60_000 }),
      async onFailure() {},
    },
    ...accountProcessors({ db: deps.db, storage: deps.storage, dataDir: config.DATA_DIR, orphanGraceMs: deps.orphanGraceMs ?? config.ORPHAN_GRACE_MS }),
    "podcast-feed": podcastFeedProcessor(podcast),
    "podcast-failure-notice": failureNoticeProcessor(podcast),
  };
  return { ...own, ...workflowStepProcessors(engine) };
}
