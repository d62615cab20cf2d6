// Per job type, per minute: how many finished, failed or were retried, and how long the
// completed ones took, as a histogram. Workers count in memory and add their counts to one
// Redis hash per minute with each sample (HINCRBY, so any number of workers add up); the
// admin overview sums the last 60 hashes. BullMQ's own records cannot give this: it keeps
// only the newest 1,000 completed jobs, a minute's worth on a busy queue.
import type { Redis } from "ioredis";

export type StatOutcome = "completed" | "failed" | "retried";

/** Histogram buckets grow by 20 %: a percentile read from them is within 20 % of the truth. */
const GROWTH = 1.2;
/** Hashes live a little longer than the hour they are read for. */
const KEEP_SECONDS = 2 * 3600;
export const STATS_MINUTES = 60;

/** Bucket i holds durations in (GROWTH^(i-1), GROWTH^i] ms; bucket 0 everything up to 1 ms. */
export function bucketOf(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / Math.log(GROWTH) - 1e-9);
}

export const bucketUpperMs = (i: number) => GROWTH ** i;
const bucketLowerMs = (i: number) => (i === 0 ? 0 : GROWTH ** (i - 1));

/** The q-quantile (0..1) of a histogram ({bucket: count}), interpolated within its bucket; null when empty. */
export function quantileMs(buckets: Map<number, number>, q: number): number | null {
  const total = [...buckets.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (const i of [...buckets.keys()].sort((a, b) => a - b)) {
    const n = buckets.get(i)!;
    if (seen + n >= rank) {
      const lower = bucketLowerMs(i);
      return lower + (bucketUpperMs(i) - lower) * Math.min(1, Math.max(0, (rank - seen) / n));
    }
    seen += n;
  }
  return bucketUpperMs(Math.max(...buckets.keys()));
}

const statsKey = (prefix: string, minute: number) => `${prefix}:job-stats:${minute}`;
// Queue and job names are kebab-case (the catalogue's rule), so "|" cannot occur in them.
const field = (queue: string, job: string, what: string) => `${queue}|${job}|${what}`;

/** Counts one process has not yet added to Redis, per minute and field. */
export class JobStatsRecorder {
  private pending = new Map<number, Map<string, number>>();

  record(queue: string, job: string, outcome: StatOutcome, ms: number | null, at = Date.now()): void {
    const minute = Math.floor(at / 60_000);
    let fields = this.pending.get(minute);
    if (!fields) this.pending.set(minute, (fields = new Map()));
    const add = (f: string) => fields.set(f, (fields.get(f) ?? 0) + 1);
    add(field(queue, job, outcome[0]));
    if (outcome === "completed" && ms !== null) add(field(queue, job, `b${bucketOf(ms)}`));
  }

  /** Adds everything counted so far to Redis; kept for the next flush if Redis refuses. */
  async flush(redis: Redis, prefix: string): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const pipeline = redis.pipeline();
    for (const [minute, fields] of batch) {
      const key = statsKey(prefix, minute);
      for (const [f, n] of fields) pipeline.hincrby(key, f, n);
      pipeline.expire(key, KEEP_SECONDS);
    }
    try {
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
    } catch (err) {
      // Put the counts back (some may have been added: a rare double count beats losing an hour's numbers).
      for (const [minute, fields] of batch) for (const [f, n] of fields) {
        let mine = this.pending.get(minute);
        if (!mine) this.pending.set(minute, (mine = new Map()));
        mine.set(f, (mine.get(f) ?? 0) + n);
      }
      throw err;
    }
  }
}

export interface JobTypeStats {
  queue: string;
  /** The job's name, or for AI jobs their type (summarize, extract_content …). */
  type: string;
  completed: number;
  failed: number;
  /** Attempts that failed and were tried again. */
  retried: number;
  /** failed / (completed + failed); null when nothing finished. */
  failureRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** Adds up one hash per minute into stats per (queue, job). */
export function summarise(hashes: Record<string, string>[]): JobTypeStats[] {
  const by = new Map<string, { completed: number; failed: number; retried: number; buckets: Map<number, number> }>();
  for (const hash of hashes) {
    for (const [f, value] of Object.entries(hash)) {
      const [queue, job, what] = f.split("|");
      if (!queue || !job || !what) continue;
      const key = `${queue}|${job}`;
      let s = by.get(key);
      if (!s) by.set(key, (s = { completed: 0, failed: 0, retried: 0, buckets: new Map() }));
      const n = Number(value) || 0;
      if (what === "c") s.completed += n;
      else if (what === "f") s.failed += n;
      else if (what === "r") s.retried += n;
      else if (what.startsWith("b")) {
        const i = Number(what.slice(1));
        s.buckets.set(i, (s.buckets.get(i) ?? 0) + n);
      }
    }
  }
  return [...by.entries()]
    .map(([key, s]) => {
      const [queue, type] = key.split("|");
      const finished = s.completed + s.failed;
      const round = (v: number | null) => (v === null ? null : Math.round(v));
      return {
        queue,
        type,
        completed: s.completed,
        failed: s.failed,
        retried: s.retried,
        failureRate: finished > 0 ? s.failed / finished : null,
        p50Ms: round(quantileMs(s.buckets, 0.5)),
        p95Ms: round(quantileMs(s.buckets, 0.95)),
      };
    })
    .sort((a, b) => a.queue.localeCompare(b.queue) || a.type.localeCompare(b.type));
}

/** Stats of the last hour: the minute in progress and the 59 before it. */
export async function readJobStats(redis: Redis, prefix: string, now = Date.now(), minutes = STATS_MINUTES): Promise<JobTypeStats[]> {
  const end = Math.floor(now / 60_000);
  const pipeline = redis.pipeline();
  for (let m = end - minutes + 1; m <= end; m++) pipeline.hgetall(statsKey(prefix, m));
  const results = (await pipeline.exec()) ?? [];
  const hashes = results.map(([err, hash]) => {
    if (err) throw err;
    return hash as Record<string, string>;
  });
  return summarise(hashes);
}
