// The steering side of the workflow engine, used by the web app: proceed past a gate,
// resume after a failure or a lost worker, rewind to a phase after an edit. Each enqueues
// the step's job itself; the worker does the rest (engine.ts).
import type { Db } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { findStep, firstStepOf, jobOf } from "./plan";
import * as repo from "./repository";
import type { StepJobData } from "./engine";
import type { WorkflowPlan } from "./types";

/** `Job` names a step's job, as in the plans (see EngineDeps). */
export interface ControlDeps<Job extends string = string> {
  db: Db;
  enqueue(job: Job, data: StepJobData): Promise<unknown>;
  /**
   * Whether the job for this step is still going to run or running on a live worker:
   * waiting, delayed, or active with its lock held.
   */
  jobIsAlive(job: Job, data: StepJobData): Promise<boolean>;
}

/** Starts the step a waiting run stopped at (the next phase, or the next step). */
export async function proceed<Job extends string>(deps: ControlDeps<Job>, plan: WorkflowPlan<Job>, runId: string) {
  const run = await repo.getRun(deps.db, runId);
  if (!run) throw new NotFoundError("That workflow");
  if (run.status !== "waiting") {
    throw new ConflictError(
      "cannot_proceed",
      run.status === "running"
        ? "This is already running."
        : run.status === "failed"
          ? "A step failed: resume it instead."
          : "This has finished: there is nothing to proceed to.",
    );
  }
  const started = await repo.proceedRun(deps.db, { runId, generation: run.generation });
  if (!started) throw new ConflictError("cannot_proceed", "Someone else just moved this on.");
  const data = { runId, phase: started.phase, step: started.step, generation: started.generation };
  await deps.enqueue(jobOf(plan, started.phase, started.step), data);
  return started;
}

/**
 * Continues a failed run from its failed step, or a run whose worker died mid-step,
 * under a new generation. Succeeded steps keep their output and never run again.
 */
export async function resume<Job extends string>(deps: ControlDeps<Job>, plan: WorkflowPlan<Job>, runId: string) {
  const run = await repo.getRun(deps.db, runId);
  if (!run) throw new NotFoundError("That workflow");
  if (run.status === "waiting") throw new ConflictError("cannot_resume", "Nothing failed: press proceed to go on.");
  if (run.status === "completed") throw new ConflictError("cannot_resume", "This has finished: there is nothing to resume.");
  if (run.status === "running") {
    const current = { runId, phase: run.phase, step: run.step, generation: run.generation };
    if (await deps.jobIsAlive(jobOf(plan, run.phase, run.step), current)) {
      throw new ConflictError("still_running", "This step is still running on a worker.");
    }
  }
  const resumed = await repo.resumeRun(deps.db, { runId, generation: run.generation });
  if (!resumed) throw new ConflictError("cannot_resume", "Someone else just resumed this.");
  const data = { runId, phase: resumed.phase, step: resumed.step, generation: resumed.generation };
  await deps.enqueue(jobOf(plan, resumed.phase, resumed.step), data);
  return resumed;
}

/**
 * Takes a finished or waiting run back to the start of `phase`, to wait there for a
 * proceed (e.g. after editing the storyboard, to render it again). Refused while a step
 * is running.
 */
export async function rewind(deps: Pick<ControlDeps, "db">, plan: WorkflowPlan, runId: string, phase: string) {
  const run = await repo.getRun(deps.db, runId);
  if (!run) throw new NotFoundError("That workflow");
  if (run.status === "running") throw new ConflictError("busy", "Wait until the current step finishes.");
  const target = firstStepOf(plan, phase);
  const at = findStep(plan, run.phase, run.step);
  if (run.status === "waiting" && at.position === target.position) return run;
  const rewound = await repo.rewindRun(deps.db, plan, { runId, generation: run.generation, phase });
  if (!rewound) throw new ConflictError("busy", "Someone else just changed this.");
  return rewound;
}
