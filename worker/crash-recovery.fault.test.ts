// Fault: `kill -9` a worker process in the middle of a batch, start another. Every photo
// must end done exactly once, within the configured stall handling, with nothing counted
// twice. Real processes against the real Redis and Postgres (own schema and prefix).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { db } from "@/lib/db";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues, getQueue } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { eventHistory, exactlyOnceViolations, makeBatch, statusCounts, uploadBatch } from "@/test/batch";
import { signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { startWorker, waitFor, type Child } from "@/test/processes";

const LOCK_MS = 3_000;
const STALLED_MS = 1_000;
const BATCH = 24;

let iso: IsolatedEnv;
let redis: Redis;
const children: Child[] = [];

function workerVars() {
  return {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATABASE_SCHEMA: iso.schema,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: iso.prefix,
    DATA_DIR: iso.dataDir,
    WORKER_CONCURRENCY: "3",
    WORKER_LOCK_DURATION_MS: String(LOCK_MS),
    WORKER_STALLED_INTERVAL_MS: String(STALLED_MS),
    WORKER_MAX_STALLED_COUNT: "2",
  };
}

beforeAll(async () => {
  iso = await isolate();
  redis = createRedis("lock");
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  await Promise.all([closeQueues(), closeEventHub(), redis?.quit()]);
  await db().$disconnect();
  await iso?.teardown();
});

describe("a worker killed with SIGKILL mid-batch", () => {
  it("loses nothing: a new worker takes over the stalled jobs and every photo completes exactly once", { timeout: 180_000 }, async () => {
    const cookie = await signUp("crash@example.com");
    const files = await makeBatch(BATCH, { width: 2000, height: 1500 });
    const ids = await uploadBatch(cookie, files);
    expect(ids).toHaveLength(BATCH);

    const first = await startWorker(workerVars(), { name: "worker-1" });
    children.push(first);
    // Kill it while it is busy: some photos finished, some being analysed right now.
    const atKill = await waitFor(
      "the first worker to be part-way through the batch",
      async () => {
        const counts = await statusCounts(db(), ids);
        return counts.done >= 2 && counts.analysing >= 1 ? counts : null;
      },
      120_000,
      25,
    );
    first.kill("SIGKILL");
    const killedAt = Date.now();
    expect(await first.exited).toBe("SIGKILL");
    const jobsAtKill = await getQueue("media-analysis").getJobCounts("active", "waiting", "completed", "failed");
    // The orphans: jobs the dead worker had taken (some not yet reported as analysing).
    const stuck = (await getQueue("media-analysis").getActive()).map((job) => (job.data as { mediaId: string }).mediaId);
    console.log(`[fault:kill-9] at kill: photos ${JSON.stringify(atKill)}; jobs ${JSON.stringify(jobsAtKill)}`);
    expect(stuck.length).toBeGreaterThan(0); // jobs were orphaned mid-flight

    const second = await startWorker(workerVars(), { name: "worker-2" });
    children.push(second);
    const startedAt = Date.now();
    // The orphans come back once their lock lapses and a stalled check runs: bounded by
    // lock duration + two stalled intervals, plus generous room for the work itself.
    await waitFor(
      "the orphaned jobs to be completed by the new worker",
      async () => {
        const states = await Promise.all(stuck.map(async (id) => (await getQueue("media-analysis").getJob(`analyze-${id}`))?.getState()));
        return states.every((s) => s === "completed");
      },
      LOCK_MS + 2 * STALLED_MS + 60_000,
    );
    const orphansDoneAfter = Date.now() - killedAt;
    await waitFor("the whole batch to finish", async () => (await statusCounts(db(), ids)).done === BATCH, 120_000);
    const allDoneAfter = Date.now() - killedAt;

    const final = await statusCounts(db(), ids);
    expect(final).toEqual({ queued: 0, analysing: 0, done: BATCH, failed: 0 });

    // One analysis per distinct photo, every photo linked to its own, progress full.
    const rows = await db().media.findMany({ where: { id: { in: ids } } });
    expect(new Set(rows.map((r) => r.sha256)).size).toBe(BATCH);
    expect(await db().analysis.count()).toBe(BATCH);
    expect(rows.every((r) => r.analysisSha === r.sha256 && r.progress === 1 && r.completedAt)).toBe(true);

    // BullMQ: every job completed once, none failed; the orphans were the stalled ones.
    const queue = getQueue("media-analysis");
    const counts = await queue.getJobCounts("completed", "failed", "active", "waiting", "delayed");
    expect(counts).toEqual({ completed: BATCH, failed: 0, active: 0, waiting: 0, delayed: 0 });
    for (const id of stuck) {
      // The stalled check counts in the job hash ("stc"); Job.stalledCounter is not loaded from it.
      const stalledCount = Number(await redis.hget(`${iso.prefix}:media-analysis:analyze-${id}`, "stc"));
      expect(stalledCount, `analyze-${id} should have been recovered as stalled`).toBe(1);
    }

    // What a watcher saw: each photo reached "done" once, as its last word, and its
    // progress never went backwards across the crash.
    const history = await eventHistory(redis, iso.prefix);
    expect(exactlyOnceViolations(history, ids)).toEqual([]);

    console.log(
      `[fault:kill-9] ${stuck.length} orphaned job(s) finished ${orphansDoneAfter} ms after the kill ` +
        `(new worker up ${startedAt - killedAt} ms after it; lock ${LOCK_MS} ms, stalled check every ${STALLED_MS} ms); ` +
        `whole batch done ${allDoneAfter} ms after the kill; final ${JSON.stringify(final)}; analyses ${BATCH}; jobs ${JSON.stringify(counts)}`,
    );
    second.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
