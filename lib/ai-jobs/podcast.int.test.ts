// generate_podcast without an AI key, end to end: the jobs API, the real worker in-process,
// real espeak-ng, and the podcast pipeline taking the speech as an episode for review.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getEpisode } from "@/app/api/v1/episodes/[id]/route";
import { db } from "@/lib/db";
import { ensureDefaultShow } from "@/lib/podcasts/shows";
import type { EpisodeDetail } from "@/lib/podcasts/view";
import { createRedis } from "@/lib/redis";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { storage } from "@/lib/storage/instance";
import { call, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { jobsClient, makeToken, type JobsClient } from "@/test/jobs";
import { waitFor } from "@/test/processes";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { generatedAudioKey, generatePodcast } from "./podcast";
import { closeFlowProducer } from "./queue";
import type { GeneratePodcastResult } from "./types";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let aliceCookie: string;
let bobCookie: string;
let alice: JobsClient;
let bob: JobsClient;

const TEXT = `Trains in the hills

The old mountain railway reopened this spring after three years of repairs. Volunteers rebuilt two bridges and laid new track through the pass.

On the first weekend more than four thousand people rode the line, and the café at the summit ran out of cake by noon.`;

beforeAll(async () => {
  iso = await isolate({
    AI_PROVIDERS: "local",
    APP_URL: "http://podcasts.test",
    RATE_LIMIT_BURST_SIZE: "100000",
    RATE_LIMIT_REQUESTS_PER_MINUTE: "1000000",
  });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 3, log: () => {} });
  aliceCookie = await signUp("alice@example.com");
  bobCookie = await signUp("bob@example.com");
  alice = jobsClient({ token: (await makeToken(aliceCookie)).token });
  bob = jobsClient({ token: (await makeToken(bobCookie)).token });
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([closeFlowProducer(), closeRateLimiter()]);
  await closeConnections(lockRedis);
  await iso?.teardown();
});

async function episode(cookie: string, id: string): Promise<{ status: number; body: EpisodeDetail }> {
  const res = await call(getEpisode, { path: `/api/v1/episodes/${id}`, cookie, params: { id } });
  return { status: res.status, body: res.status === 200 ? await res.json() : null };
}

describe("generate_podcast without an AI key", () => {
  it("reads the text aloud with espeak-ng and the speech becomes the owner's episode, analysed and waiting for review", { timeout: 180_000 }, async () => {
    const id = await alice.submit({ type: "generate_podcast", payload: { text: TEXT, voice: "en-gb" } });
    const job = await alice.waitFor(id, undefined, 60_000);
    expect(job).toMatchObject({ status: "completed", progress: 100, provider: "local:espeak-ng", error: null });
    const result = job.result as GeneratePodcastResult;
    expect(result).toEqual({ episodeId: expect.any(String), title: "Trains in the hills", durationSeconds: expect.any(Number) });
    // About 60 words at 160 a minute, with pauses: tens of seconds, not a blip.
    expect(result.durationSeconds).toBeGreaterThan(10);
    expect(result.durationSeconds).toBeLessThan(90);

    // The episode is Alice's, in her default show, and the pipeline analysed the speech.
    await waitFor("the episode to be ready for review", async () => (await episode(aliceCookie, result.episodeId)).body?.status === "ready_for_review", 120_000);
    const ep = (await episode(aliceCookie, result.episodeId)).body;
    expect(ep).toMatchObject({ id: result.episodeId, title: "Trains in the hills", status: "ready_for_review", canPublish: true, inFeed: false });
    expect(ep.durationSec).toBeGreaterThan(10);
    const row = await db().episode.findUniqueOrThrow({ where: { id: result.episodeId }, include: { show: true } });
    expect(row.show.ownerId).toBe(row.ownerId);
    expect((await db().user.findUniqueOrThrow({ where: { id: row.ownerId } })).email).toBe("alice@example.com");
    // Someone else sees nothing.
    expect((await episode(bobCookie, result.episodeId)).status).toBe(404);
    // The synthesized speech went in through the ingest path, under the job's own key.
    expect(row.ingestKey).toBe(generatedAudioKey(row.ownerId, id));
    expect(await storage().stat(row.sourceKey)).not.toBeNull();
  });

  it("a second attempt of the same job finds its episode instead of making another", { timeout: 60_000 }, async () => {
    const id = await alice.submit({ type: "generate_podcast", payload: { text: "A very short note about tea." } });
    const first = (await alice.waitFor(id, undefined, 60_000)).result as GeneratePodcastResult;
    const row = await db().job.findUniqueOrThrow({ where: { id } });
    // As if the worker died after the episode was made and the job ran again.
    const again = await generatePodcast({ text: "A very short note about tea." }, { db: db(), jobId: id, ownerId: row.ownerId });
    expect(again.result.episodeId).toBe(first.episodeId);
    expect(await db().episode.count({ where: { ownerId: row.ownerId, ingestKey: generatedAudioKey(row.ownerId, id) } })).toBe(1);
  });

  it("a show that is not the caller's fails the job readably, and no episode is made", { timeout: 60_000 }, async () => {
    const bobUser = await db().user.findUniqueOrThrow({ where: { email: "bob@example.com" } });
    const bobShow = await ensureDefaultShow(db(), bobUser, "http://podcasts.test");
    const before = await db().episode.count();
    for (const showId of [bobShow.id, randomUUID()]) {
      const job = await alice.waitFor(await alice.submit({ type: "generate_podcast", payload: { text: TEXT, showId } }));
      expect(job.status).toBe("failed");
      expect(job.error).toEqual({ code: "not_found", message: "That show was not found.", retryable: false });
      expect(job.attempts).toBe(1);
    }
    expect(await db().episode.count()).toBe(before);
    expect(await bob.list().then((r) => r.status)).toBe(200);
  });

  it("a text too long to read in 20 minutes, or an unknown voice, is refused naming the field", async () => {
    const long = Array.from({ length: 3_400 }, (_, i) => `word${i % 50}`).join(" ");
    const tooLong = await alice.waitFor(await alice.submit({ type: "generate_podcast", payload: { text: long } }));
    expect(tooLong).toMatchObject({ status: "failed", error: { code: "invalid_input", retryable: false } });
    expect(tooLong.error!.message).toMatch(/payload\.text.*20 minutes/);
    const voice = await alice.waitFor(await alice.submit({ type: "generate_podcast", payload: { text: TEXT, voice: "no-such-voice" } }));
    expect(voice).toMatchObject({ status: "failed", error: { code: "invalid_input" } });
    expect(voice.error!.message).toMatch(/payload\.voice.*no-such-voice/);
  });
});
