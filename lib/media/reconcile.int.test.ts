// The reconciler against real Postgres and Redis: photos left unfinished with no live job
// get their job back under the same derived id (never a second one), and the job
// scheduler runs it by itself in the worker.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import { db } from "@/lib/db";
import { getQueue, scheduleMaintenance } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { makeBatch, uploadBatch } from "@/test/batch";
import { signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { waitFor } from "@/test/processes";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { reconcileMedia } from "./reconcile";
import { closeConnections, processorDeps, takeJob } from "@/test/worker";

const STALE_MS = 60_000;
let iso: IsolatedEnv;
let lockRedis: Redis;
let runtime: WorkerRuntime | undefined;
let cookie: string;

beforeAll(async () => {
  iso = await isolate();
  lockRedis = createRedis("lock");
  cookie = await signUp("reconcile@example.com");
});

afterAll(async () => {
  await runtime?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

const queue = () => getQueue("media-analysis");
const jobOf = (id: string) => queue().getJob(`analyze-${id}`);

/** Pretends the photo's last change was long ago (and optionally in another state). */
async function age(id: string, status?: "queued" | "analysing") {
  await db().media.update({ where: { id }, data: { updatedAt: new Date(Date.now() - 10 * 60_000), ...(status ? { status } : {}) } });
}

/** Fails a waiting job for good, as if its final failure could not be written to Postgres. */
async function failForGood(id: string) {
  const token = randomUUID();
  const { job, worker } = await takeJob("media-analysis", `analyze-${id}`, token);
  try {
    await job.moveToFailed(new UnrecoverableError("worker lost its database"), token);
  } finally {
    await worker.close();
  }
}

function startRuntime() {
  return startWorkers(
    buildProcessors(processorDeps(lockRedis, { reconcileStaleMs: STALE_MS })),
    { concurrency: 2, log: () => {} },
  );
}

describe("reconciler", () => {
  it("re-enqueues lost and silently-failed photos under their own job id, and leaves live and recent ones alone", async () => {
    // No worker yet: every upload leaves a waiting job.
    const [lost, failed, waiting, recent] = await uploadBatch(cookie, await makeBatch(4, { width: 300, height: 200, seedBase: 500 }));
    await (await jobOf(lost))!.remove(); // its enqueue was lost (e.g. Redis lost the write)
    await age(lost);
    await failForGood(failed); // its job failed while the photo still says "analysing"
    await age(failed, "analysing");
    await age(waiting); // old, but its job is still waiting: alive
    await (await jobOf(recent))!.remove(); // no job, but changed just now: maybe mid-upload

    const first = await reconcileMedia(db(), { staleMs: STALE_MS });
    expect(first).toEqual({ checked: 3, enqueued: [lost], retried: [failed], live: 1 });
    expect(await (await jobOf(lost))!.getState()).toBe("waiting");
    expect(await (await jobOf(failed))!.getState()).toBe("waiting");
    expect(await jobOf(recent)).toBeUndefined();

    // Running again changes nothing: everything old has a live job now, one per photo.
    const second = await reconcileMedia(db(), { staleMs: STALE_MS });
    expect(second).toEqual({ checked: 3, enqueued: [], retried: [], live: 3 });
    expect(await queue().getJobCounts("waiting", "failed", "delayed")).toEqual({ waiting: 3, failed: 0, delayed: 0 });

    // And the work then happens, once per photo.
    runtime = startRuntime();
    await waitFor("the three photos to finish", async () => (await db().media.count({ where: { id: { in: [lost, failed, waiting] }, status: "done" } })) === 3, 60_000);
    await runtime.close();
    runtime = undefined;
    expect(await db().analysis.count()).toBe(3);
  });

  it("runs on its own from a job scheduler in the worker; scheduling twice is still one schedule", async () => {
    await scheduleMaintenance(1_000);
    await scheduleMaintenance(1_000); // a second worker starting
    const schedulers = await getQueue("maintenance").getJobSchedulers();
    // The reconcilers of photos and of workflow runs, the AI jobs' retention and the orphan
    // collector (both hourly by default).
    expect(schedulers.map((s) => [s.key, s.every]).sort()).toEqual([
      ["ai-job-retention", 3_600_000],
      ["collect-orphans", 3_600_000],
      ["reconcile-media", 1_000],
      ["reconcile-runs", 1_000],
    ]);

    const [orphan] = await uploadBatch(cookie, await makeBatch(1, { width: 300, height: 200, seedBase: 600 }));
    await (await jobOf(orphan))!.remove();
    await age(orphan);

    runtime = startRuntime();
    await waitFor("the scheduled reconciler to bring the orphan back and the worker to finish it", async () => (await db().media.findUnique({ where: { id: orphan } }))?.status === "done", 60_000);
    const runs = await getQueue("maintenance").getJobCounts("completed", "failed");
    expect(runs.completed).toBeGreaterThanOrEqual(1);
    expect(runs.failed).toBe(0);
    expect((await jobOf(orphan))?.id).toBe(`analyze-${orphan}`);
  });
});
