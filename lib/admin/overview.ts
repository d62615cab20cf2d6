// The admin overview: per queue its job counts and last hour's throughput, the failed
// jobs grouped by error message with the photo each one was about, every live worker with
// each queue's concurrency and why it last changed, and per job type the last hour's
// throughput, failure rate and p50/p95 duration.
import type { Redis } from "ioredis";
import { jobTypeFiguresSince } from "@/lib/ai-jobs/repository";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { getQueue, queueNames, type QueueName } from "@/lib/jobs";
import { readJobStats, type JobTypeStats } from "@/lib/jobs/stats";
import { readWorkerReports, type WorkerReport } from "@/lib/jobs/worker-reports";
import { findMediaForAdmin } from "@/lib/media/repository";
import { queueCounts, type QueueState } from "@/lib/metrics/web";
import { failedJobInfo, groupFailed, type FailedJobInfo } from "./failed";
import { minuteSeries, type ThroughputSeries } from "./throughput";

/** Failed jobs read per queue for grouping (newest first); the counts cover all of them. */
export const FAILED_SCAN_LIMIT = 200;
const SAMPLE_PER_GROUP = 6;

export interface QueueSummary {
  name: QueueName;
  paused: boolean;
  counts: Record<QueueState, number>;
  throughput: { completed: ThroughputSeries; failed: ThroughputSeries };
}

export interface FailedJobView extends Omit<FailedJobInfo, "failedAt"> {
  failedAt: string | null;
  /** The photo the job is about (its thumbnail: /api/admin/media/<id>/thumbnail). */
  media: { id: string; name: string; status: string } | null;
}

export interface FailedGroupView {
  queue: string;
  message: string;
  count: number;
  lastFailedAt: string | null;
  jobs: FailedJobView[];
}

/** A live worker process (from its heartbeat in Redis). */
export type WorkerView = WorkerReport;

/** One job type's last hour. AI jobs are counted per type from the Job table (source "jobs"). */
export interface JobTypeView extends JobTypeStats {
  source: "queue" | "jobs";
}

export interface Overview {
  at: string;
  queues: QueueSummary[];
  failed: { groups: FailedGroupView[]; scanned: number; total: number; scanLimit: number };
  workers: WorkerView[];
  jobTypes: JobTypeView[];
}

/**
 * The public jobs API runs every AI type under this one BullMQ job name; its types (summarize,
 * extract_content …) are told apart in the Job table, which also holds their durations.
 */
const AI_JOB = { queue: "ai-jobs", name: "ai-job" };

/** Plain Redis reads on the queue connection this web process already has. */
const queueRedis = async () => (await getQueue(queueNames[0]).getBackend().client) as unknown as Redis;

/** Per job type, the last hour: BullMQ job names from the workers' counts, AI job types from Postgres. */
async function jobTypes(now: number): Promise<JobTypeView[]> {
  const redis = await queueRedis();
  const config = env();
  const [fromQueues, fromJobs] = await Promise.all([
    readJobStats(redis, config.QUEUE_PREFIX, now),
    // The minute in progress and the 59 before it, like the queue counts.
    jobTypeFiguresSince(db(), new Date((Math.floor(now / 60_000) - 59) * 60_000), config.DATABASE_SCHEMA),
  ]);
  return [
    ...fromQueues.filter((t) => t.type !== AI_JOB.name).map((t) => ({ ...t, source: "queue" as const })),
    ...fromJobs.map((t) => {
      const finished = t.completed + t.failed;
      return { queue: AI_JOB.queue, ...t, retried: 0, failureRate: finished ? t.failed / finished : null, source: "jobs" as const };
    }),
  ];
}

const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);

export async function buildOverview(now = Date.now()): Promise<Overview> {
  const others = Promise.all([queueRedis().then((redis) => readWorkerReports(redis, env().QUEUE_PREFIX, now)), jobTypes(now)]);
  const perQueue = await Promise.all(
    queueNames.map(async (name) => {
      const queue = getQueue(name);
      const [counts, paused, completed, failedMetrics, failedJobs] = await Promise.all([
        queueCounts(name),
        queue.isPaused(),
        queue.getMetrics("completed", 0, 60),
        queue.getMetrics("failed", 0, 60),
        queue.getFailed(0, FAILED_SCAN_LIMIT - 1),
      ]);
      const summary: QueueSummary = {
        name,
        paused,
        counts,
        throughput: { completed: minuteSeries(completed, now), failed: minuteSeries(failedMetrics, now) },
      };
      // A job removed between the range read and the fetch comes back empty: skip it.
      return { summary, failed: failedJobs.filter(Boolean).map((job) => failedJobInfo(name, job)) };
    }),
  );
  const scannedJobs = perQueue.flatMap((q) => q.failed);
  const groups = groupFailed(scannedJobs, SAMPLE_PER_GROUP);
  const mediaIds = [...new Set(groups.flatMap((g) => g.jobs.map((j) => j.mediaId)).filter((id): id is string => id !== null))];
  const media = new Map((mediaIds.length ? await findMediaForAdmin(db(), mediaIds) : []).map((m) => [m.id, m]));
  const [workers, types] = await others;
  return {
    at: new Date(now).toISOString(),
    queues: perQueue.map((q) => q.summary),
    workers,
    jobTypes: types,
    failed: {
      scanned: scannedJobs.length,
      total: perQueue.reduce((n, q) => n + q.summary.counts.failed, 0),
      scanLimit: FAILED_SCAN_LIMIT,
      groups: groups.map((g) => ({
        queue: g.queue,
        message: g.message,
        count: g.count,
        lastFailedAt: iso(g.lastFailedAt),
        jobs: g.jobs.map((j) => {
          const row = j.mediaId ? media.get(j.mediaId) : undefined;
          return {
            ...j,
            failedAt: iso(j.failedAt),
            media: row ? { id: row.id, name: row.originalName, status: row.status } : null,
          };
        }),
      })),
    },
  };
}
