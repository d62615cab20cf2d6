// What follows a change of a job, wherever it happens (the worker finishing it, the web app
// canceling it): every open page hears about it, a finished job's webhook is queued, and a
// batch learns that one more of its jobs is done.
import type { Db } from "@/lib/db";
import { enqueue } from "@/lib/jobs";
import { log } from "@/lib/log";
import type { Prisma } from "@/lib/generated/prisma/client";
import { getJob, updateJob, type JobRow } from "./repository";
import { batchOutcome } from "./batch";
import { isTerminalJob } from "./view";

export interface LifecycleDeps {
  db: Db;
  /** Announces the job's current state to every open page (the live pipeline). */
  publish(row: JobRow): Promise<unknown>;
}

/** After any change: tell the pages. A lost announcement must not undo the change itself. */
export async function announceJob(deps: LifecycleDeps, row: JobRow): Promise<void> {
  try {
    await deps.publish(row);
  } catch (err) {
    log().warn({ jobId: row.id, err: (err as Error).message }, "could not announce a job's change");
  }
}

/** After a job reached completed, failed or canceled. */
export async function afterFinish(deps: LifecycleDeps, row: JobRow): Promise<void> {
  await announceJob(deps, row);
  if (row.webhookUrl) await enqueue("job-webhook", { jobId: row.id, version: row.version });
  if (row.parentId) await refreshBatch(deps, row.parentId);
}

/**
 * A batch's progress is the share of its jobs that finished. Written only upwards, so two
 * children finishing at once cannot leave the lower count. A batch that has already
 * completed (one of its jobs was retried since) gets its result brought up to date.
 */
export async function refreshBatch(deps: LifecycleDeps, batchId: string): Promise<void> {
  const parent = await getJob(deps.db, batchId);
  if (!parent) return;
  const total = parent.children.length;
  const finished = parent.children.filter((c) => isTerminalJob(c.status)).length;
  const progress = total === 0 ? 0 : Math.floor((finished / total) * 100);
  if (parent.status === "queued" || parent.status === "running") {
    // 100 only when the batch itself completes (its job collects the results).
    const shown = Math.min(progress, 99);
    const { count } = await deps.db.job.updateMany({
      where: { id: batchId, status: { in: ["queued", "running"] }, progress: { lt: shown } },
      data: { progress: shown, version: { increment: 1 } },
    });
    if (count === 1) {
      const row = await getJob(deps.db, batchId);
      if (row) await announceJob(deps, row);
    }
    return;
  }
  if (parent.status === "completed") {
    const outcome = await batchOutcome(deps.db, batchId);
    const row = await updateJob(deps.db, batchId, { result: outcome as unknown as Prisma.InputJsonValue });
    await announceJob(deps, row);
  }
}
