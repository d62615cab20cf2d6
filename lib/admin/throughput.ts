// Turns BullMQ's per-minute job counters into a fixed 60-minute series ending now.
//
// How BullMQ stores them (collectMetrics.lua): `meta.count` is a running total; when a job
// finishes in a later minute than `meta.prevTS`, the finished minutes are pushed to the
// head of the list (newest first: the minute before prevTS's minute, then older ones) and
// `prevCount` moves up to the total. So the minute containing prevTS is still open, its
// count is `count - prevCount`, and `data[i]` is the minute `prevMinute - 1 - i`. Minutes
// after prevTS saw no finished jobs at all.
import type { Metrics } from "bullmq";

export const THROUGHPUT_MINUTES = 60;

export interface ThroughputSeries {
  /** Epoch minute (ms / 60 000) of the last point, i.e. the current minute. */
  endMinute: number;
  /** Jobs finished per minute, oldest first; the last point is the minute in progress. */
  points: number[];
  total: number;
}

export function minuteSeries(metrics: Metrics, nowMs: number, minutes = THROUGHPUT_MINUTES): ThroughputSeries {
  const endMinute = Math.floor(nowMs / 60_000);
  const points = new Array<number>(minutes).fill(0);
  if (metrics.meta.prevTS > 0) {
    const prevMinute = Math.floor(metrics.meta.prevTS / 60_000);
    for (let i = 0; i < minutes; i++) {
      const minute = endMinute - (minutes - 1 - i);
      if (minute === prevMinute) points[i] = Math.max(0, metrics.meta.count - metrics.meta.prevCount);
      else if (minute < prevMinute) points[i] = metrics.data[prevMinute - 1 - minute] ?? 0;
    }
  }
  return { endMinute, points, total: points.reduce((a, b) => a + b, 0) };
}
