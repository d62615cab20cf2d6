// Admin retries from the overview: one failed job, or every failed job of a queue with the
// same error message. Each goes back to the queue under its own id with a fresh set of
// attempts; the entity it is about is marked queued first, so users see it move at once.
import type { Job } from "bullmq";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { getQueue, jobCatalogue, type JobName, type JobPayload, type QueueName } from "@/lib/jobs";
import { jobHooks } from "@/lib/jobs/hooks";
import { log } from "@/lib/log";
import { NO_MESSAGE } from "./failed";

/** How many failed jobs a group retry looks through (newest first). */
export const GROUP_SCAN_LIMIT = 10_000;
const PAGE = 500;

async function retryJob(job: Job): Promise<void> {
  const name = job.name as JobName;
  // What to update in Postgres before the job runs again (Postgres is the truth).
  const hook = jobHooks[name]?.beforeRetry as ((payload: JobPayload<JobName>) => Promise<void>) | undefined;
  if (hook && name in jobCatalogue) {
    const parsed = jobCatalogue[name].payload.safeParse(job.data);
    if (parsed.success) await hook(parsed.data);
  }
  await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
}

export async function retryFailedJob(queueName: QueueName, jobId: string): Promise<{ retried: number }> {
  const job = await getQueue(queueName).getJob(jobId);
  if (!job) throw new NotFoundError("That job");
  if (!(await job.isFailed())) {
    throw new ConflictError("not_failed", "That job is no longer failed (it may have been retried already).");
  }
  await retryJob(job);
  log().info({ queue: queueName, jobId }, "admin retried a failed job");
  return { retried: 1 };
}

export async function retryFailedGroup(queueName: QueueName, message: string): Promise<{ retried: number }> {
  const queue = getQueue(queueName);
  const matching: Job[] = [];
  // Collect first, then retry: retrying shrinks the failed set and would shift the pages.
  for (let start = 0; start < GROUP_SCAN_LIMIT; start += PAGE) {
    const page = (await queue.getFailed(start, start + PAGE - 1)).filter(Boolean);
    for (const job of page) if ((job.failedReason?.trim() || NO_MESSAGE) === message) matching.push(job);
    if (page.length < PAGE) break;
  }
  let retried = 0;
  for (const job of matching) {
    try {
      await retryJob(job);
      retried += 1;
    } catch (err) {
      // Retried or removed by someone else meanwhile: not an error for the group.
      log().debug({ queue: queueName, jobId: job.id, err: (err as Error).message }, "skipped in group retry");
    }
  }
  if (retried === 0) throw new ConflictError("not_failed", "No failed jobs with that message are left to retry.");
  log().info({ queue: queueName, retried, message }, "admin retried a group of failed jobs");
  return { retried };
}
