// Failed jobs grouped by their error message, so an admin sees "37 × The caption service's
// daily quota is used up" once instead of 37 rows, and can retry the group in one go.

export interface FailedJobInfo {
  queue: string;
  id: string;
  name: string;
  message: string;
  attemptsMade: number;
  failedAt: number | null;
  mediaId: string | null;
}

export interface FailedGroup<J extends FailedJobInfo = FailedJobInfo> {
  queue: string;
  message: string;
  count: number;
  lastFailedAt: number | null;
  /** The most recent jobs of the group (at most `sample`). */
  jobs: J[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const NO_MESSAGE = "(no error message)";

/** The fields the console needs from a BullMQ job; the media id when the payload has one. */
export function failedJobInfo(
  queue: string,
  job: { id?: string; name: string; failedReason?: string; attemptsMade: number; finishedOn?: number; data?: unknown },
): FailedJobInfo {
  const mediaId = (job.data as { mediaId?: unknown } | undefined)?.mediaId;
  return {
    queue,
    id: job.id ?? "",
    name: job.name,
    message: job.failedReason?.trim() || NO_MESSAGE,
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn ?? null,
    mediaId: typeof mediaId === "string" && UUID.test(mediaId) ? mediaId : null,
  };
}

/** Groups by queue and message; biggest groups first, then the most recently failing. */
export function groupFailed<J extends FailedJobInfo>(jobs: readonly J[], sample = 6): FailedGroup<J>[] {
  const groups = new Map<string, FailedGroup<J>>();
  const newestFirst = [...jobs].sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0));
  for (const job of newestFirst) {
    const key = `${job.queue}\u0000${job.message}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { queue: job.queue, message: job.message, count: 0, lastFailedAt: job.failedAt, jobs: [] }));
    group.count += 1;
    if (group.jobs.length < sample) group.jobs.push(job);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || (b.lastFailedAt ?? 0) - (a.lastFailedAt ?? 0));
}
