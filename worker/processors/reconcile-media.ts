// reconcile-media: run by a job scheduler on the maintenance queue. Re-enqueues photos
// left unfinished with no live job (see lib/media/reconcile.ts).
import type { Db } from "@/lib/db";
import { reconcileMedia } from "@/lib/media/reconcile";

export interface ReconcileDeps {
  db: Db;
  staleMs: number;
  log?: (line: string) => void;
}

export async function reconcileMediaJob(deps: ReconcileDeps) {
  const result = await reconcileMedia(deps.db, { staleMs: deps.staleMs });
  if (result.enqueued.length + result.retried.length > 0) {
    (deps.log ?? console.log)(
      `[reconcile] ${result.checked} unfinished photo(s) past ${Math.round(deps.staleMs / 1000)}s: ` +
        `${result.enqueued.length} re-enqueued, ${result.retried.length} failed job(s) retried, ${result.live} still running`,
    );
  }
  return { checked: result.checked, enqueued: result.enqueued.length, retried: result.retried.length, live: result.live };
}
