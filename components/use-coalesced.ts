"use client";

import { useCallback, useEffect, useRef } from "react";

export interface Throttled {
  (): void;
  /** Drops a run still scheduled (the component is going away). */
  cancel(): void;
}

/**
 * `fn` at most once per `ms`: a call after a quiet `ms` runs it at once, and the calls in
 * the `ms` after a run fold into one more run at its end. So one photo finishing shows in
 * the library at once (waiting a full `ms` first left "No photos yet" under a row that
 * said Done), while 500 dropped at once — 1,000 reports of accepted and finished photos —
 * still reload the grid about once a second, not 1,000 times, each a long task in the tab.
 */
export function throttle(fn: () => void, ms: number, now: () => number = () => performance.now()): Throttled {
  let lastRun = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    lastRun = now();
    fn();
  };
  const throttled = () => {
    if (timer) return; // a run at the end of this window is already due
    const wait = lastRun + ms - now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  throttled.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return throttled;
}

/** throttle() for a component: the latest `fn` runs, and nothing after unmount. */
export function useCoalesced(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  useEffect(() => {
    latest.current = fn;
  });
  const throttled = useRef<Throttled | null>(null);
  useEffect(() => {
    const t = throttle(() => latest.current(), ms);
    throttled.current = t;
    return () => t.cancel();
  }, [ms]);
  return useCallback(() => throttled.current?.(), []);
}
