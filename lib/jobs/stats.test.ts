// Per-type job statistics: durations into 20 % buckets and back out as percentiles, and
// per-minute hashes added up into one row per job type.
import { describe, expect, it } from "vitest";
import { bucketOf, bucketUpperMs, JobStatsRecorder, quantileMs, summarise } from "./stats";

describe("duration buckets", () => {
  it("put every duration in a bucket whose upper bound is at most 20 % above it", () => {
    for (const ms of [0, 0.5, 1, 1.3, 7, 99, 100, 1_234, 60_000, 3_600_000]) {
      const upper = bucketUpperMs(bucketOf(ms));
      expect(upper).toBeGreaterThanOrEqual(ms);
      expect(upper).toBeLessThanOrEqual(Math.max(1, ms * 1.2 + 1e-6));
    }
  });

  it("give p50 and p95 within 20 % of the true values", () => {
    const durations = Array.from({ length: 1_000 }, (_, i) => 10 + i * 2); // 10 … 2008 ms
    const buckets = new Map<number, number>();
    for (const d of durations) buckets.set(bucketOf(d), (buckets.get(bucketOf(d)) ?? 0) + 1);
    const p50 = quantileMs(buckets, 0.5)!;
    const p95 = quantileMs(buckets, 0.95)!;
    expect(Math.abs(p50 - 1_010) / 1_010).toBeLessThan(0.2);
    expect(Math.abs(p95 - 1_910) / 1_910).toBeLessThan(0.2);
    expect(quantileMs(new Map(), 0.5)).toBeNull();
  });
});

describe("summarise", () => {
  it("adds up minutes per queue and type, with failure rate and percentiles", () => {
    const a = new JobStatsRecorder();
    const at = Date.UTC(2026, 0, 1, 12, 0, 0);
    for (let i = 0; i < 9; i++) a.record("media-analysis", "analyze-media", "completed", 200, at);
    a.record("media-analysis", "analyze-media", "failed", 50, at + 60_000);
    a.record("media-analysis", "analyze-media", "retried", 50, at + 60_000);
    a.record("maintenance", "reconcile-media", "completed", 5, at);
    // What flush() would write, one hash per minute.
    const hashes = [...(a as unknown as { pending: Map<number, Map<string, number>> }).pending.values()].map((fields) =>
      Object.fromEntries([...fields].map(([f, n]) => [f, String(n)])),
    );
    const rows = summarise(hashes);
    expect(rows.map((r) => `${r.queue}/${r.type}`)).toEqual(["maintenance/reconcile-media", "media-analysis/analyze-media"]);
    const analyse = rows[1];
    expect(analyse).toMatchObject({ completed: 9, failed: 1, retried: 1, failureRate: 0.1 });
    expect(analyse.p50Ms).toBeGreaterThan(160);
    expect(analyse.p50Ms).toBeLessThanOrEqual(240);
    expect(rows[0]).toMatchObject({ completed: 1, failed: 0, failureRate: 0 });
  });
});
