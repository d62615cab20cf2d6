"use client";

import { useEffect, useState } from "react";

/**
 * How many of `total` rows to render: all of them, but at most `step` more per animation
 * frame. 500 files dropped at once become five short renders instead of one long task that
 * freezes the tab (docs/performance.md, "The browser").
 */
export function useRevealed(total: number, step = 100): number {
  const [shown, setShown] = useState(Math.min(total, step));
  useEffect(() => {
    if (shown >= total) return;
    const frame = requestAnimationFrame(() => setShown((s) => Math.min(total, s + step)));
    return () => cancelAnimationFrame(frame);
  }, [shown, total, step]);
  return Math.min(shown, total);
}
