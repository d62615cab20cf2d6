// Every catalogue job marked `workflowStep: true` (workflow-step, vlog-render, …) runs one
// step of a workflow run through the engine (lib/workflow/engine.ts); they differ only in
// their queue (vlog-render is the CPU-heavy one, rate-limited and run few at a time). So
// the engine is their processor and their failure hook, and a new one needs no code here.
import type { Job } from "bullmq";
import { workflowStepJobNames, type WorkflowStepJobName } from "@/lib/jobs/catalogue";
import { processStep, recordStepFailure, type EngineDeps, type StepJobData } from "@/lib/workflow/engine";
import type { Failure, FailureWording } from "../failures";
import type { ProcessorDef } from "./index";

/** A step's failures in the words of the workflow page, whose button is Resume. */
export const STEP_WORDING: FailureWording = {
  generic: "Something went wrong in this step. Press Resume to try it again.",
  missingFile: "A file this step needs is missing from storage.",
  stalled: "The worker running this step stopped. Press Resume to continue.",
  ai: { service: "AI service", refused: "refused", button: "Resume" },
};

export function workflowStepProcessor(deps: EngineDeps<WorkflowStepJobName>) {
  return {
    process: (job: Job<StepJobData>) => processStep(job.data, deps),
    onFailure: (job: Job<StepJobData>, failure: Failure, final: boolean) => recordStepFailure(job.data, failure, final, deps),
    wording: STEP_WORDING,
  };
}

/** The processor of every workflow step job of the catalogue: the engine, for each. */
export function workflowStepProcessors(deps: EngineDeps<WorkflowStepJobName>): { [N in WorkflowStepJobName]: ProcessorDef<N> } {
  const processor = workflowStepProcessor(deps);
  return Object.fromEntries(workflowStepJobNames.map((name) => [name, processor])) as { [N in WorkflowStepJobName]: ProcessorDef<N> };
}
