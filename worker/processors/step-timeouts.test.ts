// STEP_TIMEOUT_MS: one limit for every step, and its own for a step kind or one plan step.
import { describe, expect, it } from "vitest";
import { DEFAULT_STEP_TIMEOUTS } from "@/lib/env";
import { StepTimeoutError } from "@/lib/workflow/types";
import { classifyFailure } from "../failures";
import { stepTimeoutOf } from "./workflows";
import { STEP_WORDING } from "./workflow-step";

async function parse(value: string | undefined) {
  const { vi } = await import("vitest");
  vi.resetModules();
  const before = process.env.STEP_TIMEOUT_MS;
  if (value === undefined) delete process.env.STEP_TIMEOUT_MS;
  else process.env.STEP_TIMEOUT_MS = value;
  try {
    const { env } = await import("@/lib/env");
    return env().STEP_TIMEOUT_MS;
  } finally {
    if (before === undefined) delete process.env.STEP_TIMEOUT_MS;
    else process.env.STEP_TIMEOUT_MS = before;
  }
}

describe("STEP_TIMEOUT_MS", () => {
  it("defaults to seed 004's 5 minutes a step, with longer limits for renders, encodes and long recordings", async () => {
    const limits = await parse(undefined);
    expect(DEFAULT_STEP_TIMEOUTS.startsWith("5m,")).toBe(true);
    expect(stepTimeoutOf(limits, { kind: "vlog", phase: "storyboard", step: "execute", job: "workflow-step" })).toBe(300_000);
    expect(stepTimeoutOf(limits, { kind: "vlog", phase: "render", step: "execute", job: "vlog-render" })).toBe(30 * 60_000);
    expect(stepTimeoutOf(limits, { kind: "episode", phase: "publish", step: "encode", job: "podcast-encode" })).toBe(60 * 60_000);
    expect(stepTimeoutOf(limits, { kind: "episode", phase: "analyse", step: "understand", job: "workflow-step" })).toBe(30 * 60_000);
  });

  it("reads one duration for every step, then per step kind or plan step, the most specific winning", async () => {
    const limits = await parse("90s,vlog-render=2m,vlog.render.execute=3000");
    expect(limits).toEqual({ defaultMs: 90_000, byStep: { "vlog-render": 120_000, "vlog.render.execute": 3_000 } });
    expect(stepTimeoutOf(limits, { kind: "vlog", phase: "render", step: "execute", job: "vlog-render" })).toBe(3_000);
    expect(stepTimeoutOf(limits, { kind: "other", phase: "render", step: "execute", job: "vlog-render" })).toBe(120_000);
    expect(stepTimeoutOf(limits, { kind: "vlog", phase: "render", step: "think", job: "workflow-step" })).toBe(90_000);
  });

  it("refuses a value it cannot read, saying how to write it", async () => {
    await expect(parse("soon")).rejects.toThrow(/STEP_TIMEOUT_MS: "soon": use milliseconds/);
    await expect(parse("vlog-render=2m")).rejects.toThrow(/start with the time limit of every step/);
    await expect(parse("5m,vlog-render")).rejects.toThrow(/use <step>=<duration>/);
  });

  it("is a transient failure with a sentence naming the step and its limit", () => {
    const failure = classifyFailure(new StepTimeoutError(300_000, "Rendering the video"), STEP_WORDING);
    expect(failure).toEqual({
      kind: "transient",
      message: "Rendering the video was stopped after running longer than its time limit of 5 minutes (STEP_TIMEOUT_MS).",
    });
  });
});
