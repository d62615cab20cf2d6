// The web app's hooks per catalogue job: what to bring in line in Postgres (the truth)
// before an admin puts a failed job back in the queue. The worker's hooks (process, record
// a failure, classify an error) sit beside its processor registration (worker/processors).
// Every workflow step job shares the engine's hooks, so a new one needs no line here.
// Kept out of catalogue.ts, which stays light: these reach into the domains.
import { requeueForAdminRetry } from "@/lib/ai-jobs/service";
import { webDeps } from "@/lib/ai-jobs/web";
import { db } from "@/lib/db";
import { markMediaRequeued } from "@/lib/media/service";
import { reopenFailedStep } from "@/lib/workflow/repository";
import { workflowStepJobNames, type JobName, type JobPayload, type WorkflowStepJobName, type WorkflowStepPayload } from "./catalogue";

export interface JobHooks<N extends JobName> {
  /** Before an admin retry: mark the entity queued again, so users see it move at once. */
  beforeRetry?(payload: JobPayload<N>): Promise<void>;
}

const workflowStepHooks: JobHooks<WorkflowStepJobName> = {
  // The run goes back to running at its failed step, so the retried job does the step.
  beforeRetry: async (payload: WorkflowStepPayload) => void (await reopenFailedStep(db(), payload)),
};

export const jobHooks: { [N in JobName]?: JobHooks<N> } = {
  "analyze-media": { beforeRetry: (payload) => markMediaRequeued(payload.mediaId) },
  "ai-job": { beforeRetry: (payload) => requeueForAdminRetry(webDeps(), payload.jobId) },
  ...(Object.fromEntries(workflowStepJobNames.map((name) => [name, workflowStepHooks])) as { [N in WorkflowStepJobName]: JobHooks<N> }),
};
