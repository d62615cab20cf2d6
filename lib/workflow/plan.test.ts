import { describe, expect, it } from "vitest";
import { backoffDelays } from "@/lib/jobs/catalogue";
import { VLOG_PLAN } from "@/lib/vlogs/plan";
import { nextStep, runFraction, runProgress, stepOrder } from "./plan";

describe("workflow plan", () => {
  it("orders steps think → execute → integrate, phase after phase", () => {
    expect(stepOrder(VLOG_PLAN).map((s) => `${s.phase}/${s.step}`)).toEqual([
      "storyboard/think",
      "storyboard/execute",
      "storyboard/integrate",
      "render/think",
      "render/execute",
      "render/integrate",
    ]);
    expect(nextStep(VLOG_PLAN, "render", "integrate")).toBeNull();
  });

  it("says whether the run will stop at its next boundary", () => {
    const run = { status: "running" as const, phase: "storyboard", step: "integrate", autoProgressSteps: true, autoProgressPhases: false };
    expect(runProgress(VLOG_PLAN, run, [])).toMatchObject({ currentPhase: "storyboard", currentStep: "integrate", canProceed: false, requiresManualTrigger: true });
    expect(runProgress(VLOG_PLAN, { ...run, autoProgressPhases: true }, [])).toMatchObject({ requiresManualTrigger: false });
    expect(runProgress(VLOG_PLAN, { ...run, step: "think" }, [])).toMatchObject({ requiresManualTrigger: false });
  });

  it("weights progress by step, counting a running step's own progress", () => {
    const steps = [
      { phase: "storyboard", step: "think", status: "succeeded" as const, progress: 1 },
      { phase: "storyboard", step: "execute", status: "succeeded" as const, progress: 1 },
      { phase: "storyboard", step: "integrate", status: "succeeded" as const, progress: 1 },
      { phase: "render", step: "think", status: "succeeded" as const, progress: 1 },
      { phase: "render", step: "execute", status: "running" as const, progress: 0.5 },
    ];
    expect(runFraction(VLOG_PLAN, steps)).toBeCloseTo((12 + 2 + 39) / 100, 5);
  });

  it("backs workflow steps off from 10 s, doubling, capped at 600 s", () => {
    expect([1, 2, 3, 6, 7, 12].map(backoffDelays["slow-exponential"])).toEqual([10_000, 20_000, 40_000, 320_000, 600_000, 600_000]);
    expect(backoffDelays["capped-exponential"](5)).toBe(10_000);
  });
});
