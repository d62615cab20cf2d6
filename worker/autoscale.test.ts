// The autoscaling policy, sample by sample: what an overloaded, a backlogged and an idle
// queue do to a worker's concurrency, within its bounds and without flapping.
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, decide, initialState, type AutoscaleSettings, type Demand, type Load, type ScaleReason, type ScaleState } from "./autoscale";

const S: AutoscaleSettings = { ...DEFAULT_SETTINGS, min: 1, max: 10, cooldownMs: 10_000, idleMs: 60_000, sustain: 2 };
const calm: Load = { cpu: 0.2, memory: 0.3, eventLoopP99Ms: 15 };
const busy: Demand = { waiting: 50, active: 5, running: 5 };
const quiet: Demand = { waiting: 0, active: 0, running: 0 };

/** Feeds one sample every `everyMs` and returns the concurrency after each, with the reasons of changes. */
function run(state: ScaleState, samples: number, load: Load, demand: Demand, opts: { everyMs?: number; start?: number; s?: AutoscaleSettings } = {}) {
  const every = opts.everyMs ?? 2_000;
  let now = opts.start ?? 1_000_000;
  const seen: number[] = [];
  const reasons: ScaleReason[] = [];
  for (let i = 0; i < samples; i++) {
    now += every;
    const out = decide(state, load, demand, opts.s ?? S, now);
    state = out.state;
    if (out.change) reasons.push(out.change.reason);
    seen.push(state.concurrency);
  }
  return { state, seen, reasons, now };
}

describe("decide", () => {
  it("starts at the configured concurrency, within min and max", () => {
    expect(initialState(5, S).concurrency).toBe(5);
    expect(initialState(50, S).concurrency).toBe(10);
    expect(initialState(0, { ...S, min: 2 }).concurrency).toBe(2);
  });

  it("lowers under high CPU, by a quarter at a time, down to min — even with a backlog", () => {
    const { seen, reasons } = run(initialState(10, S), 60, { ...calm, cpu: 0.95 }, busy);
    expect(reasons.every((r) => r === "cpu")).toBe(true);
    // 10 → 8 → 6 → 5 → 4 → 3 → 2 → 1, never below.
    expect([...new Set(seen)]).toEqual([10, 8, 6, 5, 4, 3, 2, 1]);
    expect(seen.at(-1)).toBe(1);
  });

  it("lowers under memory pressure, named as memory even when the CPU is high too", () => {
    const { state, reasons } = run(initialState(6, S), 4, { cpu: 0.9, memory: 0.85, eventLoopP99Ms: 10 }, busy);
    expect(state.concurrency).toBe(5);
    expect(reasons).toEqual(["memory"]);
  });

  it("lowers when the event loop lags", () => {
    const { state, reasons } = run(initialState(4, S), 4, { ...calm, eventLoopP99Ms: 450 }, busy);
    expect(state.concurrency).toBe(3);
    expect(reasons).toEqual(["event_loop"]);
  });

  it("does not lower a queue that runs nothing here (its slots are not the load)", () => {
    const { state } = run(initialState(6, S), 20, { ...calm, cpu: 0.95 }, { waiting: 0, active: 3, running: 0 });
    expect(state.concurrency).toBe(6);
  });

  it("raises by one while more jobs wait than run and there is headroom, up to max", () => {
    const { seen, reasons } = run(initialState(5, S), 60, calm, busy);
    expect(reasons.every((r) => r === "backlog")).toBe(true);
    expect([...new Set(seen)]).toEqual([5, 6, 7, 8, 9, 10]);
    expect(Math.max(...seen)).toBe(10);
  });

  it("does not raise when fewer wait than run (the backlog drains by itself)", () => {
    const { state } = run(initialState(5, S), 30, calm, { waiting: 3, active: 5, running: 5 });
    expect(state.concurrency).toBe(5);
  });

  it("idle: steps back toward the configured concurrency, one step per idle period, and no further", () => {
    // Raised to 8 by a backlog first.
    let { state, now } = run(initialState(5, S), 30, calm, busy);
    state = { ...state, concurrency: 8 };
    const quietMinute = run(state, 25, calm, quiet, { start: now }); // 50 s: not idle long enough yet
    expect(quietMinute.state.concurrency).toBe(8);
    const long = run(quietMinute.state, 300, calm, quiet, { start: quietMinute.now }); // 10 more minutes
    expect(long.reasons.every((r) => r === "idle")).toBe(true);
    expect([...new Set(long.seen)]).toEqual([8, 7, 6, 5]);
    ({ state, now } = long);
    // Pressure took it below the resting point: idle, it stays there until work comes.
    const low = run({ ...state, concurrency: 2 }, 100, calm, quiet, { start: now });
    expect(low.state.concurrency).toBe(2);
  });

  it("holds in the dead band between the limits (no raise at 65 % CPU, no lowering either)", () => {
    const { state, reasons } = run(initialState(5, S), 50, { ...calm, cpu: 0.65 }, busy);
    expect(state.concurrency).toBe(5);
    expect(reasons).toEqual([]);
  });

  it("does not flap on a load that swings around the limit every sample", () => {
    let state = initialState(6, S);
    let now = 0;
    const changes: ScaleReason[] = [];
    for (let i = 0; i < 100; i++) {
      now += 2_000;
      const load = i % 2 === 0 ? { ...calm, cpu: 0.9 } : { ...calm, cpu: 0.3 };
      const out = decide(state, load, busy, S, now);
      state = out.state;
      if (out.change) changes.push(out.change.reason);
    }
    // One sample over, one under: never two in a row, so neither acts.
    expect(changes).toEqual([]);
    expect(state.concurrency).toBe(6);
  });

  it("waits out the cooldown between two changes", () => {
    const s = { ...S, sustain: 1, cooldownMs: 10_000 };
    const { reasons, seen } = run(initialState(1, s), 30, calm, busy, { everyMs: 1_000, s });
    // 30 s of backlog at one sample a second: a change at most every 10 s.
    expect(reasons).toHaveLength(3);
    expect(seen.filter((n, i) => i > 0 && n !== seen[i - 1])).toEqual([3, 4]);
    expect(seen[0]).toBe(2);
  });

  it("needs the condition `sustain` samples in a row: a single spike does nothing", () => {
    let state = initialState(6, S);
    const spike = decide(state, { ...calm, cpu: 0.99 }, busy, S, 10_000);
    expect(spike.change).toBeNull();
    state = decide(spike.state, calm, { ...busy, waiting: 0 }, S, 12_000).state;
    expect(decide(state, { ...calm, cpu: 0.99 }, busy, S, 14_000).change).toBeNull();
  });
});
