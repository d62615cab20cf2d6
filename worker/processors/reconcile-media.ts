// reconcile-media and reconcile-runs: run by job schedulers on the maintenance queue.
// Re-enqueue photos left unfinished (lib/media/reconcile.ts) and workflow steps left
// running (lib/workflow/reconcile.ts) with no live job.
import type { Db } from "@/lib/db";
import { workflowQueues } from "@/lib/jobs";
import { reconcileMedia } from "@/lib/media/reconcile";
import { EPISODE_KIND, EPISODE_PLAN } from "@/lib/podcasts/plan";
import { VLOG_KIND, VLOG_PLAN } from "@/lib/vlogs/plan";
import { reconcileRuns } from "@/lib/workflow/reconcile";

/** Every workflow the worker runs, by run kind. */
const WORKFLOW_PLANS = { [VLOG_KIND]: VLOG_PLAN, [EPISODE_KIND]: EPISODE_PLAN };

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

/** reconcile-runs: the same for workflow runs (see lib/workflow/reconcile.ts). */
export async function reconcileRunsJob(deps: ReconcileDeps) {
  const result = await reconcileRuns(
    { db: deps.db, plans: WORKFLOW_PLANS, rerun: workflowQueues.rerun },
    { staleMs: deps.staleMs },
  );
  if (result.enqueued.length + result.retried.length > 0) {
    (deps.log ?? console.log)(
      `[reconcile] ${result.checked} running workflow run(s) unchanged for ${Math.round(deps.staleMs / 1000)}s: ` +
        `${result.enqueued.length} step job(s) re-enqueued, ${result.retried.length} failed step job(s) retried, ${result.live} still running`,
    );
  }
  return { checked: result.checked, enqueued: result.enqueued.length, retried: result.retried.length, live: result.live };
}
