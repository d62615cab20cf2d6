// The worker's processor map. Typed against the job catalogue, so a job without a
// processor is a compile error; worker/index.ts also checks it at start-up.
import type { Job } from "bullmq";
import type { JobName, JobPayload } from "@/lib/jobs/catalogue";
import { env } from "@/lib/env";
import { updateMediaState } from "@/lib/media/repository";
import type { EngineDeps } from "@/lib/workflow/engine";
import type { Failure } from "../failures";
import { analyzeMedia, type AnalyzeDeps } from "./analyze-media";
import { reconcileMediaJob } from "./reconcile-media";
import { workflowStepProcessor } from "./workflow-step";
import { workflowEngine } from "./workflows";

export interface ProcessorDef<N extends JobName> {
  process(job: Job<JobPayload<N>>, token?: string): Promise<unknown>;
  /** Records a failed attempt on the entity: final, or waiting for another try. */
  onFailure(job: Job<JobPayload<N>>, failure: Failure, final: boolean): Promise<void>;
  /** Overrides the default error classification (worker/failures.ts) for this job. */
  classify?(err: unknown): Failure;
}

export type ProcessorMap = { [N in JobName]: ProcessorDef<N> };

export interface ProcessorDeps extends AnalyzeDeps {
  /** The reconciler leaves alone photos whose state changed more recently than this (default 5 min). */
  reconcileStaleMs?: number;
  /** Workflow engine; defaults to the vlog workflows configured from the environment. */
  engine?: EngineDeps;
}

export function buildProcessors(deps: ProcessorDeps): ProcessorMap {
  const engine = deps.engine ?? workflowEngine(deps, env());
  const steps = workflowStepProcessor(engine);
  return {
    "workflow-step": steps,
    "vlog-render": steps,
    "analyze-media": {
      process: (job, token) => analyzeMedia(job, deps, token),
      async onFailure(job, failure, final) {
        const row = final
          ? await updateMediaState(deps.db, job.data.mediaId, { status: "failed", stage: null, error: failure.message })
          : await updateMediaState(deps.db, job.data.mediaId, {
              status: "queued",
              stage: failure.kind === "rate_limited" ? "rate-limited" : "retrying",
              error: null,
            });
        await deps.announce(row);
      },
    },
    "reconcile-media": {
      process: () => reconcileMediaJob({ db: deps.db, staleMs: deps.reconcileStaleMs ?? 5 * 60_000 }),
      // Nothing to record on an entity: the next scheduled run tries again.
      async onFailure() {},
    },
  };
}
