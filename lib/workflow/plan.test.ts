import { describe, expect, it } from "vitest";
import { backoffDelays } from "@/lib/jobs/catalogue";
import { VLOG_PLAN } from "@/lib/vlogs/plan";
import { definePlan, firstStepOf, jobOf, nextStep, runFraction, runProgress, runTimes, stepOrder } from "./plan";

// The podcast shape (issue 10): three named steps, a review gate, four named steps.
const EPISODE = definePlan({
  kind: "episode",
  phases: [
    {
      name: "analyse",
      label: "Analyse",
      steps: [
        { name: "probe", label: "Reading the file", job: "light", weight: 1 },
        { name: "understand", label: "Listening", job: "light", weight: 6 },
        { name: "assemble", label: "Writing transcripts", job: "light", weight: 1 },
      ],
    },
    {
      name: "publish",
      label: "Publish",
      steps: [
        { name: "encode", label: "Encoding", job: "encode", weight: 8 },
        { name: "store", label: "Storing", job: "light", weight: 2 },
        { name: "feed", label: "Updating the feed", job: "light", weight: 1 },
        { name: "notify", label: "Telling Discord", job: "light", weight: 1 },
      ],
    },
  ],
});

const row = (phase: string, step: string, status: "succeeded" | "running" | "pending", progress = status === "succeeded" ? 1 : 0) => ({ phase, step, status, progress });

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

  it("runs phases of different lengths in order, each step on the job its plan names", () => {
    expect(stepOrder(EPISODE).map((s) => `${s.position}:${s.phase}/${s.step}`)).toEqual([
      "0:analyse/probe",
      "1:analyse/understand",
      "2:analyse/assemble",
      "3:publish/encode",
      "4:publish/store",
      "5:publish/feed",
      "6:publish/notify",
    ]);
    expect(nextStep(EPISODE, "analyse", "assemble")).toMatchObject({ phase: "publish", step: "encode", position: 3, index: 0 });
    expect(nextStep(EPISODE, "publish", "feed")).toMatchObject({ phase: "publish", step: "notify", position: 6, index: 3 });
    expect(nextStep(EPISODE, "publish", "notify")).toBeNull();
    expect(firstStepOf(EPISODE, "publish")).toMatchObject({ step: "encode", position: 3 });
    expect(jobOf(EPISODE, "publish", "encode")).toBe("encode");
    expect(jobOf(EPISODE, "publish", "store")).toBe("light");
    expect(() => nextStep(EPISODE, "publish", "think")).toThrow(/no step publish\/think/);
  });

  it("stops at the review gate between the phases, not between steps", () => {
    const gated = { status: "running" as const, phase: "analyse", step: "understand", autoProgressSteps: true, autoProgressPhases: false };
    // Within a phase the next step starts by itself…
    expect(runProgress(EPISODE, gated, [])).toMatchObject({ currentStep: "understand", requiresManualTrigger: false });
    // …but the last step of analyse leads to the gate,
    expect(runProgress(EPISODE, { ...gated, step: "assemble" }, [])).toMatchObject({ requiresManualTrigger: true, canProceed: false });
    // where the run waits at publish's first step with analyse complete.
    const analysed = ["probe", "understand", "assemble"].map((s) => row("analyse", s, "succeeded"));
    expect(runProgress(EPISODE, { ...gated, status: "waiting", phase: "publish", step: "encode" }, analysed)).toEqual({
      currentPhase: "publish",
      currentStep: "encode",
      completedPhases: ["analyse"],
      canProceed: true,
      requiresManualTrigger: true,
    });
    // With steps gated too, every step of the four-step phase waits for a person.
    expect(runProgress(EPISODE, { ...gated, phase: "publish", step: "store", autoProgressSteps: false, autoProgressPhases: true }, analysed)).toMatchObject({
      requiresManualTrigger: true,
    });
    const all = [...analysed, ...["encode", "store", "feed", "notify"].map((s) => row("publish", s, "succeeded"))];
    expect(runProgress(EPISODE, { ...gated, status: "completed" }, all)).toMatchObject({ currentStep: null, completedPhases: ["analyse", "publish"] });
  });

  it("weights progress across phases of different lengths", () => {
    const analysed = ["probe", "understand", "assemble"].map((s) => row("analyse", s, "succeeded"));
    expect(runFraction(EPISODE, analysed)).toBeCloseTo(8 / 20, 5);
    expect(runFraction(EPISODE, [...analysed, row("publish", "encode", "running", 0.25)])).toBeCloseTo((8 + 2) / 20, 5);
    expect(runFraction(EPISODE, [row("analyse", "probe", "pending")])).toBe(0);
  });

  it("refuses a plan whose names would break rows or job ids", () => {
    const step = { label: "S", job: "j", weight: 1 };
    const plan = (phases: { name: string; steps: { name: string; label: string; job: string; weight: number }[] }[]) => () =>
      definePlan({ kind: "bad", phases: phases.map((p) => ({ ...p, label: p.name })) });
    expect(plan([{ name: "one", steps: [{ ...step, name: "Probe" }] }])).toThrow(/"one\/Probe" is not kebab-case/);
    expect(plan([{ name: "one", steps: [] }])).toThrow(/"one" has no steps/);
    expect(plan([{ name: "one", steps: [{ ...step, name: "a" }, { ...step, name: "a" }] }])).toThrow(/"one\/a" appears twice/);
    expect(plan([{ name: "a-b", steps: [{ ...step, name: "c" }] }, { name: "a", steps: [{ ...step, name: "b-c" }] }])).toThrow(/share the job id part "a-b-c"/);
    expect(plan([{ name: "one", steps: [{ ...step, name: "a", weight: 0 }] }])).toThrow(/add up to nothing/);
  });
});

describe("runTimes", () => {
  const startedAt = new Date("2026-12-01T10:00:00Z");
  const completedAt = new Date("2026-12-01T10:03:00Z");
  it("answers when a run started, and when it completed only while it stands completed", () => {
    expect(runTimes({ status: "completed", startedAt, completedAt })).toEqual({ startedAt: "2026-12-01T10:00:00.000Z", completedAt: "2026-12-01T10:03:00.000Z" });
    expect(runTimes({ status: "running", startedAt, completedAt: null })).toEqual({ startedAt: "2026-12-01T10:00:00.000Z", completedAt: null });
    expect(runTimes({ status: "failed", startedAt, completedAt })).toEqual({ startedAt: "2026-12-01T10:00:00.000Z", completedAt: null });
    expect(runTimes({ status: "running", startedAt: null, completedAt: null })).toEqual({ startedAt: null, completedAt: null });
  });
});
