// Faults: S3-compatible storage (s3rver in a process of its own, test/s3rver.ts) killed and
// started again around photo and podcast episode uploads, as a self-hoster's MinIO or R2
// gateway would go away.
// Uploads and the readiness probe go through this process's route handlers; the worker is a
// real child process with the real Gemini SDK against a stub (test/ai-stubs.ts), whose
// request log tells what the provider was paid for.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as uploadEpisodes } from "@/app/api/v1/episodes/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as ready } from "@/app/api/ready/route";
import { db } from "@/lib/db";
import { closePublisher } from "@/lib/events/publish";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues, getQueue } from "@/lib/jobs";
import { startAiStub, success, type AiStub } from "@/test/ai-stubs";
import { makeTone } from "@/test/audio";
import { makeBatch, statusCounts, uploadBatch } from "@/test/batch";
import { call, photoForm, signUp } from "@/test/http";
import { isolate, TEST_DATABASE_URL, type IsolatedEnv } from "@/test/integration";
import { bounded, sleep, startWorker, waitFor, type Child } from "@/test/processes";
import { startPrivateS3, type PrivateS3 } from "@/test/s3rver";
import { makeJpeg } from "@/test/test-images";

const STORAGE_DOWN = { message: "File storage is unavailable right now. Please try again in a moment.", code: "unavailable" };
/** Longer than the first retries' backoff (1 s + 2 s): an outage that spent attempts would spend several. */
const OUTAGE_MS = 6_000;
const GEMINI_KEY = "AIzaSy-stub-key-for-tests";

let s3: PrivateS3;
let gemini: AiStub;
let iso: IsolatedEnv;
let cookie: string;
let worker: Child | undefined;

beforeAll(async () => {
  s3 = await startPrivateS3({ portRange: [4650, 4669] });
  gemini = await startAiStub("gemini");
  iso = await isolate({ ...s3.env(), GEMINI_API_KEY: GEMINI_KEY, GEMINI_MODEL: "gemini-stub", GEMINI_BASE_URL: gemini.baseUrl, AI_PROVIDERS: "gemini,local" });
  cookie = await signUp("storage-outage@example.com");
}, 120_000);

afterAll(async () => {
  worker?.kill("SIGKILL");
  await bounded("worker exit", worker?.exited);
  await bounded("close queues", closeQueues());
  await bounded("close event hub", closeEventHub());
  await bounded("close publisher", closePublisher());
  await bounded("db disconnect", db().$disconnect());
  await bounded("teardown", iso?.teardown());
  await bounded("gemini stub", gemini?.close());
  await bounded("s3rver", s3?.destroy());
}, 120_000);

/** Captions Gemini was asked for (the paid calls). */
const captionCalls = () => gemini.requests.filter((r) => r.path.includes(":generateContent")).length;

const tempFiles = async () => (await readdir(path.join(iso.dataDir, "tmp")).catch(() => [])).sort();

async function startTheWorker() {
  worker ??= await startWorker({
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: iso.schema,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: iso.prefix,
    DATA_DIR: iso.dataDir,
    WORKER_CONCURRENCY: "2",
    ...s3.env(),
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_MODEL: "gemini-stub",
    GEMINI_BASE_URL: gemini.baseUrl,
    AI_PROVIDERS: "gemini,local",
  });
  return worker;
}

/**
 * How many attempts each photo's job spent (an outage waited out spends none), read once
 * BullMQ has recorded the job completed: the row says "done" a moment before the job
 * finishes (its attempt is counted then), so reading at once could see the last photo's
 * job still active with 0 attempts.
 */
async function attemptsOf(ids: string[]) {
  const jobs = () => Promise.all(ids.map(async (id) => (await getQueue("media-analysis").getJob(`analyze-${id}`))!));
  await waitFor("every photo's job to be recorded completed", async () => (await Promise.all((await jobs()).map((j) => j.isCompleted()))).every(Boolean), 10_000);
  return (await jobs()).map((j) => j.attemptsMade);
}

describe("storage outages during uploads", () => {
  beforeAll(() => {
    gemini.fallback = () => success("gemini", JSON.stringify({ caption: "A photo taken for a fault test.", tags: ["test", "photo"] }));
  });

  it("killed while the body arrives: 503 + Retry-After naming storage (not the job queue), nothing kept; /api/ready says storage refused", { timeout: 60_000 }, async () => {
    const rowsBefore = await db().media.count();
    const form = new Response(photoForm([{ name: "mid-body.jpg", bytes: await makeJpeg({ width: 1200, height: 900, seed: 7001 }) }]));
    const contentType = form.headers.get("content-type")!;
    const bytes = new Uint8Array(await form.arrayBuffer());
    const half = Math.floor(bytes.length / 2);
    let feed!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) });
    feed.enqueue(bytes.subarray(0, half));
    const answered = call(upload, { path: "/api/v1/media", method: "POST", cookie, body, headers: { "content-type": contentType } });

    // The first half is on its way to a temp file when storage goes away.
    await waitFor("the upload to be arriving", async () => (await tempFiles()).length > 0);
    await s3.crash();
    feed.enqueue(bytes.subarray(half));
    feed.close();

    const res = await answered;
    const answer = await res.json();
    console.log(`[fault:storage-mid-body] upload answered ${res.status}, Retry-After ${res.headers.get("retry-after")}: ${answer.error?.message}`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(answer.error).toEqual(STORAGE_DOWN);
    expect(await db().media.count()).toBe(rowsBefore);
    expect(await tempFiles()).toEqual([]);

    // The readiness probe gives the reason, like it does for Postgres and Redis.
    const probe = await call(ready, { path: "/api/ready" });
    const report = await probe.json();
    expect(probe.status).toBe(503);
    expect(report.failed).toEqual(["storage"]);
    expect(report.checks.storage).toMatchObject({ ok: false, error: "Storage refused the connection (is the S3 endpoint running?).", details: { reason: "refused" } });

    await s3.start();
    expect(await s3.keys("originals/")).toEqual([]);
    expect((await call(ready, { path: "/api/ready" })).status).toBe(200);
  });

  it("killed as the first original is written: 503 + Retry-After naming storage, and the written object is removed once storage is back", { timeout: 60_000 }, async () => {
    const rowsBefore = await db().media.count();
    await s3.crash();
    // s3rver stores the whole object, then dies before it answers.
    await s3.start({ crashOnPut: /^originals\// });
    const res = await call(upload, {
      path: "/api/v1/media",
      method: "POST",
      cookie,
      body: photoForm([{ name: "as-written.jpg", bytes: await makeJpeg({ width: 800, height: 600, seed: 7002 }) }]),
    });
    const answer = await res.json();
    await s3.exited();
    console.log(`[fault:storage-killed-writing] upload answered ${res.status}, Retry-After ${res.headers.get("retry-after")}: ${answer.error?.message}`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(answer.error).toEqual(STORAGE_DOWN);
    expect(await db().media.count()).toBe(rowsBefore);
    expect(await tempFiles()).toEqual([]);

    await s3.start();
    const upAt = Date.now();
    // The object s3rver kept had no row: the web process removes it once storage answers.
    await waitFor("the orphaned original to be removed", async () => (await s3.keys("originals/")).length === 0, 60_000, 200);
    console.log(`[fault:storage-killed-writing] leftover original removed ${Date.now() - upAt} ms after storage was back`);
  });

  it("killed right after the 202: every photo waits the outage out and finishes, no attempt spent, one caption each", { timeout: 180_000 }, async () => {
    const w = await startTheWorker();
    const paidBefore = captionCalls();
    const ids = await uploadBatch(cookie, await makeBatch(5, { width: 1600, height: 1200, seedBase: 7100 }), 1);
    await s3.crash();
    const downAt = Date.now();
    const atKill = await statusCounts(db(), ids);
    await sleep(OUTAGE_MS);
    const during = await statusCounts(db(), ids);
    await s3.start();
    const upAt = Date.now();
    await waitFor("the batch to finish after storage came back", async () => {
      const c = await statusCounts(db(), ids);
      return c.done + c.failed === ids.length;
    }, 120_000);
    const doneAt = Date.now();

    const pauses = w.output().split("\n").filter((l) => /storage unavailable; job paused/.test(l));
    console.log(
      `[fault:storage-after-202] at the kill ${JSON.stringify(atKill)}; after ${upAt - downAt} ms down ${JSON.stringify(during)}; ` +
        `batch done ${doneAt - upAt} ms after storage was back; ${pauses.length} pause(s) logged; ${captionCalls() - paidBefore} caption call(s)`,
    );
    expect(during.failed).toBe(0);
    expect(await statusCounts(db(), ids)).toEqual({ queued: 0, analysing: 0, done: 5, failed: 0 });
    expect(await attemptsOf(ids)).toEqual([1, 1, 1, 1, 1]);
    expect(captionCalls() - paidBefore).toBe(5);
    expect(pauses.length).toBeGreaterThan(0);
    const thumbs = await s3.keys("thumbs/");
    const shas = (await db().media.findMany({ where: { id: { in: ids } } })).map((m) => `thumbs/${m.sha256}.webp`);
    expect(thumbs).toEqual(expect.arrayContaining(shas));
  });

  it("killed as a thumbnail is written, after Gemini answered: the retry reuses the kept answer, so each photo is paid for once", { timeout: 180_000 }, async () => {
    const w = await startTheWorker();
    await s3.crash();
    // Originals go in fine; the first thumbnail (written after the caption) kills the store.
    await s3.start({ crashOnPut: /^thumbs\// });
    const paidBefore = captionCalls();
    // Held until all three are in, so the store dies at a thumbnail, not under an upload.
    const queue = getQueue("media-analysis");
    await queue.pause();
    const ids = await uploadBatch(cookie, await makeBatch(3, { width: 1200, height: 900, seedBase: 7200 }), 1);
    await queue.resume();
    await s3.exited();
    const downAt = Date.now();
    await sleep(OUTAGE_MS);
    const during = await statusCounts(db(), ids);
    await s3.start();
    const upAt = Date.now();
    await waitFor("the photos to finish after storage came back", async () => {
      const c = await statusCounts(db(), ids);
      return c.done + c.failed === ids.length;
    }, 120_000);

    const captions = captionCalls() - paidBefore;
    console.log(
      `[fault:storage-killed-at-thumbnail] down ${upAt - downAt} ms; while down ${JSON.stringify(during)}; ` +
        `done ${Date.now() - upAt} ms after storage was back; ${captions} caption call(s) for ${ids.length} photos`,
    );
    expect(await statusCounts(db(), ids)).toEqual({ queued: 0, analysing: 0, done: 3, failed: 0 });
    expect(await attemptsOf(ids)).toEqual([1, 1, 1]);
    expect(captions).toBe(3);
    const captioned = await db().media.findMany({ where: { id: { in: ids } }, include: { analysis: true } });
    expect(captioned.map((m) => m.analysis?.caption)).toEqual(ids.map(() => "A photo taken for a fault test."));
    expect(w.output()).toMatch(/storage unavailable; job paused/);
  });
});

describe("storage outages during episode uploads", () => {
  it("killed as the recording is written: 503 + Retry-After naming storage, no episode, and the written audio removed once storage is back", { timeout: 60_000 }, async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(await readFile(await makeTone(3, { format: "mp3" })))], { type: "audio/mpeg" }), "outage.mp3");
    const before = { episodes: await db().episode.count(), runs: await db().workflowRun.count() };
    await s3.crash();
    // s3rver stores the whole recording, then dies before it answers.
    await s3.start({ crashOnPut: /^podcasts\/.*\/source\./ });
    const res = await call(uploadEpisodes, { path: "/api/v1/episodes", method: "POST", cookie, body: form });
    const answer = await res.json();
    await s3.exited();
    console.log(`[fault:storage-killed-writing-audio] upload answered ${res.status}, Retry-After ${res.headers.get("retry-after")}: ${answer.error?.message}`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(answer.error).toEqual(STORAGE_DOWN);
    expect({ episodes: await db().episode.count(), runs: await db().workflowRun.count() }).toEqual(before);
    expect(await tempFiles()).toEqual([]);

    await s3.start();
    const upAt = Date.now();
    // The recording s3rver kept has no episode: the web process removes it once storage answers.
    await waitFor("the orphaned recording to be removed", async () => (await s3.keys("podcasts/")).length === 0, 60_000, 200);
    console.log(`[fault:storage-killed-writing-audio] leftover recording removed ${Date.now() - upAt} ms after storage was back`);
  });
});
