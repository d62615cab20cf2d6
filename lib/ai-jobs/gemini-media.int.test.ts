// Gemini's embeddings and speech in the AI jobs, through the real @google/genai SDK against
// the Gemini stub on 127.0.0.1 (AI_PROVIDERS=gemini,local, the real worker in-process):
// calculate_similarity of texts by embedContent vectors and their cosine, generate_podcast
// read aloud by Gemini TTS (inline 24 kHz PCM) into an episode — and the local paths
// (TF-IDF, espeak-ng) when Gemini cannot answer. Progress as a watcher sees it.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCircuit, DEFAULT_AI_PRICES } from "@/lib/ai";
import { db } from "@/lib/db";
import { getQueue } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { storage } from "@/lib/storage/instance";
import { embedTexts, speechAnswer, speechRequest, startAiStub, stubEmbedding, unavailable, type AiStub } from "@/test/ai-stubs";
import { BIKE_SHARE, BIKE_SHARE_FOLLOW_UP, SOURDOUGH } from "@/test/fixtures/articles";
import { readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { jobsClient, makeToken, type JobsClient } from "@/test/jobs";
import { waitFor } from "@/test/processes";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import type { ProviderNote } from "./execute";
import { generatedAudioKey } from "./podcast";
import { closeFlowProducer } from "./queue";
import { denseCosine } from "./similarity";
import type { GeneratePodcastResult } from "./types";
import type { JobView } from "./view";

let iso: IsolatedEnv;
let stub: AiStub;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let alice: JobsClient;

const round = (x: number) => Math.round(x * 10_000) / 10_000;

const EPISODE_TEXT = `Trains in the hills

The old mountain railway reopened this spring after three years of repairs. Volunteers rebuilt two bridges and laid new track through the pass.

On the first weekend more than four thousand people rode the line, and the café at the summit ran out of cake by noon.`;

beforeAll(async () => {
  stub = await startAiStub("gemini");
  iso = await isolate({
    GEMINI_API_KEY: "test-key",
    GEMINI_BASE_URL: stub.baseUrl,
    AI_PROVIDERS: "gemini,local",
    AI_REQUEST_TIMEOUT: "5s",
    APP_URL: "http://podcasts.test",
    RATE_LIMIT_BURST_SIZE: "100000",
    RATE_LIMIT_REQUESTS_PER_MINUTE: "1000000",
  });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 2, log: () => {} });
  alice = jobsClient({ token: (await makeToken(await signUp("alice@example.com"))).token });
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([closeFlowProducer(), closeRateLimiter()]);
  await closeConnections(lockRedis);
  await stub?.close();
  await iso?.teardown();
});

beforeEach(async () => {
  stub.reset();
  await createCircuit({ redis: lockRedis, prefix: iso.prefix, openMs: 0 }).reset("gemini");
});

/** Submits while the queue is paused, opens the stream, resumes: the watcher sees every change. */
async function watch(body: unknown): Promise<{ id: string; views: JobView[] }> {
  const queue = getQueue("ai-jobs");
  await queue.pause();
  let id: string;
  let res: Response;
  try {
    id = await alice.submit(body);
    res = await alice.stream([id]);
  } finally {
    await queue.resume();
  }
  const views = (await readSse(res)).filter((m) => m.event === "job").map((m) => m.data as JobView);
  return { id, views };
}

describe("calculate_similarity with Gemini's text embeddings", () => {
  it("compares texts by the cosine of the vectors Gemini returned, and records who answered, tokens and cost", async () => {
    const items = [BIKE_SHARE, BIKE_SHARE_FOLLOW_UP, SOURDOUGH];
    const job = await alice.waitFor(await alice.submit({ type: "calculate_similarity", payload: { items } }));
    expect(job).toMatchObject({ status: "completed", provider: "gemini:gemini-embedding-001", error: null });
    const { matrix, method } = job.result as { matrix: number[][]; method: string };
    expect(method).toBe("embeddings");
    // The matrix is made of the stub's vectors: Gemini's answer, not TF-IDF.
    const vectors = items.map(stubEmbedding);
    expect(matrix).toEqual(items.map((_, i) => items.map((__, j) => (i === j ? 1 : round(denseCosine(vectors[i], vectors[j]))))));
    expect(matrix[0][1]).toBeGreaterThan(matrix[0][2]);
    // One batchEmbedContents call through the SDK, with the key and every text.
    const calls = stub.requests.filter((r) => embedTexts(r));
    expect(calls).toHaveLength(1);
    expect(calls[0].path).toMatch(/^\/v1beta\/models\/gemini-embedding-001:batchEmbedContents/);
    expect(calls[0].headers["x-goog-api-key"]).toBe("test-key");
    expect(embedTexts(calls[0])).toEqual(items);
    // Gemini reports no tokens for embeddings: estimated at 4 characters a token, priced as such.
    const tokens = Math.ceil(items.join("").length / 4);
    expect(job.usage.inputTokens).toBe(tokens);
    // Costs are kept to a millionth of a dollar.
    expect(job.usage.costUsd).toBeCloseTo((tokens * DEFAULT_AI_PRICES["gemini-embedding-001"].input) / 1e6, 6);
  });

  it("a pair of identical texts scores 1", async () => {
    const job = await alice.waitFor(await alice.submit({ type: "calculate_similarity", payload: { a: SOURDOUGH, b: SOURDOUGH } }));
    expect(job.result).toEqual({ score: 1, method: "embeddings" });
    expect(job.provider).toBe("gemini:gemini-embedding-001");
  });

  it("many items are embedded in several calls, and a watcher sees the progress move between them", async () => {
    const items = Array.from({ length: 45 }, (_, i) => `${i} ${[BIKE_SHARE, SOURDOUGH][i % 2].slice(0, 400)}`);
    const { id, views } = await watch({ type: "calculate_similarity", payload: { items } });
    // queued, running, 20 of 45 embedded, 40 of 45, all 45, done.
    expect(views.map((v) => v.progress)).toEqual([0, 10, 45, 81, 90, 100]);
    expect(views.at(-1)).toMatchObject({ job_id: id, status: "completed" });
    expect(stub.requests.filter((r) => embedTexts(r)).map((r) => embedTexts(r)!.length)).toEqual([20, 20, 5]);
  });

  it("Gemini down (503): TF-IDF answers, and the job says why Gemini was skipped", async () => {
    stub.embed = () => unavailable("gemini");
    const job = await alice.waitFor(await alice.submit({ type: "calculate_similarity", payload: { a: BIKE_SHARE, b: BIKE_SHARE_FOLLOW_UP } }));
    expect(job).toMatchObject({ status: "completed", provider: "local", attempts: 1 });
    expect(job.result).toMatchObject({ method: "tfidf" });
    const notes = job.provider_notes as ProviderNote[];
    expect(notes).toContainEqual(expect.objectContaining({ provider: "gemini", kind: "transient" }));
    expect(notes).toContainEqual(expect.objectContaining({ provider: "local", kind: "fallback" }));
    expect(job.usage).toEqual({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
  });
});

/** Sample rate and length of an episode's source WAV (its header: mono 16-bit PCM), once its run has taken it in. */
async function wavInfo(key: string): Promise<{ sampleRate: number; seconds: number }> {
  await waitFor(`the episode's source audio at ${key}`, async () => (await storage().stat(key)) !== null, 60_000);
  const wav = await storage().getBuffer(key);
  expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
  return { sampleRate: wav.readUInt32LE(24), seconds: (wav.length - 44) / wav.readUInt32LE(28) };
}

describe("generate_podcast with Gemini TTS", () => {
  it("Gemini reads the script aloud (24 kHz PCM); the speech becomes the owner's episode, and the job says who spoke and what it cost", async () => {
    const job = await alice.waitFor(await alice.submit({ type: "generate_podcast", payload: { text: EPISODE_TEXT, voice: "Puck" } }), undefined, 60_000);
    expect(job).toMatchObject({ status: "completed", progress: 100, provider: "gemini:gemini-2.5-flash-preview-tts", error: null });
    // The SDK asked for AUDIO in the named voice, with the whole script (title first).
    const spoken = stub.requests.map(speechRequest).filter((r) => r !== null);
    expect(spoken).toHaveLength(1);
    expect(spoken[0]).toMatchObject({ model: "gemini-2.5-flash-preview-tts", voice: "Puck" });
    expect(spoken[0]!.text).toMatch(/^Trains in the hills\.\n\nThe old mountain railway/);
    // The stub's tone lasts 1 s + 0.1 s a word: that is the episode's audio, at Gemini's 24 kHz (espeak-ng writes 22,050 Hz).
    const words = spoken[0]!.text.split(/\s+/).filter(Boolean).length;
    const result = job.result as GeneratePodcastResult;
    expect(result.durationSeconds).toBeCloseTo(1 + words / 10, 1);
    const episode = await db().episode.findUniqueOrThrow({ where: { id: result.episodeId } });
    expect(episode.ingestKey).toBe(generatedAudioKey(episode.ownerId, job.job_id));
    const audio = await wavInfo(episode.sourceKey);
    expect(audio.sampleRate).toBe(24_000);
    expect(audio.seconds).toBeCloseTo(1 + words / 10, 2);
    // Text tokens in, audio tokens out, priced as Gemini TTS.
    const price = DEFAULT_AI_PRICES["gemini-2.5-flash-preview-tts"];
    const audioTokens = Math.round((1 + words / 10) * 32);
    expect(job.usage).toMatchObject({ inputTokens: words, outputTokens: audioTokens });
    expect(job.usage.costUsd).toBeCloseTo((words * price.input + audioTokens * price.output) / 1e6, 6);
  });

  it("a long script is read in pieces, and a watcher sees the speech progress piece by piece", async () => {
    stub.speech = (text) => speechAnswer(text, 0.5);
    const paragraphs = Array.from({ length: 9 }, (_, i) => `Part ${i + 1}. ${"The hill railway carried walkers, cyclists and school groups up the pass every morning. ".repeat(8)}`);
    const { views } = await watch({ type: "generate_podcast", payload: { text: `Hill railway notes\n\n${paragraphs.join("\n\n")}` } });
    const pieces = stub.requests.map(speechRequest).filter((r) => r !== null);
    expect(pieces.length).toBe(3);
    // queued, running, script (20), each of 3 pieces (33, 46, 60), stored (80), done.
    expect(views.map((v) => v.progress)).toEqual([0, 10, 20, 33, 46, 60, 80, 100]);
    expect(views.at(-1)).toMatchObject({ status: "completed", provider: "gemini:gemini-2.5-flash-preview-tts" });
    // The pieces are joined in order into one episode of their combined length.
    expect((views.at(-1)!.result as GeneratePodcastResult).durationSeconds).toBeCloseTo(1.5, 1);
  });

  it("Gemini TTS down (503): espeak-ng reads the script instead, and the job says why", async () => {
    stub.speech = () => unavailable("gemini");
    const job = await alice.waitFor(await alice.submit({ type: "generate_podcast", payload: { text: EPISODE_TEXT } }), undefined, 60_000);
    expect(job).toMatchObject({ status: "completed", provider: "local:espeak-ng", attempts: 1 });
    const notes = job.provider_notes as ProviderNote[];
    expect(notes).toContainEqual(expect.objectContaining({ provider: "gemini", kind: "transient" }));
    expect(notes).toContainEqual(expect.objectContaining({ provider: "local", kind: "fallback" }));
    const episode = await db().episode.findUniqueOrThrow({ where: { id: (job.result as GeneratePodcastResult).episodeId } });
    expect((await wavInfo(episode.sourceKey)).sampleRate).toBe(22_050);
  });
});
