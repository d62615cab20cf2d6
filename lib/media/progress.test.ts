import { describe, expect, it } from "vitest";
import { ANALYSIS_STAGES, isTerminal, overallProgress, stageLabel, stageProgress } from "./progress";

describe("progress mapping", () => {
  it("gives every analysis stage a label and a rising progress below 1", () => {
    const values = ANALYSIS_STAGES.map((s) => stageProgress(s.stage));
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(new Set(values).size).toBe(values.length);
    expect(values.every((v) => v > 0 && v < 1)).toBe(true);
    expect(stageLabel("thumbnail")).toBe("Making a thumbnail");
    expect(stageLabel("awaiting-caption")).toBe("In line for a caption");
  });

  it("labels waits between attempts, and passes unknown stages through", () => {
    expect(stageLabel("retrying")).toBe("Waiting to retry");
    expect(stageLabel("rate-limited")).toBe("Waiting for the caption service");
    expect(stageLabel("something-new")).toBe("something-new");
    expect(stageLabel(null)).toBeNull();
    expect(stageProgress("something-new")).toBe(0);
  });

  it("fills the bar: upload is the first 30 %, analysis the rest, done is full", () => {
    expect(overallProgress({ phase: "uploading", uploadedFraction: 0 })).toBe(0);
    expect(overallProgress({ phase: "uploading", uploadedFraction: 0.5 })).toBeCloseTo(0.15);
    expect(overallProgress({ phase: "queued", analysisProgress: 0 })).toBeCloseTo(0.3);
    expect(overallProgress({ phase: "analysing", analysisProgress: 0.5 })).toBeCloseTo(0.65);
    expect(overallProgress({ phase: "done", analysisProgress: 0.2 })).toBe(1);
    expect(overallProgress({ phase: "failed", analysisProgress: 0.2 })).toBeCloseTo(0.44);
  });

  it("never leaves 0..1, whatever it is fed", () => {
    expect(overallProgress({ phase: "uploading", uploadedFraction: 7 })).toBeCloseTo(0.3);
    expect(overallProgress({ phase: "analysing", analysisProgress: -1 })).toBeCloseTo(0.3);
    expect(overallProgress({ phase: "analysing", analysisProgress: Number.NaN })).toBeCloseTo(0.3);
  });

  it("knows which states are final", () => {
    expect(["queued", "analysing", "done", "failed"].map((s) => isTerminal(s as never))).toEqual([false, false, true, true]);
  });
});
