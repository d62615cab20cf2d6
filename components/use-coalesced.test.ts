import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { throttle } from "./use-coalesced";

describe("throttle (the library's reload on upload reports)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const clock = () => Date.now(); // faked with the timers

  it("runs the first call after a quiet second at once, in a task of its own", () => {
    const fn = vi.fn();
    const reload = throttle(fn, 1_000, clock);
    reload();
    expect(fn).not.toHaveBeenCalled(); // not inside the caller's task
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5_000);
    reload();
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it("while calls keep coming, runs once a second", () => {
    const fn = vi.fn();
    const reload = throttle(fn, 1_000, clock);
    reload();
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
    // 500 calls, 10 ms apart (5 s): a run each second, not 500.
    for (let i = 0; i < 500; i++) {
      reload();
      vi.advanceTimersByTime(10);
    }
    expect(fn).toHaveBeenCalledTimes(1 + 5);
    // And nothing once they stop.
    vi.advanceTimersByTime(10_000);
    expect(fn).toHaveBeenCalledTimes(1 + 5);
  });

  it("runs nothing more once cancelled", () => {
    const fn = vi.fn();
    const reload = throttle(fn, 1_000, clock);
    reload();
    vi.advanceTimersByTime(0);
    reload();
    reload.cancel();
    vi.advanceTimersByTime(5_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
