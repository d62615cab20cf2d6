// Scale-out, as compose.yaml deploys it but as real processes on this machine: two web
// processes (`next start`) and two workers on one Redis (private, AOF, noeviction), one
// Postgres (own schema) and S3 (s3rver), each process with a data directory of its own so
// nothing can pass through a shared disk. A batch uploaded through web A is followed live
// by an SSE client on web B; one worker is killed (SIGKILL) mid-batch; every photo still
// ends done exactly once, its files in the bucket.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { closeQueues, getQueue } from "@/lib/jobs";
import type { MediaView } from "@/lib/media/view";
import { createRedis } from "@/lib/redis";
import { createS3Storage, type Storage } from "@/lib/storage";
import { eventHistory, exactlyOnceViolations, makeBatch, statusCounts } from "@/test/batch";
import { photoForm, readSse, type SseMessage } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { ensureNextBuild, startNext } from "@/test/next-app";
import { bounded, freePort, startPrivateRedis, startWorker, waitFor, type Child, type PrivateRedis } from "@/test/processes";

const BATCH = 24;
// Short enough that the dead worker's jobs come back soon, long enough that a live worker
// on a busy 2-core machine still renews its locks in time.
const LOCK_MS = 5_000;
const STALLED_MS = 1_000;
const BUCKET = "framecast-scale-out";

let iso: IsolatedEnv;
let redisServer: PrivateRedis;
let redis: Redis;
let s3: S3rver;
let s3Dir: string;
let s3Endpoint: string;
let bucket: Storage;
const web: { url: string; child: Child; dataDir: string }[] = [];
const workers: Child[] = [];

/** What every process shares: database, Redis, key prefix, bucket. DATA_DIR is each one's own. */
function shared(dataDir: string): Record<string, string> {
  return {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATABASE_SCHEMA: iso.schema,
    REDIS_URL: redisServer.url,
    QUEUE_PREFIX: iso.prefix,
    DATA_DIR: dataDir,
    STORAGE_DRIVER: "s3",
    S3_ENDPOINT: s3Endpoint,
    S3_REGION: "us-east-1",
    S3_BUCKET: BUCKET,
    // s3rver knows only this key pair; it checks the id, not the signature.
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_FORCE_PATH_STYLE: "true",
  };
}

async function ownDataDir(name: string) {
  const dir = path.join(iso.dataDir, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function startWeb(name: string) {
  const port = await freePort(3310, 3349);
  const dataDir = await ownDataDir(name);
  const url = `http://127.0.0.1:${port}`;
  const child = await startNext(port, { ...shared(dataDir), APP_URL: url }, name);
  web.push({ url, child, dataDir });
  return web.at(-1)!;
}

async function startScaledWorker(name: string) {
  const child = await startWorker(
    {
      ...shared(await ownDataDir(name)),
      WORKER_CONCURRENCY: "2",
      WORKER_LOCK_DURATION_MS: String(LOCK_MS),
      WORKER_STALLED_INTERVAL_MS: String(STALLED_MS),
      WORKER_MAX_STALLED_COUNT: "2",
    },
    { name },
  );
  workers.push(child);
  return child;
}

/** Files under a process's DATA_DIR other than upload temp files: there should be none. */
async function localObjects(dataDir: string): Promise<string[]> {
  if (!existsSync(dataDir)) return [];
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !path.relative(dataDir, e.parentPath).startsWith("tmp")).map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  const build = ensureNextBuild();
  if (build.built) console.log(`[fault:scale-out] built the app in ${build.ms} ms`);
  redisServer = await startPrivateRedis({ portRange: [6410, 6414] });
  // Before isolate() reads the environment: this process's own queue handles use it too.
  process.env.REDIS_URL = redisServer.url;
  iso = await isolate();
  s3Dir = await mkdtemp(path.join(os.tmpdir(), "framecast-scale-out-s3-"));
  s3 = new S3rver({ address: "127.0.0.1", port: 0, directory: s3Dir, silent: true, configureBuckets: [{ name: BUCKET }] });
  s3Endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  bucket = createS3Storage({ endpoint: s3Endpoint, region: "us-east-1", bucket: BUCKET, accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true });
  redis = createRedis("lock");
}, 600_000);

afterAll(async () => {
  for (const child of [...workers, ...web.map((w) => w.child)]) child.kill("SIGKILL");
  await bounded("processes exit", Promise.all([...workers, ...web.map((w) => w.child)].map((c) => c.exited)));
  await bounded("queues close", Promise.all([closeQueues(), redis?.quit()]));
  await db().$disconnect();
  await iso?.teardown();
  await redisServer?.destroy();
  await s3?.close();
  if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
}, 60_000);

describe("two web processes and two workers on one Redis, one Postgres and S3", () => {
  it("a batch uploaded through web A is followed live on web B; a worker killed mid-batch loses nothing", { timeout: 300_000 }, async () => {
    const [a, b] = [await startWeb("web-a"), await startWeb("web-b")];

    // Sign up and upload through A, as a browser on A would (Origin of A).
    const signup = await fetch(`${a.url}/api/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: a.url },
      body: JSON.stringify({ email: "scale-out@example.com", password: "a long enough password" }),
    });
    expect(signup.status).toBe(201);
    const cookie = signup.headers.get("set-cookie")!.split(";")[0];
    const files = await makeBatch(BATCH, { width: 2000, height: 1500, seedBase: 4200 });
    const ids: string[] = [];
    for (let i = 0; i < files.length; i += 8) {
      const res = await fetch(`${a.url}/api/v1/media`, { method: "POST", headers: { cookie, origin: a.url }, body: photoForm(files.slice(i, i + 8)) });
      const body = (await res.json()) as { media: MediaView[] };
      expect(res.status, JSON.stringify(body)).toBe(202);
      ids.push(...body.media.map((m) => m.id));
    }
    expect(ids).toHaveLength(BATCH);

    // The same account follows the batch on B (the session lives in Postgres, the live
    // events in Redis: nothing ties a user to one web process).
    const stream = await fetch(`${b.url}/api/v1/media/stream?ids=${ids.join(",")}`, { headers: { cookie } });
    expect(stream.status).toBe(200);
    const seenOnB = new Map<string, string[]>();
    const followed = readSse(stream, (m: SseMessage) => {
      if (m.event === "media") {
        const view = m.data as MediaView;
        seenOnB.set(view.id, [...(seenOnB.get(view.id) ?? []), view.status]);
      }
      return m.event === "end";
    });
    await waitFor("B's snapshot of the whole batch", async () => seenOnB.size === BATCH, 30_000);
    expect([...seenOnB.values()].every((statuses) => statuses[0] === "queued")).toBe(true);

    // Both workers start only now, so everything B sees from here on arrives live.
    const [victim] = [await startScaledWorker("worker-1"), await startScaledWorker("worker-2")];
    let seen = await statusCounts(db(), ids);
    const atKill = await waitFor(
      "both workers to be busy part-way through the batch",
      async () => {
        seen = await statusCounts(db(), ids);
        return seen.done >= 2 && seen.queued >= 6 ? seen : null;
      },
      180_000,
      25,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; photos then: ${JSON.stringify(seen)}\n${workers.map((w) => `${w.name}:\n${w.output().slice(-2000)}`).join("\n")}`);
    });
    victim.kill("SIGKILL");
    expect(await victim.exited).toBe("SIGKILL");
    const killedAt = Date.now();

    const messages = await followed; // ends with "end" once every photo is done or failed
    const doneAfter = Date.now() - killedAt;
    expect(messages.at(-1)?.event).toBe("end");

    // What a user notices: every photo done, once, on the page served by B.
    expect(await statusCounts(db(), ids)).toEqual({ queued: 0, analysing: 0, done: BATCH, failed: 0 });
    for (const id of ids) {
      const statuses = seenOnB.get(id)!;
      expect(statuses.at(-1), id).toBe("done");
      expect(statuses.filter((s) => s === "done"), id).toHaveLength(1);
      expect(statuses, id).not.toContain("failed");
    }
    expect(exactlyOnceViolations(await eventHistory(redis, iso.prefix), ids)).toEqual([]);

    // Each job completed once, none failed; the dead worker's jobs were recovered as stalled.
    const queue = getQueue("media-analysis");
    expect(await queue.getJobCounts("completed", "failed", "active", "waiting", "delayed")).toEqual({ completed: BATCH, failed: 0, active: 0, waiting: 0, delayed: 0 });
    const stalled = (await Promise.all(ids.map((id) => redis.hget(`${iso.prefix}:media-analysis:analyze-${id}`, "stc")))).filter((n) => Number(n) > 0);
    expect(stalled.length).toBeGreaterThan(0);
    expect(await db().analysis.count()).toBe(BATCH);

    // The files are in the bucket, and no process kept any on its own disk.
    const rows = await db().media.findMany({ where: { id: { in: ids } }, include: { analysis: true } });
    for (const row of rows) {
      expect(await bucket.stat(row.storageKey), row.storageKey).not.toBeNull();
      expect(await bucket.stat(row.analysis!.thumbnailKey), row.analysis!.thumbnailKey).not.toBeNull();
    }
    for (const dir of [...web.map((w) => w.dataDir), path.join(iso.dataDir, "worker-1"), path.join(iso.dataDir, "worker-2")]) {
      expect(await localObjects(dir), dir).toEqual([]);
    }

    // For docs/deploy.md's sizing: what this batch left in Redis, and who was connected.
    const memory = /used_memory:(\d+)/.exec(await redis.info("memory"))?.[1];
    const clients = (await redis.client("LIST")) as string;
    const jobBytes = await redis.memory("USAGE", `${iso.prefix}:media-analysis:analyze-${ids[0]}`);
    console.log(
      `[fault:scale-out] ${BATCH} photos uploaded through A, followed on B; worker-1 killed at ${JSON.stringify(atKill)}; ` +
        `${stalled.length} job(s) recovered as stalled; batch done ${doneAfter} ms after the kill; ` +
        `${messages.length} SSE messages on B; Redis used_memory ${memory} bytes, ${clients.trim().split("\n").length} clients, ` +
        `one completed job ${jobBytes} bytes`,
    );
  });
});
