// Which worker processes are alive and how each is sized: every worker writes a short JSON
// report of itself to Redis with each autoscale sample (a heartbeat that expires when it
// stops), and the admin overview reads them all. One key per worker plus an index sorted
// by expiry, so reading needs no SCAN and a dead worker's entry disappears by itself.
import type { Redis } from "ioredis";

export interface WorkerReport {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  /** Whether this process sizes its queues by itself (WORKER_AUTOSCALE). */
  autoscale: boolean;
  min: number;
  max: number;
  /** The last sample: shares 0..1 and the event loop's p99 delay. */
  load: { cpu: number; memory: number; eventLoopP99Ms: number } | null;
  queues: {
    queue: string;
    concurrency: number;
    autoscaled: boolean;
    /** Jobs of this queue running in this process. */
    running: number;
    lastChange: { from: number; to: number; reason: string; at: string } | null;
  }[];
}

const indexKey = (prefix: string) => `${prefix}:workers`;
const reportKey = (prefix: string, id: string) => `${prefix}:worker:${id}`;

export async function writeWorkerReport(redis: Redis, prefix: string, report: WorkerReport, ttlMs: number, now = Date.now()): Promise<void> {
  await redis
    .multi()
    .set(reportKey(prefix, report.id), JSON.stringify(report), "PX", ttlMs)
    .zadd(indexKey(prefix), now + ttlMs, report.id)
    .zremrangebyscore(indexKey(prefix), "-inf", now)
    .exec();
}

/** A worker that stops cleanly leaves at once rather than when its report expires. */
export async function removeWorkerReport(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.multi().del(reportKey(prefix, id)).zrem(indexKey(prefix), id).exec();
}

/** Every live worker's report, by host and pid. */
export async function readWorkerReports(redis: Redis, prefix: string, now = Date.now()): Promise<WorkerReport[]> {
  const ids = await redis.zrangebyscore(indexKey(prefix), now, "+inf");
  if (ids.length === 0) return [];
  const texts = await redis.mget(ids.map((id) => reportKey(prefix, id)));
  return texts
    .flatMap((text) => {
      if (!text) return [];
      try {
        return [JSON.parse(text) as WorkerReport];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid || a.id.localeCompare(b.id));
}
