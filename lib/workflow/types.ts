// The shapes of the generic workflow engine. A workflow *plan* (names, labels, which
// queue each step runs on) is light and shared by the web app and the worker; the step
// *handlers* hold the real work and are only ever imported by the worker.

export const STEP_NAMES = ["think", "execute", "integrate"] as const;
export type StepName = (typeof STEP_NAMES)[number];

export type RunStatus = "running" | "waiting" | "completed" | "failed";
export type StepStatus = "pending" | "queued" | "running" | "retrying" | "succeeded" | "failed";

/** The job catalogue entries that run workflow steps (see lib/jobs/catalogue.ts). */
export type StepJobName = "workflow-step" | "vlog-render";

export interface StepPlan {
  label: string;
  job: StepJobName;
  /** Share of the whole run's progress bar this step fills (any scale; normalised). */
  weight: number;
}

export interface PhasePlan {
  /** kebab-case; part of job ids. */
  name: string;
  label: string;
  steps: Record<StepName, StepPlan>;
}

export interface WorkflowPlan {
  kind: string;
  phases: PhasePlan[];
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
}

export type StepHandler<RunInput = unknown> = (ctx: StepContext<RunInput>) => Promise<Json>;

/** The worker-side definition: the plan plus a handler for every step of every phase. */
export interface WorkflowDefinition<RunInput = unknown> {
  plan: WorkflowPlan;
  handlers: Record<string, Record<StepName, StepHandler<RunInput>>>;
}

/** Thrown inside a step when the run moved to a newer generation while it was running. */
export class SupersededError extends Error {
  constructor() {
    super("This step was superseded by a newer run of it.");
    this.name = "SupersededError";
  }
}

/**
 * A step failure that no retry can fix (bad input, missing photo): fails the step at
 * once with this message, which the user reads.
 */
export class StepRejectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StepRejectedError";
  }
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

/** The position of a step in a plan, in run order. */
export interface StepRef {
  phase: string;
  step: StepName;
  position: number;
}
