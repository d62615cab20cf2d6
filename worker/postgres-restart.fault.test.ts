// Fault: PostgreSQL restarted in the middle of a batch. A private cluster (initdb +
// pg_ctl as the postgres user, on a port of our own, never the shared server) is stopped
// and started for real under a worker child process; jobs must retry and complete.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { db } from "@/lib/db";
import { closePublisher } from "@/lib/events/publish";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues, getQueue } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { eventHistory, exactlyOnceViolations, makeBatch, statusCounts, uploadBatch } from "@/test/batch";
import { POST as upload } from "@/app/api/v1/media/route";
import { makeJpeg } from "@/test/test-images";
import { call, photoForm, signUp } from "@/test/http";
import { bounded, sleep, startPrivatePostgres, startWorker, waitFor, type Child, type PrivatePostgres } from "@/test/processes";
import { applyMigrations } from "@/prisma/offline-migrate";

const BATCH = 20;
const SCHEMA = "framecast";

let pg: PrivatePostgres;
let worker: Child | undefined;
let dataDir: string;
let prefix: string;
let redis: Redis;

beforeAll(async () => {
  pg = await startPrivatePostgres({ portRange: [5440, 5444] });
  await applyMigrations({ connectionString: pg.url(), schema: SCHEMA });
  dataDir = await mkdtemp(path.join(os.tmpdir(), "framecast-pgfault-"));
  prefix = `fcfault-${randomBytes(4).toString("hex")}`;
  Object.assign(process.env, {
    NODE_ENV: "test",
    DATABASE_URL: pg.url(),
    DATABASE_SCHEMA: SCHEMA,
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    STORAGE_DRIVER: "local",
    GEMINI_API_KEY: "",
  });
  redis = createRedis("lock");
}, 120_000);

afterAll(async () => {
  worker?.kill("SIGKILL");
  await bounded("worker exit", worker?.exited);
  await bounded("close queues", closeQueues());
  await bounded("close event hub", closeEventHub());
  await bounded("close publisher", closePublisher());
  await bounded("db disconnect", db().$disconnect());
  if (redis) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await bounded("postgres destroy", pg?.destroy(), 60_000);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 120_000);

describe("PostgreSQL restarted mid-batch", () => {
  it("jobs retry and complete: every photo done once, none failed", { timeout: 180_000 }, async () => {
    const cookie = await signUp("pg-restart@example.com");
    const ids = await uploadBatch(cookie, await makeBatch(BATCH, { width: 2000, height: 1500, seedBase: 3000 }));
    worker = await startWorker({
      DATABASE_URL: pg.url(),
      DATABASE_SCHEMA: SCHEMA,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      QUEUE_PREFIX: prefix,
      DATA_DIR: dataDir,
      WORKER_CONCURRENCY: "2",
    });

    const before = await waitFor(
      "the batch to be under way",
      async () => {
        const counts = await statusCounts(db(), ids);
        return counts.done >= 2 && counts.analysing >= 1 ? counts : null;
      },
      120_000,
      25,
    );
    await pg.stop(); // pg_ctl stop -m fast: every connection is cut
    const downAt = Date.now();
    // Down longer than a job's four attempts (1 s + 2 s + 4 s backoff) would last if an
    // outage spent them: only waiting it out without spending attempts survives this.
    const downUntil = Date.now() + 5_000;
    // Meanwhile the web side answers "try again" rather than a 500, and keeps nothing.
    const refused = await call(upload, {
      path: "/api/v1/media",
      method: "POST",
      cookie,
      body: photoForm([{ name: "during-outage.jpg", bytes: await makeJpeg({ width: 300, height: 200, seed: 3999 }) }]),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect((await refused.json()).error.message).toMatch(/database is unavailable/);
    await sleep(Math.max(0, downUntil - Date.now()));
    await pg.start();
    const upAt = Date.now();

    await waitFor("the whole batch to finish after the restart", async () => (await statusCounts(db(), ids)).done === BATCH, 150_000);
    const doneAt = Date.now();

    expect(await statusCounts(db(), ids)).toEqual({ queued: 0, analysing: 0, done: BATCH, failed: 0 });
    expect(await db().analysis.count()).toBe(BATCH);
    expect(await db().media.count()).toBe(BATCH); // the refused upload left no row
    const jobs = await getQueue("media-analysis").getJobCounts("completed", "failed", "active", "waiting", "delayed");
    expect(jobs).toEqual({ completed: BATCH, failed: 0, active: 0, waiting: 0, delayed: 0 });
    expect(exactlyOnceViolations(await eventHistory(redis, prefix), ids)).toEqual([]);
    // The outage cost no job an attempt: each finished on its first counted attempt.
    const attempts = await Promise.all(ids.map(async (id) => (await getQueue("media-analysis").getJob(`analyze-${id}`))!.attemptsMade));
    expect(attempts.every((n) => n === 1)).toBe(true);

    const retriedLines = worker.output().split("\n").filter((l) => /database unavailable/.test(l));
    console.log(
      `[fault:postgres-restart] before stop ${JSON.stringify(before)}; down ${upAt - downAt} ms; ` +
        `batch done ${doneAt - upAt} ms after Postgres was back; jobs ${JSON.stringify(jobs)}; worker noted ${retriedLines.length} outage line(s):\n${retriedLines.slice(0, 6).join("\n")}`,
    );
  });
});
