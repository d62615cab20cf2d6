// Faults: Redis down when a photo is uploaded, and Redis restarted (AOF on) in the middle
// of a batch. A private redis-server (never the shared one) is stopped and started for
// real; the worker is a real child process; uploads and the SSE stream go through the
// route handlers of this (web) process, with its own Redis connections.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as stream } from "@/app/api/v1/media/stream/route";
import { getQueue } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { eventHistory, exactlyOnceViolations, makeBatch, statusCounts, uploadBatch } from "@/test/batch";
import { db } from "@/lib/db";
import { call, photoForm, readSse } from "@/test/http";
import type { IsolatedEnv } from "@/test/integration";
import { startWorker, waitFor, type Child, type PrivateRedis } from "@/test/processes";
import { startOutageStack, stopOutageStack } from "@/test/redis-outage";
import { makeJpeg } from "@/test/test-images";
import type { MediaView } from "./view";

const BATCH = 20;

let iso: IsolatedEnv;
let redisServer: PrivateRedis;
let worker: Child | undefined;
let cookie: string;

beforeAll(async () => {
  ({ redisServer, iso, cookie } = await startOutageStack([6390, 6394], "outage@example.com"));
}, 120_000);

afterAll(() => stopOutageStack({ redisServer, iso }, worker), 120_000);

/** Every file under a directory, recursively (sidecars and temp files included). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

/** Stored originals (with their sidecars) and upload temp files: what an upload writes. */
const uploadFiles = async () => [
  ...(await filesUnder(path.join(iso.dataDir, "objects/originals"))),
  ...(await filesUnder(path.join(iso.dataDir, "tmp"))),
];

async function uploadOne(seed: number) {
  const started = Date.now();
  const res = await call(upload, {
    path: "/api/v1/media",
    method: "POST",
    cookie,
    body: photoForm([{ name: `outage-${seed}.jpg`, bytes: await makeJpeg({ width: 400, height: 300, seed }) }]),
  });
  return { res, body: await res.json(), ms: Date.now() - started };
}

/** Asserts a refused upload left nothing behind: no row, no stored original, no temp file. */
async function expectNothingLeft(rowsBefore: number, filesBefore: string[]) {
  expect(await db().media.count()).toBe(rowsBefore);
  expect(await uploadFiles()).toEqual(filesBefore);
  expect(await filesUnder(path.join(iso.dataDir, "tmp"))).toEqual([]);
}

describe("Redis outages", () => {
  it("Redis down before the web process ever reached it: the upload answers 503 + Retry-After and keeps nothing", { timeout: 60_000 }, async () => {
    await redisServer.stop();
    const rowsBefore = await db().media.count();
    const filesBefore = await uploadFiles();
    const { res, body, ms } = await uploadOne(1);
    console.log(`[fault:redis-down-first] upload answered ${res.status} in ${ms} ms, Retry-After ${res.headers.get("retry-after")}`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(body.error).toEqual({ message: "The job queue is unavailable right now. Please try again in a moment.", code: "unavailable" });
    expect(ms).toBeLessThan(30_000); // bounded (ENQUEUE_TIMEOUT_MS), not hanging
    await expectNothingLeft(rowsBefore, filesBefore);
    await redisServer.start();
  });

  it("Redis restarted mid-batch: web and worker reconnect on their own, every photo completes once; uploads meanwhile get 503 and leave nothing", { timeout: 180_000 }, async () => {
    worker = await startWorker({
      DATABASE_URL: process.env.DATABASE_URL!,
      DATABASE_SCHEMA: iso.schema,
      REDIS_URL: redisServer.url,
      QUEUE_PREFIX: iso.prefix,
      DATA_DIR: iso.dataDir,
      WORKER_CONCURRENCY: "2",
    });
    const ids = await uploadBatch(cookie, await makeBatch(BATCH, { width: 2000, height: 1500, seedBase: 2000 }));

    // A browser watching the batch: one SSE stream through this process's event hub.
    const sse = await call(stream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie });
    expect(sse.status).toBe(200);
    const watched = readSse(sse);

    const before = await waitFor(
      "the batch to be under way",
      async () => {
        const counts = await statusCounts(db(), ids);
        return counts.done >= 2 && counts.analysing >= 1 ? counts : null;
      },
      120_000,
      25,
    );
    await redisServer.stop(); // SIGTERM: Redis fsyncs its AOF and exits
    const downAt = Date.now();

    // While it is down, a new upload is refused at once and leaves nothing behind.
    const rowsBefore = await db().media.count();
    const filesBefore = await uploadFiles();
    const refused = await uploadOne(2);
    expect(refused.res.status).toBe(503);
    expect(refused.res.headers.get("retry-after")).toBe("5");
    await expectNothingLeft(rowsBefore, filesBefore);
    const during = await statusCounts(db(), ids);

    await redisServer.start();
    const upAt = Date.now();
    await waitFor("the whole batch to finish after the restart", async () => (await statusCounts(db(), ids)).done === BATCH, 150_000);
    const doneAt = Date.now();

    // The same web process takes uploads again without being restarted.
    const accepted = await waitFor("uploads to be accepted again", async () => {
      const attempt = await uploadOne(3);
      return attempt.res.status === 202 ? attempt : null;
    }, 30_000, 500);
    expect(accepted.body.media[0].status).toBe("queued");

    // The browser's stream saw every photo finish, across the restart.
    const messages = await watched;
    expect(messages.at(-1)?.event).toBe("end");
    const last = new Map<string, MediaView>();
    for (const m of messages) if (m.event === "media") last.set((m.data as MediaView).id, m.data as MediaView);
    expect([...last.values()].filter((m) => m.status === "done")).toHaveLength(BATCH);

    // Nothing lost, nothing twice: jobs survived in the AOF and completed once each.
    expect(await statusCounts(db(), ids)).toEqual({ queued: 0, analysing: 0, done: BATCH, failed: 0 });
    expect(await db().analysis.count({ where: { sha256: { in: (await db().media.findMany({ where: { id: { in: ids } } })).map((m) => m.sha256) } } })).toBe(BATCH);
    const jobs = await getQueue("media-analysis").getJobCounts("completed", "failed");
    expect(jobs.failed).toBe(0);
    const redis: Redis = createRedis("queue");
    try {
      expect(exactlyOnceViolations(await eventHistory(redis, iso.prefix), ids)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    console.log(
      `[fault:redis-restart] before stop ${JSON.stringify(before)}; while down ${JSON.stringify(during)} (upload refused in ${refused.ms} ms); ` +
        `down ${upAt - downAt} ms; batch done ${doneAt - upAt} ms after Redis was back; jobs ${JSON.stringify(jobs)}; SSE stream ended with ${last.size} photos done`,
    );
  });
});
