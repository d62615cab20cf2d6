// The run-shaped part of every workflow answer (vlogs, episodes): where the run stands, its
// fractions, the step running now in words, and each step's outcome. One builder, so the
// vlog and podcast views (and the StepList that draws them) cannot drift apart.
import { runFraction, runProgress, runTimes, stepLabel } from "./plan";
import type { RunProgress, RunStatus, RunTimes, StepName, StepStatus, WorkflowPlan } from "./types";

/** One step of a run, as the pages list them. */
export interface StepView {
  phase: string;
  phaseLabel: string;
  step: StepName;
  label: string;
  status: StepStatus;
  attempts: number;
  progress: number;
  note: string | null;
  error: string | null;
  durationMs: number | null;
}

export interface RunView extends RunProgress, RunTimes {
  /** 0..1 across the whole run. */
  progress: number;
  /** 0..1 within the phase running now. */
  phaseProgress: number;
  phaseLabel: string | null;
  stepLabel: string | null;
  stepProgress: number;
  note: string | null;
  /** Which step failed and why, in words. */
  error: string | null;
  steps: StepView[];
}

/** The workflow run and its steps as the repositories read them. */
export interface RunRowLike {
  status: string;
  phase: string;
  step: string;
  autoProgressSteps: boolean;
  autoProgressPhases: boolean;
  error: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  steps: readonly {
    phase: string;
    step: string;
    status: string;
    attempts: number;
    progress: number;
    note: string | null;
    error: string | null;
    durationMs: number | null;
  }[];
}

export function runView(plan: WorkflowPlan, run: RunRowLike): RunView {
  const status = run.status as RunStatus;
  const steps = run.steps.map((s) => ({ ...s, status: s.status as StepStatus }));
  const completed = status === "completed";
  const current = completed ? undefined : steps.find((s) => s.phase === run.phase && s.step === run.step);
  const phase = plan.phases.find((p) => p.name === run.phase);
  const phaseLabelOf = (name: string) => plan.phases.find((p) => p.name === name)?.label ?? name;
  return {
    progress: completed ? 1 : runFraction(plan, steps),
    phaseProgress: completed ? 1 : phase ? runFraction({ ...plan, phases: [phase] }, steps.filter((s) => s.phase === run.phase)) : 0,
    ...runProgress(plan, { ...run, status }, steps),
    phaseLabel: current ? phaseLabelOf(current.phase) : null,
    stepLabel: current ? stepLabel(plan, current.phase, current.step) : null,
    stepProgress: current?.progress ?? 0,
    note: current?.note ?? null,
    error: run.error,
    steps: steps.map((s) => ({
      phase: s.phase,
      phaseLabel: phaseLabelOf(s.phase),
      step: s.step as StepName,
      label: stepLabel(plan, s.phase, s.step),
      status: s.status,
      attempts: s.attempts,
      progress: s.progress,
      note: s.note,
      error: s.error,
      durationMs: s.durationMs,
    })),
    ...runTimes(run),
  };
}
