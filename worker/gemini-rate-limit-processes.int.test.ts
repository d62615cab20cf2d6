// Gemini's 429 retryDelay holds every worker process, not only the one that read it (issue 13:
// a 429 asking for 3 s was followed by a re-send 0.3 s later). Two real worker processes
// (worker/index.ts, as `npm run worker` starts it) share only Redis and Postgres; the Gemini
// stand-in answers one caption request with 429 and retryDelay 3 s, more photos arrive for
// both processes, and the stand-in's request log shows nothing reached it from either until
// the delay had passed. worker/gemini-rate-limit.int.test.ts covers the other Gemini clients
// (the vlog writer) with two runtimes in one process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { getQueue } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { geminiJson, rateLimited, startAiStub, type AiStub } from "@/test/ai-stubs";
import { makeBatch, statusCounts, uploadBatch } from "@/test/batch";
import { signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { bounded, startWorker, waitFor, type Child } from "@/test/processes";
import { closeConnections } from "@/test/worker";

const DELAY_S = 3;

let iso: IsolatedEnv;
let stub: AiStub;
let cookie: string;
const workers: Child[] = [];

beforeAll(async () => {
  stub = await startAiStub("gemini");
  stub.fallback = () => geminiJson({ caption: "A red kite over a green hill.", tags: ["kite", "hill"] });
  const gemini = { GEMINI_API_KEY: "AIzaSy-stub-key-for-tests", GEMINI_MODEL: "gemini-stub", GEMINI_BASE_URL: stub.baseUrl };
  iso = await isolate(gemini);
  const vars = {
    ...gemini,
    DATABASE_URL: process.env.DATABASE_URL!,
    DATABASE_SCHEMA: iso.schema,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: iso.prefix,
    DATA_DIR: iso.dataDir,
    WORKER_CONCURRENCY: "2",
  };
  // One at a time: two workers starting at once on a busy machine only slow each other.
  for (const name of ["worker-a", "worker-b"]) workers.push(await startWorker(vars, { name }));
  cookie = await signUp("ratelimit-processes@example.com");
}, 240_000);

afterAll(async () => {
  await bounded("workers stop", Promise.all(workers.map((w) => w.stop(10_000))));
  await closeConnections();
  await stub?.close();
  await iso?.teardown();
}, 60_000);

/** Uploads photos (distinct bytes: no cached caption) and waits until every one is done. */
async function analysed(count: number, seedBase: number): Promise<string[]> {
  const ids = await uploadBatch(cookie, await makeBatch(count, { width: 480, height: 320, seedBase }));
  await waitFor(`${count} photo(s) analysed`, async () => (await statusCounts(db(), ids)).done === count, 120_000, 100);
  return ids;
}

/** The analysis jobs a worker process completed, from its own log ("job completed" lines). */
function completedBy(worker: Child, ids: string[]): string[] {
  return ids.filter((id) => new RegExp(`"jobId":"analyze-${id}"[^\\n]*"msg":"job completed"`).test(worker.output()));
}

describe("Gemini's retryDelay across worker processes", () => {
  it("holds every Gemini call of both processes until the delay has passed", { timeout: 240_000 }, async () => {
    // Both processes answer, and Gemini (the stand-in) captions.
    await analysed(1, 100);
    expect(stub.requests.length).toBeGreaterThan(0);

    // The next caption request is told to wait 3 s.
    const at429 = stub.requests.length;
    stub.reply(rateLimited("gemini", DELAY_S));
    const [limitedPhoto] = await uploadBatch(cookie, await makeBatch(1, { width: 480, height: 320, seedBase: 200 }));
    await waitFor("the 429 to be answered", async () => stub.requests[at429]?.endedAt, 60_000, 20);
    const limited = stub.requests[at429];
    // Recorded in Redis for every process, before more work arrives for both of them.
    const redis = createRedis("lock");
    try {
      await waitFor("Gemini's delay to be recorded", async () => (await redis.pttl(`${env().QUEUE_PREFIX}:ai:circuit:gemini:wait`)) > 0, 10_000, 20);
    } finally {
      await redis.quit();
    }
    const more = await uploadBatch(cookie, await makeBatch(6, { width: 480, height: 320, seedBase: 300 }));
    const all = [limitedPhoto, ...more];
    await waitFor("every photo analysed", async () => (await statusCounts(db(), all)).done === all.length, 120_000, 100);

    // The stand-in's log: the 429, then nothing from either process until the delay had passed.
    const after = stub.requests.slice(at429 + 1);
    expect(after.length).toBeGreaterThanOrEqual(all.length); // each photo's caption, the limited one re-sent
    const earliest = Math.min(...after.map((r) => r.at));
    expect(earliest - limited.endedAt!, "ms from the 429 to the next request Gemini received").toBeGreaterThanOrEqual(DELAY_S * 1000);

    // Both processes worked through the delay: each finished photos whose captions came after it
    // (their "job completed" and rate-limited "job attempt failed" log lines).
    // (A photo is done in Postgres a moment before its job's "completed" line is printed.)
    await waitFor("each job's completion in a worker's log", async () => workers.flatMap((w) => completedBy(w, all)).length === all.length, 10_000, 50);
    const [a, b] = workers.map((w) => completedBy(w, all));
    // A job held back is one the runtime delayed for a rate limit, whichever layer met the
    // wait first: the chain's circuit, or the gate in front of the request.
    const held = workers.map((w) => (w.output().match(/"kind":"rate_limited"[^\n]*"msg":"job attempt failed"/g) ?? []).length);
    console.log(
      `[gemini-rate-limit] first request ${earliest - limited.endedAt!} ms after the 429; photos finished by worker-a ${a.length}, worker-b ${b.length}; ` +
        `jobs held by the gate in worker-a ${held[0]}, worker-b ${held[1]}`,
    );
    expect(a.length, "worker-a finished some photos").toBeGreaterThan(0);
    expect(b.length, "worker-b finished some photos").toBeGreaterThan(0);
    expect(a.length + b.length).toBe(all.length);
    // And each met the wait before calling: the gate held jobs in both processes.
    expect(held.every((n) => n > 0), "both processes held a job at the gate").toBe(true);
    // Waiting spent no attempt: every job done on its first.
    const attempts = await Promise.all(all.map(async (id) => (await getQueue("media-analysis").getJob(`analyze-${id}`))?.attemptsMade));
    expect(attempts).toEqual(all.map(() => 1));
  });
});
