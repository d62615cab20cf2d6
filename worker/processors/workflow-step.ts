// Every catalogue job marked `workflowStep: true` (workflow-step, vlog-render, …) runs one
// step of a workflow run through the engine (lib/workflow/engine.ts); they differ only in
// their queue (vlog-render is the CPU-heavy one, rate-limited and run few at a time). So
// the engine is their processor and their failure hook, and a new one needs no code here.
import type { Job } from "bullmq";
import { workflowStepJobNames, type WorkflowStepJobName } from "@/lib/jobs/catalogue";
import { AiError } from "@/lib/ai/errors";
import { StorageNotFoundError } from "@/lib/storage/types";
import { processStep, recordStepFailure, type EngineDeps, type StepJobData } from "@/lib/workflow/engine";
import { StepRejectedError } from "@/lib/workflow/types";
import { classifyFailure, type Failure } from "../failures";
import type { ProcessorDef } from "./index";
import { FfmpegError } from "./vlog/ffmpeg";

export const STEP_GENERIC_FAILURE = "Something went wrong in this step. Press Resume to try it again.";

export function classifyStepFailure(err: unknown): Failure {
  if (err instanceof StepRejectedError) return { kind: "permanent", message: err.message };
  if (err instanceof StorageNotFoundError) return { kind: "permanent", message: "A file this step needs is missing from storage." };
  if (err instanceof FfmpegError) return { kind: err.kind, message: err.message };
  if (err instanceof AiError) {
    switch (err.kind) {
      case "rate_limited":
        return { kind: "rate_limited", message: err.message, retryAfterMs: err.retryAfterMs ?? 30_000 };
      case "transient":
        return { kind: "transient", message: `The AI service had a problem: ${err.message}` };
      case "quota_exhausted":
        return { kind: "permanent", message: "The AI service's daily quota is used up. Press Resume tomorrow." };
      default:
        return { kind: "permanent", message: `The AI service refused: ${err.message}` };
    }
  }
  // BullMQ's error for a job whose worker died more often than allowed.
  if (err instanceof Error && /stalled/i.test(err.message)) {
    return { kind: "permanent", message: "The worker running this step stopped. Press Resume to continue." };
  }
  // Database down: the runtime waits it out without spending an attempt (worker/failures.ts).
  const general = classifyFailure(err);
  if (general.kind === "unavailable") return general;
  return { kind: "transient", message: STEP_GENERIC_FAILURE };
}

export function workflowStepProcessor(deps: EngineDeps<WorkflowStepJobName>) {
  return {
    process: (job: Job<StepJobData>) => processStep(job.data, deps),
    onFailure: (job: Job<StepJobData>, failure: Failure, final: boolean) => recordStepFailure(job.data, failure, final, deps),
    classify: classifyStepFailure,
  };
}

/** The processor of every workflow step job of the catalogue: the engine, for each. */
export function workflowStepProcessors(deps: EngineDeps<WorkflowStepJobName>): { [N in WorkflowStepJobName]: ProcessorDef<N> } {
  const processor = workflowStepProcessor(deps);
  return Object.fromEntries(workflowStepJobNames.map((name) => [name, processor])) as { [N in WorkflowStepJobName]: ProcessorDef<N> };
}
