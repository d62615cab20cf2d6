// The reconciler: Postgres is the record, BullMQ only the means. A photo can be left
// unfinished with no job that will ever finish it: its enqueue was lost (Redis lost
// writes, or died between INSERT and add), its job was removed, or its final failure could
// not be written (Postgres was down). This finds such photos and puts their work back
// under the same derived job id, so it can never run twice side by side.
import type { Db } from "@/lib/db";
import { enqueue, findJob } from "@/lib/jobs";
import { findStaleUnfinishedMedia } from "./repository";

export interface ReconcileResult {
  /** Unfinished photos older than the threshold that were looked at. */
  checked: number;
  /** Photos with no job (or a finished one) that got a new job. */
  enqueued: string[];
  /** Photos whose job had failed without the photo knowing: the job was retried. */
  retried: string[];
  /** Photos whose job is still alive (waiting, delayed, active): left alone. */
  live: number;
}

export async function reconcileMedia(
  database: Db,
  opts: { staleMs: number; limit?: number; now?: Date },
): Promise<ReconcileResult> {
  const olderThan = new Date((opts.now ?? new Date()).getTime() - opts.staleMs);
  const rows = await findStaleUnfinishedMedia(database, olderThan, opts.limit ?? 500);
  const result: ReconcileResult = { checked: rows.length, enqueued: [], retried: [], live: 0 };
  for (const row of rows) {
    const payload = { mediaId: row.id };
    const job = await findJob("analyze-media", payload);
    const state = job ? await job.getState() : "missing";
    switch (state) {
      case "failed":
        // The processor's own bookkeeping never reached Postgres; run it again from a
        // clean slate of attempts. If it fails for good this time, the photo says so.
        await job!.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
        result.retried.push(row.id);
        break;
      case "completed":
        // Finished, yet the photo is not: replace the job (processors are idempotent).
        await job!.remove();
        await enqueue("analyze-media", payload);
        result.enqueued.push(row.id);
        break;
      case "missing":
      case "unknown":
        await enqueue("analyze-media", payload);
        result.enqueued.push(row.id);
        break;
      default:
        result.live += 1;
    }
  }
  return result;
}
