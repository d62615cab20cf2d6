// Fault: SIGTERM to a worker process while it has jobs in flight. Within the grace period
// they finish before it exits; past it, they are handed back to the queue at once (not
// left to time out as stalled), and another worker finishes them. Real child processes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { db } from "@/lib/db";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues, getQueue } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { eventHistory, exactlyOnceViolations, makeBatch, statusCounts, uploadBatch } from "@/test/batch";
import { signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { bounded, startWorker, waitFor, type Child } from "@/test/processes";

let iso: IsolatedEnv;
let redis: Redis;
let cookie: string;
const children: Child[] = [];

function vars(extra: Record<string, string>) {
  return {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATABASE_SCHEMA: iso.schema,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: iso.prefix,
    DATA_DIR: iso.dataDir,
    WORKER_CONCURRENCY: "3",
    ...extra,
  };
}

async function worker(extra: Record<string, string>, name: string) {
  const child = await startWorker(vars(extra), { name });
  children.push(child);
  return child;
}

beforeAll(async () => {
  iso = await isolate();
  redis = createRedis("lock");
  cookie = await signUp("shutdown@example.com");
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await bounded("workers exit", Promise.all(children.map((c) => c.exited)));
  await Promise.all([closeQueues(), closeEventHub(), redis?.quit()]);
  await db().$disconnect();
  await iso?.teardown();
}, 60_000);

/** Waits until the worker is analysing photos, and returns the ids of its active jobs. */
async function busy(ids: string[]): Promise<string[]> {
  return waitFor(
    "the worker to be analysing",
    async () => {
      const counts = await statusCounts(db(), ids);
      if (counts.analysing < 1) return null;
      const active = await getQueue("media-analysis").getActive();
      return active.length > 0 ? active.map((j) => j.id!) : null;
    },
    120_000,
    25,
  );
}

describe("SIGTERM to a worker", () => {
  it("lets in-flight jobs finish within the grace period, takes no new ones, and exits 0", { timeout: 180_000 }, async () => {
    const ids = await uploadBatch(cookie, await makeBatch(12, { width: 2000, height: 1500, seedBase: 4000 }));
    const first = await worker({ WORKER_SHUTDOWN_GRACE_MS: "60000" }, "worker-graceful");
    const inFlight = await busy(ids);
    const termAt = Date.now();
    first.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const exitMs = Date.now() - termAt;

    // Every job it had when told to stop was completed by it, not abandoned.
    const queue = getQueue("media-analysis");
    for (const jobId of inFlight) expect(await (await queue.getJob(jobId))!.getState()).toBe("completed");
    const counts = await queue.getJobCounts("active", "completed", "waiting");
    expect(counts.active).toBe(0);
    const photos = await statusCounts(db(), ids);
    expect(photos.analysing).toBe(0); // nothing left half-done
    expect(photos.done).toBe(counts.completed);
    expect(first.output()).toMatch(/"msg":"worker stopped"/);

    // The rest were left for another worker, which finishes them.
    await worker({}, "worker-after-graceful");
    await waitFor("the rest of the batch", async () => (await statusCounts(db(), ids)).done === ids.length, 120_000);
    expect(exactlyOnceViolations(await eventHistory(redis, iso.prefix), ids)).toEqual([]);
    console.log(`[fault:worker-sigterm] ${inFlight.length} in-flight job(s) finished; exited 0 after ${exitMs} ms; at exit ${JSON.stringify(photos)}`);
    children.at(-1)!.kill("SIGTERM");
    await children.at(-1)!.exited;
  });

  it("past the grace period, hands unfinished jobs straight back to the queue; another worker finishes them once", { timeout: 180_000 }, async () => {
    const ids = await uploadBatch(cookie, await makeBatch(8, { width: 2400, height: 1800, seedBase: 5000 }));
    // A long lock: if jobs were merely abandoned, nobody could take them for 5 minutes.
    const hurried = await worker({ WORKER_SHUTDOWN_GRACE_MS: "1", WORKER_LOCK_DURATION_MS: "300000" }, "worker-hurried");
    const inFlight = await busy(ids);
    const termAt = Date.now();
    hurried.kill("SIGTERM");
    expect(await hurried.exited).toBe(1); // grace over: not a clean finish
    const exitMs = Date.now() - termAt;
    expect(hurried.output()).toMatch(/handed \d+ job\(s\) back to the queue/);

    // Handed back: waiting again at once, not active under a dead worker's lock.
    const queue = getQueue("media-analysis");
    const states = await Promise.all(inFlight.map(async (id) => (await queue.getJob(id))!.getState()));
    expect(states.every((s) => s === "waiting" || s === "completed")).toBe(true);
    expect(states.filter((s) => s === "waiting").length).toBeGreaterThan(0);
    expect((await queue.getJobCounts("active")).active).toBe(0);

    await worker({ WORKER_LOCK_DURATION_MS: "300000" }, "worker-after-hurried");
    await waitFor("the batch to finish", async () => (await statusCounts(db(), ids)).done === ids.length, 120_000);
    expect(await statusCounts(db(), ids)).toEqual({ queued: 0, analysing: 0, done: ids.length, failed: 0 });
    expect(exactlyOnceViolations(await eventHistory(redis, iso.prefix), ids)).toEqual([]);
    console.log(`[fault:worker-sigterm-grace] exited 1 after ${exitMs} ms; job states right after exit: ${states.join(",")}`);
  });
});
