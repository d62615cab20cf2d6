// The admin overview: per queue its job counts and last hour's throughput, and the failed
// jobs grouped by error message with the photo each one was about.
import { db } from "@/lib/db";
import { getQueue, queueNames, type QueueName } from "@/lib/jobs";
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

export interface Overview {
  at: string;
  queues: QueueSummary[];
  failed: { groups: FailedGroupView[]; scanned: number; total: number; scanLimit: number };
}

const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);

export async function buildOverview(now = Date.now()): Promise<Overview> {
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
  return {
    at: new Date(now).toISOString(),
    queues: perQueue.map((q) => q.summary),
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
