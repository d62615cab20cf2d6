"use client";

import { useCallback, useEffect, useRef } from "react";

/**
 * `fn` at most once per `ms`: the first call schedules it `ms` later and the calls until then
 * fold into that one. The uploader reports every accepted and every finished photo; with 500
 * dropped at once that was 1,000 reloads of the library grid, each a long task in the tab.
 */
export function useCoalesced(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  useEffect(() => {
    latest.current = fn;
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  }, [ms]);
}
