// The worker side of the workflow engine: runs one step (one BullMQ job), records its
// attempt, input and output in Postgres, and — when the step succeeds — moves the run on
// by enqueueing the next step's job itself. Nothing polls: a step's completion is what
// starts the next one. Between phases (or steps, if so configured) the run stops and
// waits for a person's "proceed" instead.
import { setMaxListeners } from "node:events";
import os from "node:os";
import type { Db } from "@/lib/db";
import { log } from "@/lib/log";
import { jobOf, nextStep, phasePlan, stepOrder, stepPlan } from "./plan";
import * as repo from "./repository";
import { StepTimeoutError, SupersededError, type Json, type StepName, type WorkflowDefinition, type WorkflowPlan } from "./types";

export interface StepJobData {
  runId: string;
  phase: string;
  step: StepName;
  generation: number;
}

export interface RunRef {
  id: string;
  kind: string;
  ownerId: string;
}

/**
 * `Job` is whatever names a step's job in the plans (lib/jobs: WorkflowStepJobName); the
 * engine only hands it back to `enqueue`, so it knows no pipeline's jobs.
 */
export interface EngineDeps<Job extends string = string> {
  db: Db;
  // Definitions differ in their run input type; the engine treats inputs as opaque.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  definitions: Record<string, WorkflowDefinition<any, WorkflowPlan<Job>>>;
  enqueue(job: Job, data: StepJobData): Promise<unknown>;
  /** Tells clients the run changed (SSE); called after every state change. */
  announce(run: RunRef): Promise<unknown>;
  /** How often progress may be written per step (default 500 ms). */
  progressIntervalMs?: number;
  /** Written on each attempt, so the history shows where it ran. */
  workerName?: string;
  /**
   * How long one attempt at this step may run (STEP_TIMEOUT_MS); past it the step's signal
   * is aborted and the attempt fails as transient (StepTimeoutError). Unset or 0: no limit.
   */
  stepTimeoutMs?(step: { kind: string; phase: string; step: StepName; job: Job }): number | undefined;
}

export type StepResult = { ran: true; output: Json } | { ran: false; reason: string };

const defaultWorker = `${os.hostname()}:${process.pid}`;

/**
 * Live updates are best effort: Postgres already holds the state, and a page that missed
 * an event catches up from its next snapshot. A failed announcement must not fail a step.
 */
function safeAnnounce(deps: Pick<EngineDeps, "announce">): EngineDeps["announce"] {
  return (run) =>
    deps.announce(run).catch((err) => {
      log().warn({ runId: run.id, err: (err as Error).message }, "could not announce a workflow change");
    });
}

/** Runs the step a job names, if it is still the run's current work. */
export async function processStep<Job extends string>(data: StepJobData, engineDeps: EngineDeps<Job>): Promise<StepResult> {
  const deps = { ...engineDeps, announce: safeAnnounce(engineDeps) };
  const { db } = deps;
  let run = await repo.getRun(db, data.runId);
  if (!run) return { ran: false, reason: "run deleted" };
  // The failed step's own job is running again: someone retried it (Retry in Bull Board or
  // the admin console, or the reconciler). The run continues from this step, as a resume
  // would, instead of the job finishing as a no-op while the run stays failed.
  if (run.status === "failed" && run.generation === data.generation && run.phase === data.phase && run.step === data.step) {
    if (await repo.reopenFailedStep(db, data)) {
      run = (await repo.getRun(db, data.runId))!;
      await deps.announce(run);
    }
  }
  if (run.generation !== data.generation) return { ran: false, reason: "superseded by a newer generation" };
  const definition = deps.definitions[run.kind];
  if (!definition) throw new Error(`No workflow definition for kind ${run.kind}`);
  const stepRow = await repo.getStep(db, run.id, data.phase, data.step);
  if (!stepRow) throw new Error(`Run ${run.id} has no step ${data.phase}/${data.step}`);

  // Succeeded already (the job ran twice, or the worker died after recording success):
  // only make sure the run moved on.
  if (stepRow.status === "succeeded" && stepRow.generation === data.generation) {
    await advance(deps, definition, run, data);
    return { ran: false, reason: "already succeeded" };
  }
  if (run.status !== "running" || run.phase !== data.phase || run.step !== data.step) {
    return { ran: false, reason: `run is ${run.status} at ${run.phase}/${run.step}` };
  }

  await repo.interruptOpenAttempts(db, stepRow.id);
  const outputs = await collectOutputs(db, run.id, stepRow.position);
  const input: Json = { run: run.input as Json, outputs };
  const started = await repo.startAttempt(db, {
    runId: run.id,
    generation: data.generation,
    phase: data.phase,
    step: data.step,
    input,
    worker: deps.workerName ?? defaultWorker,
  });
  if (!started) return { ran: false, reason: "run moved on before the step started" };
  await deps.announce(run);

  const handler = definition.handlers[data.phase]?.[data.step];
  if (!handler) throw new Error(`Workflow ${run.kind} has no handler for ${data.phase}/${data.step}`);

  const abort = new AbortController();
  // One signal serves every request of a long step (e.g. dozens of Veo polls).
  setMaxListeners(1_000, abort.signal);
  const interval = deps.progressIntervalMs ?? 500;
  let lastWrite = 0;
  let checkpoint = (stepRow.checkpoint as Json) ?? null;
  const ctx = {
    run: { id: run.id, kind: run.kind, ownerId: run.ownerId, input: run.input, generation: data.generation },
    phase: data.phase,
    step: data.step,
    attempt: started.attempt.number,
    outputs,
    get checkpoint() {
      return checkpoint;
    },
    async saveCheckpoint(value: Json) {
      checkpoint = value;
      await repo.saveCheckpoint(db, stepRow.id, value);
    },
    async progress(fraction: number, note?: string) {
      if (abort.signal.aborted) throw new SupersededError();
      const now = Date.now();
      if (now - lastWrite < interval && fraction < 1) return;
      lastWrite = now;
      const current = await repo.reportProgress(db, {
        runId: run.id,
        stepId: stepRow.id,
        generation: data.generation,
        progress: Math.min(1, Math.max(0, fraction)),
        note,
      });
      if (!current) {
        abort.abort(new SupersededError());
        throw new SupersededError();
      }
      await deps.announce(run);
    },
    signal: abort.signal,
    async stopAtNextPhase() {
      await repo.holdAtPhases(db, run.id);
      run.autoProgressPhases = false;
    },
  };

  // The time limit: abort the step's signal (its ffmpeg is killed, its HTTP calls cut) and
  // stop waiting for it, even if the handler ignores the signal; its slot is free again.
  const limitMs = deps.stepTimeoutMs?.({ kind: run.kind, phase: data.phase, step: data.step, job: jobOf(definition.plan, data.phase, data.step) }) ?? 0;
  let timer: NodeJS.Timeout | undefined;
  const timedOut =
    limitMs > 0
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const err = new StepTimeoutError(limitMs, stepPlan(definition.plan, data.phase, data.step).label);
            abort.abort(err);
            reject(err);
          }, limitMs);
        })
      : null;

  let output: Json;
  try {
    output = await (timedOut ? Promise.race([handler(ctx), timedOut]) : handler(ctx));
  } catch (err) {
    if (abort.signal.reason instanceof StepTimeoutError) throw abort.signal.reason;
    if (err instanceof SupersededError || abort.signal.aborted) {
      await repo.finishOpenAttempt(db, stepRow.id, "superseded", null);
      return { ran: false, reason: "superseded while running" };
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
  await repo.succeedStep(db, { stepId: stepRow.id, attemptId: started.attempt.id, output, startedAt: started.attempt.startedAt });
  await advance(deps, definition, run, data);
  return { ran: true, output };
}

/**
 * Moves the run past a step that succeeded: enqueue the next step, wait for a person,
 * or finish. Safe to call twice: the move is conditional on where the run stands.
 */
async function advance<Job extends string>(deps: EngineDeps<Job>, definition: WorkflowDefinition<unknown, WorkflowPlan<Job>>, run: RunRef & { autoProgressSteps: boolean; autoProgressPhases: boolean }, data: StepJobData) {
  const { db } = deps;
  const plan = definition.plan;
  const next = nextStep(plan, data.phase, data.step);
  if (!next) {
    if (await repo.completeRun(db, { runId: run.id, generation: data.generation, from: data })) await deps.announce(run);
    return;
  }
  const crossesPhase = next.phase !== data.phase;
  const auto = crossesPhase ? run.autoProgressPhases : run.autoProgressSteps;
  const moved = await repo.moveRun(db, {
    runId: run.id,
    generation: data.generation,
    from: data,
    next,
    status: auto ? "running" : "waiting",
  });
  if (moved) {
    if (auto) await enqueueStep(deps, definition, { runId: run.id, phase: next.phase, step: next.step, generation: data.generation });
    await deps.announce(run);
    return;
  }
  // Already moved (this is a re-run after a crash): the next job may not have been added
  // before the crash, and adding it again is harmless (same job id).
  const now = await repo.getRun(db, run.id);
  if (now && now.generation === data.generation && now.status === "running" && now.phase === next.phase && now.step === next.step) {
    await enqueueStep(deps, definition, { runId: run.id, phase: next.phase, step: next.step, generation: data.generation });
  }
}

export function enqueueStep<Job extends string>(deps: Pick<EngineDeps<Job>, "enqueue">, definition: { plan: WorkflowPlan<Job> }, data: StepJobData) {
  return deps.enqueue(jobOf(definition.plan, data.phase, data.step), data);
}

/** Outputs of every step before `position` that succeeded, keyed by phase then step. */
async function collectOutputs(db: Db, runId: string, position: number) {
  const steps = await repo.listSteps(db, runId);
  const outputs: Record<string, Record<StepName, Json>> = {};
  for (const s of steps) {
    if (s.position >= position || s.status !== "succeeded") continue;
    (outputs[s.phase] ??= {})[s.step] = s.output as Json;
  }
  return outputs;
}

/**
 * Records a failed attempt. Final: the step and run are failed (the run's error names
 * the step); otherwise the step shows "retrying" until BullMQ's backoff runs it again.
 */
export async function recordStepFailure(
  data: StepJobData,
  failure: { message: string },
  final: boolean,
  engineDeps: Pick<EngineDeps<string>, "db" | "definitions" | "announce">,
): Promise<void> {
  const deps = { ...engineDeps, announce: safeAnnounce(engineDeps) };
  const run = await repo.getRun(deps.db, data.runId);
  if (!run || run.generation !== data.generation) return;
  const step = await repo.getStep(deps.db, run.id, data.phase, data.step);
  if (!step) return;
  const definition = deps.definitions[run.kind];
  const where = definition
    ? `${phasePlan(definition.plan, data.phase).label} → ${stepPlan(definition.plan, data.phase, data.step).label}`
    : `${data.phase}/${data.step}`;
  const changed = final
    ? await repo.failStep(deps.db, { runId: run.id, generation: data.generation, stepId: step.id, error: failure.message, runError: `${where} failed: ${failure.message}` })
    : await repo.markRetrying(deps.db, { runId: run.id, generation: data.generation, stepId: step.id, error: failure.message });
  if (changed) await deps.announce(run);
  if (changed && final && definition?.onRunFailed) {
    await definition.onRunFailed({ ...run, generation: data.generation }, { phase: data.phase, step: data.step, message: failure.message }).catch((err) => {
      log().warn({ runId: run.id, err: (err as Error).message }, "the workflow's failure hook failed");
    });
  }
}

/** For tests and admin views: the steps of a plan in order, with their rows. */
export { stepOrder };
