// The shapes of the generic workflow engine. A workflow *plan* (phases, each an ordered
// list of named steps, and which job runs each step) is light and shared by the web app
// and the worker; the step *handlers* hold the real work and only the worker imports them.

import { DomainError } from "@/lib/errors";

/** A step's or phase's name: kebab-case, stored in WorkflowStep.step / .phase and part of job ids. */
export type StepName = string;

export type RunStatus = "running" | "waiting" | "completed" | "failed";
export type StepStatus = "pending" | "queued" | "running" | "retrying" | "succeeded" | "failed";

/**
 * One step of a phase. `Job` is the catalogue job whose queue runs it: the engine only
 * passes it back to its `enqueue`, so it never names a pipeline's jobs itself (lib/jobs
 * narrows it to the catalogue entries marked `workflowStep: true`).
 */
export interface StepPlan<Job extends string = string> {
  /** kebab-case, unique within its phase. */
  name: StepName;
  label: string;
  job: Job;
  /** Share of the whole run's progress bar this step fills (any scale; normalised). */
  weight: number;
}

export interface PhasePlan<Job extends string = string> {
  /** kebab-case, unique within the plan; part of job ids. */
  name: string;
  label: string;
  /** Run in this order; at least one. Between phases the run may stop at a gate. */
  steps: readonly StepPlan<Job>[];
}

export interface WorkflowPlan<Job extends string = string> {
  kind: string;
  phases: readonly PhasePlan<Job>[];
}

/** JSON that can be stored in a step's input/output/checkpoint column. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** What a step handler is given. */
export interface StepContext<RunInput = unknown> {
  run: { id: string; kind: string; ownerId: string; input: RunInput; generation: number };
  phase: string;
  step: StepName;
  /** 1 for the first attempt at this step; counts across resumes. */
  attempt: number;
  /**
   * Outputs of the steps that already succeeded: this phase's earlier steps, and every
   * earlier phase's steps, keyed by phase then step.
   */
  outputs: Record<string, Partial<Record<StepName, Json>>>;
  /** What an earlier attempt at this step saved with saveCheckpoint (null at first). */
  checkpoint: Json;
  /** Persists partial progress so a retried attempt (even on another worker) can reuse it. */
  saveCheckpoint(value: Json): Promise<void>;
  /**
   * Reports progress within the step (0..1) with an optional short note. Cheap to call
   * often: writes are throttled. Throws SupersededError when the run has moved on (a
   * resume started a newer generation), so stale work stops.
   */
  progress(fraction: number, note?: string): Promise<void>;
  /** Aborted when the run is superseded; pass it to child processes and HTTP calls. */
  signal: AbortSignal;
  /**
   * The run will wait for a person at the next phase boundary even if it would move on by
   * itself (autoProgressPhases), e.g. when what this step found needs a human decision.
   * Stored on the run, so it holds after a crash too.
   */
  stopAtNextPhase(): Promise<void>;
}

export type StepHandler<RunInput = unknown> = (ctx: StepContext<RunInput>) => Promise<Json>;

/**
 * A handler for every step of every phase of `Plan`, keyed by phase then step name. With a
 * plan declared `as const`, a missing or misspelt handler is a compile error.
 */
export type StepHandlers<Plan extends WorkflowPlan, RunInput = unknown> = {
  [P in Plan["phases"][number] as P["name"]]: { [S in P["steps"][number] as S["name"]]: StepHandler<RunInput> };
};

/** The worker-side definition: the plan plus a handler for every step of every phase. */
export interface WorkflowDefinition<RunInput = unknown, Plan extends WorkflowPlan = WorkflowPlan> {
  plan: Plan;
  handlers: StepHandlers<Plan, RunInput>;
  /**
   * Called once when a step's last attempt failed and the run stopped as failed (e.g. to
   * notify someone). Its own failure is logged, never recorded on the run.
   */
  onRunFailed?(run: { id: string; kind: string; ownerId: string; generation: number }, failure: { phase: string; step: StepName; message: string }): Promise<void>;
}

/** Thrown inside a step when the run moved to a newer generation while it was running. */
export class SupersededError extends Error {
  constructor() {
    super("This step was superseded by a newer run of it.");
    this.name = "SupersededError";
  }
}

/**
 * Thrown by the engine when one attempt at a step ran past its time limit (STEP_TIMEOUT_MS):
 * the step's signal was aborted (killing its child processes) and the attempt counts as a
 * transient failure, retried with backoff like a network blip.
 */
export class StepTimeoutError extends DomainError {
  readonly kind = "transient";
  readonly code = "step_timed_out";
  constructor(
    readonly limitMs: number,
    label: string,
  ) {
    super(`${label} was stopped after running longer than its time limit of ${describeMs(limitMs)} (STEP_TIMEOUT_MS).`);
    this.name = "StepTimeoutError";
  }
}

function describeMs(ms: number): string {
  if (ms % 60_000 === 0) return ms === 60_000 ? "1 minute" : `${ms / 60_000} minutes`;
  if (ms % 1_000 === 0) return ms === 1_000 ? "1 second" : `${ms / 1_000} seconds`;
  return `${ms} ms`;
}

/** Where a run stands, in the shape GET …/progress returns. */
export interface RunProgress {
  currentPhase: string | null;
  currentStep: StepName | null;
  completedPhases: string[];
  /** POST …/proceed would start the next step now. */
  canProceed: boolean;
  /** The run will stop at its next boundary (or has stopped) until someone proceeds. */
  requiresManualTrigger: boolean;
}

/**
 * When a run started and completed, as every run-shaped answer carries them (ISO 8601):
 * started when its first step first started (null while it waits in the queue), completed
 * when it last finished its final step (null while running, waiting or failed; cleared when
 * a finished run is taken back to an earlier phase).
 */
export interface RunTimes {
  startedAt: string | null;
  completedAt: string | null;
}

/** The position of a step in a plan, in run order. */
export interface StepRef {
  phase: string;
  step: StepName;
  /** 0, 1, 2, … across the whole run (WorkflowStep.position). */
  position: number;
  /** 0 for the first step of its phase: a phase boundary (a gate) lies before it unless position is 0 too. */
  index: number;
}
