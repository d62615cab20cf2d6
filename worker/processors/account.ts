// The "your data" jobs (lib/account): delete an account, build a data export, collect
// orphaned objects. Thin: the work lives in lib/account; here it meets BullMQ (progress,
// failures) and the logs.
import path from "node:path";
import type { Job } from "bullmq";
import { deleteAccount } from "@/lib/account/delete-account";
import { buildExport } from "@/lib/account/export-build";
import { publishExport, updateExport } from "@/lib/account/exports";
import { collectOrphans } from "@/lib/account/orphans";
import type { Db } from "@/lib/db";
import { enqueue, findJob, jobIsAlive } from "@/lib/jobs";
import type { JobPayload } from "@/lib/jobs/catalogue";
import { log } from "@/lib/log";
import type { Storage } from "@/lib/storage/types";
import type { ProcessorDef } from "./index";

export interface AccountJobDeps {
  db: Db;
  storage: Storage;
  dataDir: string;
  orphanGraceMs: number;
}

/** An account whose deletion was asked for this long ago and has no live job is put back. */
const STUCK_DELETION_MS = 10 * 60_000;

export function accountProcessors(deps: AccountJobDeps): {
  "delete-account": ProcessorDef<"delete-account">;
  "export-data": ProcessorDef<"export-data">;
  "collect-orphans": ProcessorDef<"collect-orphans">;
} {
  return {
    "delete-account": {
      async process(job: Job<JobPayload<"delete-account">>) {
        // BullMQ keeps a job's progress across attempts: a resumed run continues the count.
        const before = job.progress as { total?: number } | number | undefined;
        const knownTotal = typeof before === "object" ? before.total : undefined;
        const result = await deleteAccount(
          {
            db: deps.db,
            storage: deps.storage,
            progress: async (p) => {
              await job.updateProgress(p);
              log().info({ userId: job.data.userId, ...p }, "deleting an account");
            },
          },
          job.data.userId,
          knownTotal,
        );
        if (result.deleted) log().info({ userId: job.data.userId, items: result.items }, "account deleted");
        return result;
      },
      // Nothing to record on a row (the account is going): BullMQ retries, and the collector
      // puts a deletion whose attempts ran out back in the queue.
      async onFailure(job, failure, final) {
        if (final) log().error({ userId: job.data.userId, err: failure.message }, "account deletion stopped; the orphan collector will restart it");
      },
    },
    "export-data": {
      process: (job) => buildExport({ db: deps.db, storage: deps.storage, tmpDir: path.join(deps.dataDir, "tmp"), announce: publishExport }, job.data.exportId),
      async onFailure(job, failure, final) {
        const row = await updateExport(
          deps.db,
          job.data.exportId,
          final ? { status: "failed", error: `The export could not be made. ${failure.message} Start a new one.`, note: null } : { status: "queued", note: "Trying again shortly…" },
        ).catch(() => null);
        if (row) await publishExport(row);
      },
      wording: {
        generic: "Something went wrong on our side.",
        missingFile: "A file was deleted while the export was being made.",
        stalled: "The worker making it stopped.",
        ai: { service: "", refused: "", button: "" },
      },
    },
    "collect-orphans": {
      async process() {
        const report = await collectOrphans({
          db: deps.db,
          storage: deps.storage,
          graceMs: deps.orphanGraceMs,
          tmpDir: path.join(deps.dataDir, "tmp"),
          log: (fields, message) => log().info(fields, message),
        });
        const restarted = await restartStuckDeletions(deps.db);
        return { scanned: report.scanned, removed: report.removed.length, expiredExports: report.expiredExports, unusedAnalyses: report.unusedAnalyses, tempFiles: report.tempFiles, restartedDeletions: restarted };
      },
      async onFailure() {},
    },
  };
}

/** Account deletions asked for a while ago whose job is gone or gave up: queued again. */
async function restartStuckDeletions(db: Db): Promise<number> {
  const stuck = await db.user.findMany({ where: { deletingAt: { lt: new Date(Date.now() - STUCK_DELETION_MS) } }, select: { id: true }, take: 100 });
  let restarted = 0;
  for (const { id } of stuck) {
    if (await jobIsAlive("delete-account", { userId: id })) continue;
    const job = await findJob("delete-account", { userId: id });
    if (job && (await job.isFailed())) await job.retry("failed");
    else {
      if (job) await job.remove();
      await enqueue("delete-account", { userId: id });
    }
    restarted += 1;
    log().warn({ userId: id }, "restarted an account deletion that had stopped");
  }
  return restarted;
}
