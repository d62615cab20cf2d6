// The reconciler of workflow runs, as lib/media/reconcile.ts is for photos: Postgres is the
// record, BullMQ only the means. A run can stand "running" at a step with no job that will
// ever run it: the step's job was lost between the database write and the enqueue (the
// worker died, Redis lost the write), the job was removed, or it finished without the run
// learning of it. This finds such runs and puts their step's job back under the same
// derived job id, so a step can never run twice side by side and a second pass is a no-op.
import type { Db } from "@/lib/db";
import type { RerunOutcome } from "@/lib/jobs";
import type { StepJobData } from "./engine";
import { jobOf } from "./plan";
import type { WorkflowPlan } from "./types";

export interface RunReconcileDeps<JobName extends string = string> {
  db: Db;
  /** The plans by run kind (lib/vlogs/plan, lib/podcasts/plan …). */
  plans: Record<string, WorkflowPlan<JobName>>;
  /** Puts a step's job back under its derived id (lib/jobs rerunJob). */
  rerun(job: JobName, data: StepJobData): Promise<RerunOutcome>;
}

export interface RunReconcileResult {
  /** Running runs unchanged for longer than the threshold that were looked at. */
  checked: number;
  /** Runs whose step had no job (or a finished one): the step's job was added again. */
  enqueued: string[];
  /** Runs whose step's job had failed without the run knowing: the job was retried. */
  retried: string[];
  /** Runs whose step's job is alive (waiting, delayed, active): left alone. */
  live: number;
}

export async function reconcileRuns<JobName extends string>(
  deps: RunReconcileDeps<JobName>,
  opts: { staleMs: number; limit?: number; now?: Date },
): Promise<RunReconcileResult> {
  const olderThan = new Date((opts.now ?? new Date()).getTime() - opts.staleMs);
  // Every change of a run (a step starting, progress, a retry) bumps its updatedAt, so a
  // run unchanged this long is either waiting for its job or has lost it.
  const runs = await deps.db.workflowRun.findMany({
    where: { status: "running", updatedAt: { lt: olderThan } },
    orderBy: { updatedAt: "asc" },
    take: opts.limit ?? 500,
  });
  const result: RunReconcileResult = { checked: runs.length, enqueued: [], retried: [], live: 0 };
  for (const run of runs) {
    const plan = deps.plans[run.kind];
    if (!plan) continue;
    const data: StepJobData = { runId: run.id, phase: run.phase, step: run.step, generation: run.generation };
    const name = jobOf(plan, run.phase, run.step);
    // A failed job: its final failure never reached Postgres, so it runs again with fresh
    // attempts; if it fails for good this time, the run says so. A completed one is replaced
    // (the engine reads the run first, so a step that did succeed only moves the run on).
    const outcome = await deps.rerun(name, data);
    if (outcome === "live") result.live += 1;
    else result[outcome].push(run.id);
  }
  return result;
}
