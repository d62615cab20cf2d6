// Pure functions over a workflow plan and a run's rows: step order, where a run stands,
// how far along it is. No I/O, so the web, the worker and unit tests share them.
import type { PhasePlan, RunProgress, RunStatus, RunTimes, StepPlan, StepRef, StepStatus, WorkflowPlan } from "./types";

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Checks a plan once, where it is declared: kebab-case names, no phase without steps, no
 * name twice, weights that add up to something. Returns the plan unchanged (with its
 * literal type, so handlers can be checked against it). Throws on a programming error.
 */
export function definePlan<const P extends WorkflowPlan>(plan: P): P {
  const problems: string[] = [];
  const phases = new Set<string>();
  // Job ids join phase and step with "-": two pairs must not join to the same text.
  const joined = new Set<string>();
  let total = 0;
  if (plan.phases.length === 0) problems.push("it has no phases");
  for (const phase of plan.phases) {
    if (!KEBAB.test(phase.name)) problems.push(`phase "${phase.name}" is not kebab-case`);
    if (phases.has(phase.name)) problems.push(`phase "${phase.name}" appears twice`);
    phases.add(phase.name);
    if (phase.steps.length === 0) problems.push(`phase "${phase.name}" has no steps`);
    const steps = new Set<string>();
    for (const step of phase.steps) {
      if (!KEBAB.test(step.name)) problems.push(`step "${phase.name}/${step.name}" is not kebab-case`);
      if (steps.has(step.name)) problems.push(`step "${phase.name}/${step.name}" appears twice`);
      steps.add(step.name);
      const id = `${phase.name}-${step.name}`;
      if (joined.has(id)) problems.push(`steps of different phases would share the job id part "${id}"`);
      joined.add(id);
      if (!(step.weight >= 0)) problems.push(`step "${phase.name}/${step.name}" has a negative weight`);
      total += step.weight;
    }
  }
  if (plan.phases.length > 0 && !(total > 0)) problems.push("its step weights add up to nothing");
  if (problems.length > 0) throw new Error(`Workflow plan ${plan.kind}: ${problems.join("; ")}`);
  return plan;
}

/** Every step of the plan in run order. */
export function stepOrder(plan: WorkflowPlan): StepRef[] {
  let position = 0;
  return plan.phases.flatMap((phase) => phase.steps.map((step, index) => ({ phase: phase.name, step: step.name, position: position++, index })));
}

export function firstStep(plan: WorkflowPlan): StepRef {
  return stepOrder(plan)[0];
}

/** The first step of a phase: where a run waits at that phase's gate, or rewinds to. */
export function firstStepOf(plan: WorkflowPlan, phase: string): StepRef {
  return findStep(plan, phase, phasePlan(plan, phase).steps[0].name);
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

/** True when a run arriving at `ref` crosses from one phase into the next (a gate). */
export function startsPhase(ref: StepRef): boolean {
  return ref.index === 0 && ref.position > 0;
}

export function phasePlan<Job extends string>(plan: WorkflowPlan<Job>, phase: string): PhasePlan<Job> {
  const found = plan.phases.find((p) => p.name === phase);
  if (!found) throw new Error(`Workflow ${plan.kind} has no phase ${phase}`);
  return found;
}

export function stepPlan<Job extends string>(plan: WorkflowPlan<Job>, phase: string, step: string): StepPlan<Job> {
  const found = phasePlan(plan, phase).steps.find((s) => s.name === step);
  if (!found) throw new Error(`Workflow ${plan.kind} has no step ${phase}/${step}`);
  return found;
}

/** The catalogue job that runs a step. */
export function jobOf<Job extends string>(plan: WorkflowPlan<Job>, phase: string, step: string): Job {
  return stepPlan(plan, phase, step).job;
}

export function stepLabel(plan: WorkflowPlan, phase: string, step: string): string {
  return stepPlan(plan, phase, step).label;
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
  const completedPhases = plan.phases.filter((p) => p.steps.every((s) => done.has(`${p.name}/${s.name}`))).map((p) => p.name);
  if (run.status === "completed") {
    return { currentPhase: null, currentStep: null, completedPhases, canProceed: false, requiresManualTrigger: false };
  }
  const current = findStep(plan, run.phase, run.step);
  // The boundary a running step will reach next decides whether the run will stop there.
  const upcoming = run.status === "waiting" ? current : nextStep(plan, current.phase, current.step);
  const stopsAtNext = upcoming !== null && (startsPhase(upcoming) ? !run.autoProgressPhases : !run.autoProgressSteps);
  return {
    currentPhase: current.phase,
    currentStep: current.step,
    completedPhases,
    canProceed: run.status === "waiting",
    requiresManualTrigger: run.status === "waiting" || (run.status !== "failed" && stopsAtNext),
  };
}

/** The run's start and completion times for an answer (see RunTimes). */
export function runTimes(run: { startedAt: Date | null; completedAt: Date | null; status: string }): RunTimes {
  return {
    startedAt: run.startedAt?.toISOString() ?? null,
    completedAt: run.status === "completed" ? (run.completedAt?.toISOString() ?? null) : null,
  };
}

/** 0..1 across the whole run, each step weighted as the plan says. */
export function runFraction(plan: WorkflowPlan, steps: readonly StepLike[]): number {
  let total = 0;
  let done = 0;
  for (const phase of plan.phases) {
    for (const step of phase.steps) {
      total += step.weight;
      const row = steps.find((s) => s.phase === phase.name && s.step === step.name);
      if (row?.status === "succeeded") done += step.weight;
      else if (row && (row.status === "running" || row.status === "retrying")) done += step.weight * Math.min(1, Math.max(0, row.progress));
    }
  }
  return total > 0 ? done / total : 0;
}
