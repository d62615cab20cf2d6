import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { throttle } from "./use-coalesced";

describe("throttle (the library's refresh on upload reports)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const clock = () => Date.now(); // faked with the timers

  it("runs the first call at once, folds the calls of the next second into one run at its end", () => {
    const fn = vi.fn();
    const refresh = throttle(fn, 1_000, clock);
    refresh();
    expect(fn).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 500; i++) refresh();
    vi.advanceTimersByTime(999);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(2);
    // That run opened a new window: a call in it waits for the window's end.
    refresh();
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1_000);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it("runs at once again after a quiet second", () => {
    const fn = vi.fn();
    const refresh = throttle(fn, 1_000, clock);
    refresh();
    vi.advanceTimersByTime(5_000);
    refresh();
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it("runs nothing more once cancelled", () => {
    const fn = vi.fn();
    const refresh = throttle(fn, 1_000, clock);
    refresh();
    refresh();
    refresh.cancel();
    vi.advanceTimersByTime(5_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
