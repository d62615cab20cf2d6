// Summary statistics for benchmark samples. Percentiles use the nearest-rank method, so
// every figure reported is a latency that was actually observed.

export interface Summary {
  n: number;
  median: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarise(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0, median: NaN, p99: NaN, mean: NaN, min: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
  return {
    n: sorted.length,
    median: at(50),
    p99: at(99),
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

export const median = (values: readonly number[]) => percentile(values, 50);

/**
 * Each back-to-back pair's ours ÷ baseline, summed up: a pair ran in the same minute, so its
 * ratio cancels the machine's slower and faster minutes that the rates themselves show.
 */
export function pairedRatios(ours: readonly number[], baseline: readonly number[]) {
  const ratios = ours.map((value, i) => value / baseline[i]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), n: ratios.length };
}

/** Rounds for display and JSON: 3 significant digits below 100, whole numbers above. */
export function round(v: number | undefined): number | undefined {
  if (v === undefined || !Number.isFinite(v)) return v;
  if (Math.abs(v) >= 100) return Math.round(v);
  return Number(v.toPrecision(3));
}

/** round() as display text with thousands separators. */
export const num = (v: number) => (round(v) ?? NaN).toLocaleString("en-US");

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const wallNow = () => performance.timeOrigin + performance.now();
