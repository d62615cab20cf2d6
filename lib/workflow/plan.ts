// Pure functions over a workflow plan and a run's rows: step order, where a run stands,
// how far along it is. No I/O, so the web, the worker and unit tests share them.
import { STEP_NAMES, type RunProgress, type RunStatus, type StepName, type StepRef, type StepStatus, type WorkflowPlan } from "./types";

/** Every step of the plan in run order. */
export function stepOrder(plan: WorkflowPlan): StepRef[] {
  return plan.phases.flatMap((phase, p) => STEP_NAMES.map((step, s) => ({ phase: phase.name, step, position: p * STEP_NAMES.length + s })));
}

export function firstStep(plan: WorkflowPlan): StepRef {
  return stepOrder(plan)[0];
}

export function findStep(plan: WorkflowPlan, phase: string, step: string): StepRef {
  const ref = stepOrder(plan).find((r) => r.phase === phase && r.step === step);
  if (!ref) throw new Error(`Workflow ${plan.kind} has no step ${phase}/${step}`);
  return ref;
}

/** The step after this one, or null after the last. */
export function nextStep(plan: WorkflowPlan, phase: string, step: string): StepRef | null {
  const order = stepOrder(plan);
  return order[findStep(plan, phase, step).position + 1] ?? null;
}

export function phasePlan(plan: WorkflowPlan, phase: string) {
  const found = plan.phases.find((p) => p.name === phase);
  if (!found) throw new Error(`Workflow ${plan.kind} has no phase ${phase}`);
  return found;
}

export function stepLabel(plan: WorkflowPlan, phase: string, step: StepName): string {
  return phasePlan(plan, phase).steps[step].label;
}

export interface RunLike {
  status: RunStatus;
  phase: string;
  step: string;
  autoProgressSteps: boolean;
  autoProgressPhases: boolean;
}

export interface StepLike {
  phase: string;
  step: string;
  status: StepStatus;
  progress: number;
}

/** Where a run stands: the GET …/progress answer. */
export function runProgress(plan: WorkflowPlan, run: RunLike, steps: readonly StepLike[]): RunProgress {
  const done = new Set(steps.filter((s) => s.status === "succeeded").map((s) => `${s.phase}/${s.step}`));
  const completedPhases = plan.phases
    .filter((p) => STEP_NAMES.every((s) => done.has(`${p.name}/${s}`)))
    .map((p) => p.name);
  if (run.status === "completed") {
    return { currentPhase: null, currentStep: null, completedPhases, canProceed: false, requiresManualTrigger: false };
  }
  const current = findStep(plan, run.phase, run.step);
  // The boundary a running step will reach next decides whether the run will stop there.
  const upcoming = run.status === "waiting" ? current : nextStep(plan, current.phase, current.step);
  const stopsAtNext =
    upcoming !== null &&
    (upcoming.step === "think" && upcoming.position > 0 ? !run.autoProgressPhases : !run.autoProgressSteps);
  return {
    currentPhase: current.phase,
    currentStep: current.step,
    completedPhases,
    canProceed: run.status === "waiting",
    requiresManualTrigger: run.status === "waiting" || (run.status !== "failed" && stopsAtNext),
  };
}

/** 0..1 across the whole run, each step weighted as the plan says. */
export function runFraction(plan: WorkflowPlan, steps: readonly StepLike[]): number {
  let total = 0;
  let done = 0;
  for (const ref of stepOrder(plan)) {
    const weight = phasePlan(plan, ref.phase).steps[ref.step].weight;
    total += weight;
    const row = steps.find((s) => s.phase === ref.phase && s.step === ref.step);
    if (row?.status === "succeeded") done += weight;
    else if (row && (row.status === "running" || row.status === "retrying")) done += weight * Math.min(1, Math.max(0, row.progress));
  }
  return total > 0 ? done / total : 0;
}
