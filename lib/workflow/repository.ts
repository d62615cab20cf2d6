// The only module that touches the WorkflowRun, WorkflowStep and WorkflowStepAttempt
// tables. Every state change is conditional on the run's generation (and, where it
// matters, its position), so a stale job or a double click can never move a run twice.
import type { Db, Tx } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { firstStepOf, stepOrder } from "./plan";
import type { Json, RunStatus, StepName, StepRef, WorkflowPlan } from "./types";

const json = (value: Json | undefined) => value as Prisma.InputJsonValue | undefined;

export interface NewRun {
  kind: string;
  ownerId: string;
  input: Json;
  autoProgressSteps: boolean;
  autoProgressPhases: boolean;
}

/** Creates the run and one pending row per step; the first step is marked queued. */
export async function createRun(tx: Tx, plan: WorkflowPlan, data: NewRun) {
  const order = stepOrder(plan);
  const first = order[0];
  return tx.workflowRun.create({
    data: {
      ...data,
      input: json(data.input)!,
      status: "running",
      phase: first.phase,
      step: first.step,
      steps: {
        create: order.map((ref) => ({
          phase: ref.phase,
          step: ref.step,
          position: ref.position,
          status: ref.position === 0 ? ("queued" as const) : ("pending" as const),
          queuedAt: ref.position === 0 ? new Date() : null,
        })),
      },
    },
  });
}

export function getRun(db: Db, id: string) {
  return db.workflowRun.findUnique({ where: { id } });
}

export function getRunWithSteps(db: Db, id: string) {
  return db.workflowRun.findUnique({ where: { id }, include: { steps: { orderBy: { position: "asc" } } } });
}

/** For admins: every step with its input, output and full attempt history. */
export function getRunHistory(db: Db, id: string) {
  return db.workflowRun.findUnique({
    where: { id },
    include: { steps: { orderBy: { position: "asc" }, include: { history: { orderBy: { number: "asc" } } } } },
  });
}

export function getStep(db: Db, runId: string, phase: string, step: string) {
  return db.workflowStep.findUnique({ where: { runId_phase_step: { runId, phase, step } } });
}

export function listSteps(db: Db, runId: string) {
  return db.workflowStep.findMany({ where: { runId }, orderBy: { position: "asc" } });
}

/** Attempts a previous worker started and never finished: it died or lost its lock. */
export async function interruptOpenAttempts(db: Db, stepId: string): Promise<number> {
  const open = await db.workflowStepAttempt.findMany({ where: { stepId, finishedAt: null } });
  const now = new Date();
  for (const a of open) {
    await db.workflowStepAttempt.update({
      where: { id: a.id },
      data: { outcome: "interrupted", finishedAt: now, durationMs: now.getTime() - a.startedAt.getTime(), error: "The worker stopped during this attempt." },
    });
  }
  return open.length;
}

/**
 * Marks the step running and opens an attempt record, but only while the run is still on
 * this generation and this step. Returns null when it is not (the job is stale).
 */
export async function startAttempt(
  db: Db,
  args: { runId: string; generation: number; phase: string; step: StepName; input: Json; worker: string },
) {
  return db.$transaction(async (tx) => {
    const moved = await tx.workflowRun.updateMany({
      where: { id: args.runId, generation: args.generation, status: "running", phase: args.phase, step: args.step },
      data: { version: { increment: 1 }, error: null },
    });
    if (moved.count === 0) return null;
    const now = new Date();
    // The run's first attempt is when it started (answered as the run's startedAt).
    await tx.workflowRun.updateMany({ where: { id: args.runId, startedAt: null }, data: { startedAt: now } });
    const current = await tx.workflowStep.findUniqueOrThrow({
      where: { runId_phase_step: { runId: args.runId, phase: args.phase, step: args.step } },
    });
    const number = (await tx.workflowStepAttempt.count({ where: { stepId: current.id } })) + 1;
    const step = await tx.workflowStep.update({
      where: { id: current.id },
      data: {
        status: "running",
        generation: args.generation,
        input: json(args.input),
        attempts: { increment: 1 },
        progress: 0,
        note: null,
        error: null,
        startedAt: now,
        finishedAt: null,
        durationMs: null,
      },
    });
    const attempt = await tx.workflowStepAttempt.create({
      data: { stepId: step.id, number, generation: args.generation, worker: args.worker, outcome: "running", startedAt: now },
    });
    return { step, attempt };
  });
}

export async function saveCheckpoint(db: Db, stepId: string, checkpoint: Json): Promise<void> {
  await db.workflowStep.update({ where: { id: stepId }, data: { checkpoint: json(checkpoint) } });
}

/** Progress within a running step; bumps the run's version so clients order updates. */
export async function reportProgress(db: Db, args: { runId: string; stepId: string; generation: number; progress: number; note?: string }) {
  return db.$transaction(async (tx) => {
    const bumped = await tx.workflowRun.updateMany({
      where: { id: args.runId, generation: args.generation },
      data: { version: { increment: 1 } },
    });
    if (bumped.count === 0) return false;
    await tx.workflowStep.update({
      where: { id: args.stepId },
      data: { progress: args.progress, ...(args.note !== undefined ? { note: args.note } : {}) },
    });
    return true;
  });
}

export async function succeedStep(
  db: Db,
  args: { stepId: string; attemptId: string; output: Json; startedAt: Date; note?: string | null },
): Promise<void> {
  const now = new Date();
  const durationMs = now.getTime() - args.startedAt.getTime();
  await db.$transaction([
    db.workflowStep.update({
      where: { id: args.stepId },
      data: {
        status: "succeeded",
        output: json(args.output),
        progress: 1,
        finishedAt: now,
        durationMs,
        error: null,
        ...(args.note !== undefined ? { note: args.note } : {}),
      },
    }),
    db.workflowStepAttempt.update({ where: { id: args.attemptId }, data: { outcome: "succeeded", finishedAt: now, durationMs } }),
  ]);
}

/** Closes the open attempt of a step (if any) with this outcome. */
export async function finishOpenAttempt(db: Tx, stepId: string, outcome: "failed" | "superseded" | "interrupted", error: string | null) {
  const open = await db.workflowStepAttempt.findFirst({ where: { stepId, finishedAt: null }, orderBy: { number: "desc" } });
  if (!open) return;
  const now = new Date();
  await db.workflowStepAttempt.update({
    where: { id: open.id },
    data: { outcome, error, finishedAt: now, durationMs: now.getTime() - open.startedAt.getTime() },
  });
}

/** An attempt failed and BullMQ will try again after its backoff. */
export async function markRetrying(db: Db, args: { runId: string; generation: number; stepId: string; error: string }) {
  return db.$transaction(async (tx) => {
    const bumped = await tx.workflowRun.updateMany({
      where: { id: args.runId, generation: args.generation, status: "running" },
      data: { version: { increment: 1 } },
    });
    if (bumped.count === 0) return false;
    await finishOpenAttempt(tx, args.stepId, "failed", args.error);
    await tx.workflowStep.update({ where: { id: args.stepId }, data: { status: "retrying", error: args.error } });
    return true;
  });
}

/** The step's last attempt failed: the step and the run are failed until someone resumes. */
export async function failStep(db: Db, args: { runId: string; generation: number; stepId: string; error: string; runError: string }) {
  return db.$transaction(async (tx) => {
    const moved = await tx.workflowRun.updateMany({
      where: { id: args.runId, generation: args.generation, status: "running" },
      data: { status: "failed", error: args.runError, version: { increment: 1 } },
    });
    if (moved.count === 0) return false;
    await finishOpenAttempt(tx, args.stepId, "failed", args.error);
    const now = new Date();
    const step = await tx.workflowStep.findUniqueOrThrow({ where: { id: args.stepId } });
    await tx.workflowStep.update({
      where: { id: args.stepId },
      data: {
        status: "failed",
        error: args.error,
        finishedAt: now,
        durationMs: step.startedAt ? now.getTime() - step.startedAt.getTime() : null,
      },
    });
    return true;
  });
}

/**
 * Moves a run from the step that just finished to `next`, running (the next step is
 * marked queued) or waiting for a person. Conditional on the run still being at `from`,
 * so a job that runs twice moves it once.
 */
export async function moveRun(
  db: Db,
  args: { runId: string; generation: number; from: { phase: string; step: string }; next: StepRef; status: Extract<RunStatus, "running" | "waiting"> },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const moved = await tx.workflowRun.updateMany({
      where: { id: args.runId, generation: args.generation, status: "running", phase: args.from.phase, step: args.from.step },
      data: { phase: args.next.phase, step: args.next.step, status: args.status, version: { increment: 1 } },
    });
    if (moved.count === 0) return false;
    if (args.status === "running") {
      await tx.workflowStep.update({
        where: { runId_phase_step: { runId: args.runId, phase: args.next.phase, step: args.next.step } },
        data: { status: "queued", queuedAt: new Date() },
      });
    }
    return true;
  });
}

export async function completeRun(db: Db, args: { runId: string; generation: number; from: { phase: string; step: string } }) {
  const moved = await db.workflowRun.updateMany({
    where: { id: args.runId, generation: args.generation, status: "running", phase: args.from.phase, step: args.from.step },
    data: { status: "completed", completedAt: new Date(), error: null, version: { increment: 1 } },
  });
  return moved.count > 0;
}

/** From now on the run waits for a person at every phase boundary (see StepContext.stopAtNextPhase). */
export async function holdAtPhases(db: Db, runId: string): Promise<void> {
  await db.workflowRun.update({ where: { id: runId }, data: { autoProgressPhases: false } });
}

/** A waiting run starts its current step: the "proceed" button. */
export async function proceedRun(db: Db, args: { runId: string; generation: number }) {
  return db.$transaction(async (tx) => {
    const run = await tx.workflowRun.findUnique({ where: { id: args.runId } });
    if (!run || run.generation !== args.generation || run.status !== "waiting") return null;
    const moved = await tx.workflowRun.updateMany({
      where: { id: run.id, generation: run.generation, status: "waiting", phase: run.phase, step: run.step },
      data: { status: "running", version: { increment: 1 } },
    });
    if (moved.count === 0) return null;
    await tx.workflowStep.update({
      where: { runId_phase_step: { runId: run.id, phase: run.phase, step: run.step } },
      data: { status: "queued", queuedAt: new Date() },
    });
    return { ...run, status: "running" as const };
  });
}

/**
 * Starts a new generation at the run's current step (after a failure or a lost worker).
 * Steps that already succeeded keep their output and are not run again.
 */
export async function resumeRun(db: Db, args: { runId: string; generation: number }) {
  return db.$transaction(async (tx) => {
    const run = await tx.workflowRun.findUnique({ where: { id: args.runId } });
    if (!run || run.generation !== args.generation) return null;
    const generation = run.generation + 1;
    const moved = await tx.workflowRun.updateMany({
      where: { id: run.id, generation: run.generation },
      data: { status: "running", generation, error: null, version: { increment: 1 } },
    });
    if (moved.count === 0) return null;
    const current = await tx.workflowStep.findUniqueOrThrow({ where: { runId_phase_step: { runId: run.id, phase: run.phase, step: run.step } } });
    // An attempt left open by a dead worker is closed now, so the history reads right.
    await finishOpenAttempt(tx, current.id, "interrupted", "Its worker stopped; resumed under a new generation.");
    await tx.workflowStep.update({ where: { id: current.id }, data: { status: "queued", queuedAt: new Date(), progress: 0 } });
    return { ...run, status: "running" as const, generation };
  });
}

/**
 * Takes a run back to the start of `phase` (and resets every later step), waiting for a
 * proceed: used when the user edits what an earlier phase produced. A new generation,
 * so jobs of the old one are ignored.
 */
export async function rewindRun(db: Db, plan: WorkflowPlan, args: { runId: string; generation: number; phase: string }) {
  const from = firstStepOf(plan, args.phase);
  return db.$transaction(async (tx) => {
    const run = await tx.workflowRun.findUnique({ where: { id: args.runId } });
    if (!run || run.generation !== args.generation || run.status === "running") return null;
    const generation = run.generation + 1;
    const moved = await tx.workflowRun.updateMany({
      where: { id: run.id, generation: run.generation, status: run.status },
      data: { status: "waiting", phase: from.phase, step: from.step, generation, error: null, completedAt: null, version: { increment: 1 } },
    });
    if (moved.count === 0) return null;
    await tx.workflowStep.updateMany({
      where: { runId: run.id, position: { gte: from.position } },
      data: {
        status: "pending",
        progress: 0,
        note: null,
        error: null,
        output: Prisma.DbNull,
        checkpoint: Prisma.DbNull,
        queuedAt: null,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
      },
    });
    return { ...run, status: "waiting" as const, phase: from.phase, step: from.step, generation };
  });
}

/**
 * An admin is putting the failed job of this step back in the queue (same job id, same
 * generation): the run and the step go back to running/queued so the job, when it runs,
 * finds the run at its step and does the work. Does nothing (false) when the run is no
 * longer failed there, e.g. it was resumed since: the retried job is then stale and idle.
 */
export async function reopenFailedStep(db: Db, args: { runId: string; generation: number; phase: string; step: string }) {
  return db.$transaction(async (tx) => {
    const moved = await tx.workflowRun.updateMany({
      where: { id: args.runId, generation: args.generation, status: "failed", phase: args.phase, step: args.step },
      data: { status: "running", error: null, version: { increment: 1 } },
    });
    if (moved.count === 0) return false;
    await tx.workflowStep.update({
      where: { runId_phase_step: { runId: args.runId, phase: args.phase, step: args.step } },
      data: { status: "queued", queuedAt: new Date(), progress: 0 },
    });
    return true;
  });
}
