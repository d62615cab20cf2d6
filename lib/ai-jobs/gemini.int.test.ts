// The AI jobs API with a provider: the real @google/genai SDK against a Gemini stub on
// 127.0.0.1, the chain configured from the environment as in production (AI_PROVIDERS=
// gemini,local), the real worker in-process. Who answered, usage and cost; falling back to
// the local path; cancel while the provider is thinking; priorities with one worker slot;
// rate limits waited out without spending an attempt; a refusal failing at once.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAiChain, createCircuit, createGeminiTextProvider, DEFAULT_AI_PRICES } from "@/lib/ai";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { createRedis } from "@/lib/redis";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { badRequest, rateLimited, startAiStub, success, unavailable, type AiStub } from "@/test/ai-stubs";
import { BIKE_SHARE, SOURDOUGH } from "@/test/fixtures/articles";
import { POST as uploadMedia } from "@/app/api/v1/media/route";
import { call, photoForm, signUp } from "@/test/http";
import { makeJpeg } from "@/test/test-images";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { jobsClient, makeToken, type JobsClient } from "@/test/jobs";
import { sleep, waitFor } from "@/test/processes";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors, type ProcessorDeps } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import type { ProviderNote } from "./execute";
import { closeFlowProducer } from "./queue";
import type { SummarizeResult, ValidateSummaryResult } from "./types";

let iso: IsolatedEnv;
let stub: AiStub;
let runtime: WorkerRuntime | undefined;
let lockRedis: Redis;
let admin: JobsClient;
let alice: JobsClient;
let aliceCookie: string;

const SUMMARY = { summary: "Riverton's bike-share made 412,000 trips in its first year.", keyPoints: ["412,000 trips", "1,200 bicycles"] };

function start(concurrency: number, overrides: Partial<ProcessorDeps> = {}) {
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis, overrides)), { concurrency, log: () => {} });
}

async function stop() {
  await runtime?.close();
  runtime = undefined;
}

beforeAll(async () => {
  stub = await startAiStub("gemini");
  iso = await isolate({
    GEMINI_API_KEY: "test-key",
    GEMINI_BASE_URL: stub.baseUrl,
    AI_PROVIDERS: "gemini,local",
    AI_REQUEST_TIMEOUT: "5s",
    RATE_LIMIT_BURST_SIZE: "100000",
    RATE_LIMIT_REQUESTS_PER_MINUTE: "1000000",
  });
  lockRedis = createRedis("lock");
  admin = jobsClient({ cookie: await signUp("admin@example.com") });
  aliceCookie = await signUp("alice@example.com");
  alice = jobsClient({ token: (await makeToken(aliceCookie)).token });
});

afterAll(async () => {
  await stop();
  await Promise.all([closeFlowProducer(), closeRateLimiter()]);
  await closeConnections(lockRedis);
  await stub?.close();
  await iso?.teardown();
});

beforeEach(async () => {
  stub.reset();
  stub.fallback = () => success("gemini", JSON.stringify(SUMMARY), { input: 1_000, output: 200 });
  await createCircuit({ redis: lockRedis, prefix: iso.prefix, openMs: 0 }).reset("gemini");
});

describe("with Gemini configured", () => {
  beforeAll(() => start(2));
  afterAll(stop);

  it("summarize: Gemini's structured answer, who answered, tokens and cost", async () => {
    const job = await alice.waitFor(await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE, length: "short", language: "en" } }));
    expect(job.status).toBe("completed");
    expect(job.provider).toBe("gemini:gemini-2.5-flash");
    expect(job.result).toMatchObject({ summary: SUMMARY.summary, keyPoints: SUMMARY.keyPoints, method: "generative", language: "en" });
    const price = DEFAULT_AI_PRICES["gemini-2.5-flash"];
    expect(job.usage.inputTokens).toBe(1_000);
    expect(job.usage.outputTokens).toBe(200);
    expect(job.usage.costUsd).toBeCloseTo((1_000 * price.input + 200 * price.output) / 1e6, 10);
    // The SDK sent the text and asked for JSON.
    expect(stub.requests).toHaveLength(1);
    expect(JSON.stringify(stub.requests[0].body)).toContain("412,000 trips");
  });

  it("validate_summary: the judge's verdict", async () => {
    stub.reply(success("gemini", JSON.stringify({ score: 0.35, unsupportedClaims: ["The scheme closed."], coverage: 0.4 })));
    const job = await alice.waitFor(await alice.submit({ type: "validate_summary", payload: { text: BIKE_SHARE, summary: "The scheme closed." } }));
    expect(job.provider).toBe("gemini:gemini-2.5-flash");
    expect(job.result as ValidateSummaryResult).toMatchObject({ score: 0.35, faithful: false, unsupportedClaims: ["The scheme closed."], method: "judge" });
  });

  it("local-only types never call the provider", async () => {
    const job = await alice.waitFor(await alice.submit({ type: "extract_content", payload: { html: `<article><h1>Bikes</h1><p>${BIKE_SHARE}</p></article>` } }));
    expect(job).toMatchObject({ status: "completed", provider: "local" });
    expect(stub.requests).toHaveLength(0);
  });

  it("Gemini down (503): the local path answers, and the job says why Gemini was skipped", async () => {
    stub.fallback = () => unavailable("gemini");
    const job = await alice.waitFor(await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE, length: "short" } }));
    expect(job).toMatchObject({ status: "completed", provider: "local", attempts: 1 });
    expect((job.result as SummarizeResult).method).toBe("extractive");
    const notes = job.provider_notes as ProviderNote[];
    expect(notes).toContainEqual(expect.objectContaining({ provider: "gemini", kind: "transient" }));
    expect(notes.map((n) => n.reason).join(" ")).toMatch(/overloaded|503|unavailable/i);
  });

  it("an answer of the wrong shape: the local summary, the reason recorded, the tokens still counted", async () => {
    stub.reply(success("gemini", JSON.stringify({ headline: "Bikes" }), { input: 50, output: 9 }));
    const job = await alice.waitFor(await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } }));
    expect(job).toMatchObject({ status: "completed", provider: "local" });
    expect(job.provider_notes).toEqual([{ provider: "gemini:gemini-2.5-flash", kind: "fallback", reason: expect.stringMatching(/expected shape/) }]);
    expect(job.usage).toMatchObject({ inputTokens: 50, outputTokens: 9 });
  });

  it("a reply Gemini itself calls malformed: the provider is skipped and the local path answers", async () => {
    stub.reply(success("gemini", "Sure! Here is a summary of the text."));
    const job = await alice.waitFor(await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } }));
    expect(job).toMatchObject({ status: "completed", provider: "local" });
    expect(job.provider_notes).toEqual([
      { provider: "gemini", kind: "transient", reason: expect.stringMatching(/malformed/) },
      { provider: "local", kind: "fallback", reason: expect.stringMatching(/local method answered/) },
    ]);
  });

  it("cancel while Gemini is thinking: the request is aborted, the job stays canceled and is not retried", async () => {
    stub.reply("hang");
    const id = await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } });
    await waitFor("the provider to receive the request", async () => stub.inFlight === 1);
    expect((await alice.detail(id)).status).toBe("running");
    const aborted = stub.nextAbort();
    const res = await alice.cancel(id);
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe("canceled");
    const seen = await aborted;
    expect(seen.aborted).toBe(true);
    await sleep(1_500); // time for any retry to show up (the first backoff is 1 s)
    const job = await alice.detail(id);
    expect(job).toMatchObject({ status: "canceled", attempts: 1, result: null });
    expect(stub.requests).toHaveLength(1);
  });
});

describe("priorities with one worker slot", () => {
  beforeAll(() => start(1));
  afterAll(stop);

  it("a CRITICAL job queued behind 30 LOW ones finishes before all of them but the one running", async () => {
    // The first LOW job keeps the only slot busy while the rest, then the CRITICAL one, queue up.
    stub.reply({ ...success("gemini", JSON.stringify(SUMMARY)), delayMs: 3_000 });
    stub.fallback = () => ({ ...success("gemini", JSON.stringify(SUMMARY)), delayMs: 20 });
    const low = [await alice.submit({ type: "summarize", payload: { text: `0 ${BIKE_SHARE}` }, priority: 1 })];
    await waitFor("the first LOW job to be running", async () => stub.inFlight === 1);
    for (let i = 1; i < 30; i++) low.push(await alice.submit({ type: "summarize", payload: { text: `${i} ${BIKE_SHARE}` }, priority: 1 }));
    const res = await admin.create({ type: "summarize", payload: { text: SOURDOUGH }, priority: 10 });
    expect(res.status).toBe(202);
    const critical = (await res.json()).job_id as string;
    expect(await db().job.count({ where: { id: { in: low }, status: { not: "queued" } } })).toBe(1);

    const done = await admin.waitFor(critical, undefined, 60_000);
    expect(done.status).toBe("completed");
    await waitFor("the LOW jobs to finish", async () => (await db().job.count({ where: { id: { in: low }, status: "completed" } })) === 30, 60_000);
    const order = await db().job.findMany({ where: { id: { in: [...low, critical] } }, orderBy: { completedAt: "asc" }, select: { id: true } });
    expect(order.findIndex((j) => j.id === critical)).toBe(1);
    expect(order[0].id).toBe(low[0]);
  });
});

describe("photo analysis beside a queue of AI jobs", () => {
  beforeAll(() => start(1));
  afterAll(stop);

  it("a photo uploaded behind 20 queued AI jobs is analysed while they are still waiting", async () => {
    stub.fallback = () => ({ ...success("gemini", JSON.stringify(SUMMARY)), delayMs: 200 });
    const low: string[] = [];
    for (let i = 0; i < 20; i++) low.push(await alice.submit({ type: "summarize", payload: { text: `${i} ${BIKE_SHARE}` }, priority: 1 }));
    const upload = await call(uploadMedia, { path: "/api/v1/media", method: "POST", cookie: aliceCookie, body: photoForm([{ name: "p.jpg", bytes: await makeJpeg({ width: 640, height: 480, seed: 3 }) }]) });
    expect(upload.status).toBe(202);
    const mediaId = ((await upload.json()).media as { id: string }[])[0].id;
    await waitFor("the photo to be analysed", async () => (await db().media.findUnique({ where: { id: mediaId } }))?.status === "done", 30_000);
    // Its own queue and workers: the AI jobs ahead of it did not hold it up.
    expect(await db().job.count({ where: { id: { in: low }, status: "completed" } })).toBeLessThan(15);
    await waitFor("the AI jobs to finish", async () => (await db().job.count({ where: { id: { in: low }, status: "completed" } })) === 20, 60_000);
  });
});

describe("with Gemini as the only provider", () => {
  beforeAll(() => {
    const config = env();
    const gemini = createGeminiTextProvider({ apiKey: "test-key", baseUrl: stub.baseUrl, model: "gemini-2.5-flash", timeoutMs: 5_000, prices: DEFAULT_AI_PRICES });
    const chain = createAiChain({ providers: [gemini], redis: lockRedis, prefix: config.QUEUE_PREFIX, fallbackEnabled: true, circuitOpenMs: 0, maxConcurrent: 4 });
    start(2, { aiChain: chain });
  });
  afterAll(stop);

  it("a rate limit (429) is waited out without spending an attempt", async () => {
    stub.reply(rateLimited("gemini", 1));
    const id = await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } });
    const job = await alice.waitFor(id, undefined, 20_000);
    expect(job).toMatchObject({ status: "completed", provider: "gemini:gemini-2.5-flash", attempts: 1 });
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[1].at - stub.requests[0].at).toBeGreaterThanOrEqual(900);
  });

  it("a refusal (400) fails the job at once with a readable message", async () => {
    stub.fallback = () => badRequest("gemini", "Invalid request: the prompt was blocked.");
    const job = await alice.waitFor(await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } }));
    expect(job.status).toBe("failed");
    expect(job.attempts).toBe(1);
    expect(job.error).toMatchObject({ code: "provider_refused", retryable: false });
    expect(job.error!.message).toMatch(/^The AI provider refused this job: .*blocked/);
  });

  it("an outage is retried with backoff: 4 attempts in all, then failed as retryable", async () => {
    stub.fallback = () => unavailable("gemini");
    const job = await alice.waitFor(await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } }), undefined, 30_000);
    expect(job.status).toBe("failed");
    expect(job.attempts).toBe(4);
    expect(job.error).toMatchObject({ code: "provider_unavailable", retryable: true });
    const gaps = stub.requests.slice(1).map((r, i) => r.at - stub.requests[i].at);
    // 1 s → 2 s → 4 s (seed 003), give or take scheduling.
    expect(gaps.map((g) => Math.round(g / 1000))).toEqual([1, 2, 4]);
  });
});
