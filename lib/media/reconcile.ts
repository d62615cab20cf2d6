// The reconciler: Postgres is the record, BullMQ only the means. A photo can be left
// unfinished with no job that will ever finish it: its enqueue was lost (Redis lost
// writes, or died between INSERT and add), its job was removed, or its final failure could
// not be written (Postgres was down). This finds such photos and puts their work back
// under the same derived job id, so it can never run twice side by side.
import type { Db } from "@/lib/db";
import { rerunJob } from "@/lib/jobs";
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
    // A failed job: the processor's own bookkeeping never reached Postgres, so it runs again
    // from a clean slate of attempts; if it fails for good this time, the photo says so.
    const outcome = await rerunJob("analyze-media", { mediaId: row.id });
    if (outcome === "live") result.live += 1;
    else result[outcome].push(row.id);
  }
  return result;
}
