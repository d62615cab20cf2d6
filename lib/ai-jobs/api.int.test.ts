// The AI jobs API end to end on the local path (no AI key): the route handlers, the real
// worker runtime in-process, Postgres and Redis. Every type, batches, idempotency, paging,
// cancel and retry, and what another user sees (nothing).
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retryFailedJob } from "@/lib/admin/retry";
import { db } from "@/lib/db";
import { getQueue } from "@/lib/jobs";
import { createRedis } from "@/lib/redis";
import { closeRateLimiter } from "@/lib/security/rate-limit";
import { BIKE_SHARE, BIKE_SHARE_FOLLOW_UP, SOURDOUGH } from "@/test/fixtures/articles";
import { readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { jobsClient, makeToken, type JobsClient } from "@/test/jobs";
import { waitFor } from "@/test/processes";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { closeFlowProducer } from "./queue";
import { deleteExpiredJobs } from "./service";
import type { BatchProcessResult, ExtractContentResult, SummarizeResult } from "./types";
import type { JobView } from "./view";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let admin: JobsClient;
let alice: JobsClient;
let aliceSession: JobsClient;
let bob: JobsClient;
let pages: http.Server;
let pagesBase: string;

const ARTICLE_HTML = `<!doctype html><html lang="en"><head><title>Riverton bike-share doubles forecast</title></head><body>
<header><nav><a href="/">Home</a> · <a href="/news">News</a></nav></header>
<article><h1>Riverton bike-share doubles forecast</h1><p class="byline">By Dana Okafor</p>
${BIKE_SHARE.split("\n\n").map((p) => `<p>${p}</p>`).join("\n")}
</article><footer>© Riverton Herald</footer></body></html>`;

beforeAll(async () => {
  // A page server on loopback for `url` payloads; reachable only through the test setting.
  pages = http.createServer((req, res) => {
    const delay = req.url === "/slow" ? 1_500 : 0;
    setTimeout(() => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(ARTICLE_HTML), delay);
  });
  await new Promise<void>((r) => pages.listen(0, "127.0.0.1", r));
  pagesBase = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  iso = await isolate({
    AI_PROVIDERS: "local",
    AI_JOBS_ALLOW_PRIVATE_HOSTS: "true",
    RATE_LIMIT_BURST_SIZE: "100000",
    RATE_LIMIT_REQUESTS_PER_MINUTE: "1000000",
  });
  lockRedis = createRedis("lock");
  runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), { concurrency: 4, log: () => {} });
  const adminCookie = await signUp("admin@example.com"); // the first account is the admin
  const aliceCookie = await signUp("alice@example.com");
  const bobCookie = await signUp("bob@example.com");
  admin = jobsClient({ cookie: adminCookie });
  alice = jobsClient({ token: (await makeToken(aliceCookie)).token });
  aliceSession = jobsClient({ cookie: aliceCookie });
  bob = jobsClient({ token: (await makeToken(bobCookie)).token });
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([closeFlowProducer(), closeRateLimiter()]);
  await closeConnections(lockRedis);
  pages?.closeAllConnections();
  await new Promise((r) => pages?.close(r));
  await iso?.teardown();
});

describe("every job type on the local path", () => {
  it("summarize: 202 with the job id and its address, then an extractive summary from the text", async () => {
    const res = await alice.create({ type: "summarize", payload: { text: BIKE_SHARE, length: "short" } });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toEqual({ job_id: expect.any(String), status: "queued" });
    expect(res.headers.get("location")).toBe(`/api/v1/jobs/${body.job_id}`);

    const job = await alice.waitFor(body.job_id);
    expect(job).toMatchObject({ type: "summarize", status: "completed", progress: 100, priority: 7, attempts: 1, provider: "local", error: null });
    expect(job.usage).toEqual({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    const result = job.result as SummarizeResult;
    expect(result.method).toBe("extractive");
    // Whole sentences of the text, far shorter than it, and not just its opening.
    expect(result.summary.length).toBeLessThan(BIKE_SHARE.length / 2);
    expect(result.summary).not.toBe(BIKE_SHARE.slice(0, 300));
    for (const point of result.keyPoints) expect(BIKE_SHARE).toContain(point);
    expect(new Date(job.completed_at!).getTime()).toBeGreaterThanOrEqual(new Date(job.started_at!).getTime());
  });

  it("extract_content from HTML, then summarize that article by id in the seed's own request shape", async () => {
    const extract = await alice.waitFor(await alice.submit({ type: "extract_content", payload: { html: ARTICLE_HTML } }));
    expect(extract.status).toBe("completed");
    const article = extract.result as ExtractContentResult;
    expect(article.title).toBe("Riverton bike-share doubles forecast");
    expect(article.text).toContain("412,000 trips");
    expect(article.text).not.toContain("Home");

    const res = await alice.create({
      type: "summarize",
      payload: { article_id: extract.job_id, user_preferences: { length: "medium", language: "ja" } },
      priority: 7,
    });
    expect(res.status).toBe(202);
    const job = await alice.waitFor((await res.json()).job_id);
    expect(job.status).toBe("completed");
    // The local path cannot translate: the summary is the article's own sentences.
    expect((job.result as SummarizeResult).summary).toContain("412,000");
  });

  it("extract_content from a web page (url), fetched through the safe fetcher", async () => {
    const job = await alice.waitFor(await alice.submit({ type: "extract_content", payload: { url: `${pagesBase}/article` } }));
    expect(job.status).toBe("completed");
    expect(job.result).toMatchObject({ title: "Riverton bike-share doubles forecast", url: `${pagesBase}/article` });
  });

  it("validate_summary scores a faithful summary above an invented one", async () => {
    const faithful = await alice.submit({
      type: "validate_summary",
      payload: { text: BIKE_SHARE, summary: "Riders made 412,000 trips on the city's 1,200 bicycles in the scheme's first year." },
    });
    const invented = await alice.submit({
      type: "validate_summary",
      payload: { text: BIKE_SHARE, summary: "The council closed the bike-share scheme after 90,000 trips." },
    });
    const [a, b] = await Promise.all([alice.waitFor(faithful), alice.waitFor(invented)]);
    expect(a.result).toMatchObject({ faithful: true, method: "lexical" });
    expect(b.result).toMatchObject({ faithful: false });
    expect((a.result as { score: number }).score).toBeGreaterThan((b.result as { score: number }).score);
  });

  it("calculate_similarity: a pair's score and a matrix of several texts; defaults to LOW priority", async () => {
    const pair = await alice.waitFor(await alice.submit({ type: "calculate_similarity", payload: { a: BIKE_SHARE, b: BIKE_SHARE_FOLLOW_UP } }));
    expect(pair.priority).toBe(3);
    const score = (pair.result as { score: number }).score;
    const matrixJob = await alice.waitFor(
      await alice.submit({ type: "calculate_similarity", payload: { items: [BIKE_SHARE, BIKE_SHARE_FOLLOW_UP, SOURDOUGH] } }),
    );
    const { matrix } = matrixJob.result as { matrix: number[][] };
    expect(matrix.map((row) => row.length)).toEqual([3, 3, 3]);
    expect(matrix[0][0]).toBe(1);
    expect(score).toBeGreaterThan(0.2);
    // The two bike-share texts are closer to each other than either is to sourdough.
    expect(matrix[0][1]).toBeGreaterThan(matrix[0][2]);
    expect(matrix[1][0]).toBe(matrix[0][1]);
  });

  it("generate_podcast into a show that is not the caller's fails clearly, at once (the full path: podcast.int.test.ts)", async () => {
    const job = await alice.waitFor(await alice.submit({ type: "generate_podcast", payload: { text: BIKE_SHARE, showId: randomUUID() } }));
    expect(job.status).toBe("failed");
    expect(job.error).toEqual({ code: "not_found", message: "That show was not found.", retryable: false });
    // Permanent: not tried again.
    expect(job.attempts).toBe(1);
  });
});

describe("batches", () => {
  it("a batch of 20 with 3 failing jobs completes with every job's outcome; progress counts finished jobs", async () => {
    const jobs = Array.from({ length: 20 }, (_, i) =>
      [4, 11, 17].includes(i)
        ? { type: "extract_content", payload: { html: "<html><body><div></div></body></html>" } } // nothing readable
        : { type: "summarize", payload: { text: `${i}. ${BIKE_SHARE}`, length: "short" } },
    );
    const id = await alice.submit({ type: "batch_process", payload: { jobs } });
    const batch = await alice.waitFor(id, (j) => j.status === "completed", 60_000);
    const result = batch.result as BatchProcessResult;
    expect(result).toMatchObject({ total: 20, completed: 17, failed: 3, canceled: 0 });
    expect(result.children.map((c) => c.index)).toEqual([...Array(20).keys()]);
    expect(result.children.filter((c) => c.status === "failed").map((c) => c.index)).toEqual([4, 11, 17]);
    expect(result.children[4].error).toEqual({ code: "empty", message: expect.any(String) });
    expect((result.children[0].result as SummarizeResult).summary.length).toBeGreaterThan(0);
    expect(batch.progress).toBe(100);
    expect(batch.children).toHaveLength(20);

    // Its jobs ran at LOW priority, and the list shows the batch once, not its 20 jobs.
    const child = await alice.detail(result.children[0].job_id);
    expect(child).toMatchObject({ parent_id: id, priority: 3 });
    const listed = (await (await alice.list("?type=summarize&limit=100")).json()).jobs as { job_id: string }[];
    expect(listed.some((j) => j.job_id === child.job_id)).toBe(false);
  });

  it("refuses a batch inside a batch and names the bad job's field", async () => {
    const res = await alice.create({
      type: "batch_process",
      payload: { jobs: [{ type: "summarize", payload: { text: "x" } }, { type: "summarize", payload: { text: "y", length: "huge" } }] },
    });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(Object.keys(error.fields)).toEqual(["payload.jobs.1.payload.length"]);
  });
});

describe("requests that are refused", () => {
  it("422 names the field: unknown type, bad payload, unknown key, priority above the type's default", async () => {
    const cases: [unknown, string][] = [
      [{ type: "translate", payload: {} }, "type"],
      [{ type: "summarize", payload: { length: "short" } }, "payload.text"],
      [{ type: "summarize", payload: { text: "hello", lenght: "short" } }, "payload.lenght"],
      [{ type: "calculate_similarity", payload: { a: "x", b: "y" }, priority: 9 }, "priority"],
      [{ type: "summarize", payload: { text: "hello" }, priority: 10 }, "priority"],
      [{ type: "summarize", payload: { url: "ftp://example.com/file" } }, "payload.url"],
    ];
    for (const [body, field] of cases) {
      const res = await alice.create(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const { error } = await res.json();
      expect(error.code).toBe("invalid_input");
      expect(Object.keys(error.fields)).toContain(field);
    }
    expect((await alice.create("{not json")).status).toBe(400);
  });

  it("an admin may set CRITICAL; an article_id must be one of your extract_content jobs", async () => {
    const res = await admin.create({ type: "summarize", payload: { text: BIKE_SHARE }, priority: 10 });
    expect(res.status).toBe(202);
    expect((await admin.detail((await res.json()).job_id)).priority).toBe(10);

    const aliceSummary = await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } });
    for (const articleId of [aliceSummary, "00000000-0000-4000-8000-000000000000"]) {
      const bad = await alice.create({ type: "summarize", payload: { article_id: articleId } });
      expect(bad.status).toBe(422);
      expect(Object.keys((await bad.json()).error.fields)).toEqual(["payload.article_id"]);
    }
  });

  it("webhooks need an API token to be signed: a browser session's webhookUrl is refused", async () => {
    const res = await aliceSession.create({ type: "summarize", payload: { text: "Hello." }, webhookUrl: "https://example.com/hook" });
    expect(res.status).toBe(422);
    expect((await res.json()).error.fields.webhookUrl).toMatch(/API token/);
  });

  it("someone else's job answers exactly like a missing one", async () => {
    const id = await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } });
    await alice.waitFor(id);
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const target of [id, missing, "not-a-uuid"]) {
      for (const res of [await bob.get(target), await bob.cancel(target), await bob.retry(target)]) {
        expect(res.status).toBe(404);
        expect((await res.json()).error.code).toBe("not_found");
      }
    }
    const polled = await (await bob.list(`?ids=${id}`)).json();
    expect(polled.jobs).toEqual([]);
  });
});

describe("Idempotency-Key", () => {
  const body = { type: "summarize", payload: { text: SOURDOUGH, length: "short" } };

  it("the same key and request return the original job (200); a different request is a 409", async () => {
    const first = await alice.create(body, { "idempotency-key": "order-1" });
    expect(first.status).toBe(202);
    const { job_id } = await first.json();
    const again = await alice.create(body, { "idempotency-key": "order-1" });
    expect(again.status).toBe(200);
    expect((await again.json()).job_id).toBe(job_id);
    expect(again.headers.get("location")).toBe(`/api/v1/jobs/${job_id}`);
    // Same meaning, other spelling (key order, the default length spelled out): same request.
    const respelled = await alice.create({ payload: { length: "short", text: SOURDOUGH }, type: "summarize" }, { "idempotency-key": "order-1" });
    expect(respelled.status).toBe(200);

    const conflict = await alice.create({ ...body, payload: { text: SOURDOUGH, length: "long" } }, { "idempotency-key": "order-1" });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).error.code).toBe("idempotency_key_reused");
    // Keys are per user: Bob's "order-1" is his own.
    expect((await bob.create(body, { "idempotency-key": "order-1" })).status).toBe(202);
  });

  it("ten identical requests at once make exactly one job", async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => alice.create(body, { "idempotency-key": "race-1" })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    const ids = new Set(await Promise.all(answers.map(async (r) => (await r.json()).job_id)));
    expect(ids.size).toBe(1);
    expect(await db().job.count({ where: { idempotencyKey: "race-1" } })).toBe(1);
  });

  it("refuses a key that is not 1-255 visible characters", async () => {
    const res = await alice.create(body, { "idempotency-key": "x".repeat(300) });
    expect(res.status).toBe(422);
    expect(Object.keys((await res.json()).error.fields)).toEqual(["Idempotency-Key"]);
  });
});

describe("listing", () => {
  it("pages newest first without repeats, filters by status, type and since, and refuses bad parameters", async () => {
    const carol = jobsClient({ token: (await makeToken(await signUp("carol@example.com"))).token });
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push(await carol.submit({ type: i % 2 ? "validate_summary" : "summarize", payload: i % 2 ? { text: BIKE_SHARE, summary: "Riders made 412,000 trips." } : { text: `${i} ${SOURDOUGH}` } }));
    await Promise.all(made.map((id) => carol.waitFor(id)));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { jobs: { job_id: string }[]; next_cursor: string | null } = await (await carol.list(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`)).json();
      expect(page.jobs.length).toBeLessThanOrEqual(3);
      seen.push(...page.jobs.map((j) => j.job_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());

    const validations = (await (await carol.list("?type=validate_summary")).json()).jobs;
    expect(validations).toHaveLength(3);
    expect((await (await carol.list("?status=completed&limit=100")).json()).jobs).toHaveLength(7);
    expect((await (await carol.list("?status=failed")).json()).jobs).toHaveLength(0);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await (await carol.list(`?since=${encodeURIComponent(future)}`)).json()).jobs).toHaveLength(0);

    for (const [query, field] of [["?status=done", "status"], ["?limit=0", "limit"], ["?since=yesterday", "since"], ["?colour=red", "colour"]]) {
      const res = await carol.list(query);
      expect(res.status, query).toBe(422);
      expect(Object.keys((await res.json()).error.fields), query).toContain(field);
    }
    // Someone else's job id cannot position a page.
    const res = await carol.list(`?cursor=${made[0]}`);
    expect(res.status).toBe(200);
    const foreign = await bob.list(`?cursor=${made[0]}`);
    expect(foreign.status).toBe(422);

    // The polling fallback: the named jobs' current views.
    const polled = await (await carol.list(`?ids=${made.slice(0, 2).join(",")}`)).json();
    expect(polled.jobs.map((j: { job_id: string }) => j.job_id).sort()).toEqual(made.slice(0, 2).sort());
  });
});

describe("live progress", () => {
  it("the stream sends a snapshot, then every change of the job, and ends when it is finished", async () => {
    const queue = getQueue("ai-jobs");
    await queue.pause();
    let id: string;
    let res: Response;
    try {
      id = await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } });
      res = await alice.stream([id]);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
      expect(res.headers.get("ratelimit-limit")).toBeTruthy();
    } finally {
      await queue.resume();
    }
    const messages = await readSse(res);
    const views = messages.filter((m) => m.event === "job").map((m) => m.data as JobView);
    expect(views[0]).toMatchObject({ job_id: id, status: "queued" });
    expect(views.map((v) => v.status)).toContain("running");
    expect(views.at(-1)).toMatchObject({ status: "completed", progress: 100 });
    // Versions only grow: no stale event is sent after a newer one.
    expect(views.map((v) => v.version)).toEqual([...views.map((v) => v.version)].sort((a, b) => a - b));
    expect(messages.at(-1)!.event).toBe("end");
  });

  it("a page's extraction and a page's summary show their stages between start and finish", async () => {
    const queue = getQueue("ai-jobs");
    await queue.pause();
    let extract: string;
    let summary: string;
    let res: Response;
    try {
      extract = await alice.submit({ type: "extract_content", payload: { url: `${pagesBase}/slow` } });
      summary = await alice.submit({ type: "summarize", payload: { url: `${pagesBase}/article`, length: "short" } });
      res = await alice.stream([extract, summary]);
    } finally {
      await queue.resume();
    }
    const views = (await readSse(res)).filter((m) => m.event === "job").map((m) => m.data as JobView);
    const progressOf = (id: string) => views.filter((v) => v.job_id === id).map((v) => v.progress);
    // queued, running, the page has arrived and is being read, done.
    expect(progressOf(extract)).toEqual([0, 10, 50, 100]);
    // queued, running, fetched, article extracted (summarising), done.
    expect(progressOf(summary)).toEqual([0, 10, 30, 50, 100]);
    expect(views.filter((v) => v.progress === 100).map((v) => v.status)).toEqual(["completed", "completed"]);
  });

  it("a batch's stream shows its progress rising as its jobs finish", async () => {
    const id = await alice.submit({ type: "batch_process", payload: { jobs: [1, 2, 3, 4].map((i) => ({ type: "summarize", payload: { text: `${i} ${BIKE_SHARE}` } })) } });
    const views = (await readSse(await alice.stream([id]))).filter((m) => m.event === "job").map((m) => m.data as JobView);
    const progress = views.map((v) => v.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    expect(views.at(-1)!.status).toBe("completed");
  });

  it("someone else's job cannot be followed (404), by stream or by polling", async () => {
    const id = await alice.submit({ type: "summarize", payload: { text: "A short text." } });
    expect((await bob.stream([id])).status).toBe(404);
    expect((await (await bob.list(`?ids=${id}`)).json()).jobs).toEqual([]);
  });
});

describe("cancel and retry", () => {
  it("a queued job is canceled at once and taken off the queue; a finished one cannot be canceled", async () => {
    const queue = getQueue("ai-jobs");
    await queue.pause();
    try {
      const id = await alice.submit({ type: "summarize", payload: { text: BIKE_SHARE } });
      expect(await queue.getJob(`ai-${id}`)).toBeTruthy();
      const res = await alice.cancel(id);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ job_id: id, status: "canceled", error: { code: "canceled", retryable: false } });
      expect(await queue.getJob(`ai-${id}`)).toBeUndefined();
      const again = await alice.cancel(id);
      expect(again.status).toBe(409);
      expect((await again.json()).error.message).toMatch(/already been canceled/);
      expect((await alice.retry(id)).status).toBe(409);
    } finally {
      await queue.resume();
    }
    const done = await alice.waitFor(await alice.submit({ type: "summarize", payload: { text: "Short text." } }));
    const late = await alice.cancel(done.job_id);
    expect(late.status).toBe(409);
    expect((await late.json()).error.code).toBe("job_finished");
  });

  it("canceling a batch cancels its unfinished jobs", async () => {
    const queue = getQueue("ai-jobs");
    await queue.pause();
    let id: string;
    try {
      id = await alice.submit({ type: "batch_process", payload: { jobs: [1, 2, 3].map((i) => ({ type: "summarize", payload: { text: `${i} ${BIKE_SHARE}` } })) } });
      expect((await alice.cancel(id)).status).toBe(200);
    } finally {
      await queue.resume();
    }
    const batch = await alice.detail(id);
    expect(batch.status).toBe("canceled");
    expect(batch.children.map((c) => c.status)).toEqual(["canceled", "canceled", "canceled"]);
    // The flow's jobs still drain (as no-ops): nothing is left waiting in the queue.
    await waitFor("the canceled batch's flow to drain", async () => {
      const c = await queue.getJobCounts("wait", "prioritized", "waiting-children", "active");
      return c.wait + c.prioritized + c["waiting-children"] + c.active === 0;
    });
    expect((await alice.detail(id)).status).toBe("canceled");
  });

  it("a failed job runs again on retry as a fresh run: new start and finish times, no old error; its attempts add up", async () => {
    // The summary's article is still being fetched (a slow page) when the summary runs.
    const extract = await alice.submit({ type: "extract_content", payload: { url: `${pagesBase}/slow` } });
    await alice.waitFor(extract, (j) => j.status === "running");
    const summary = await alice.submit({ type: "summarize", payload: { article_id: extract } });
    const failed = await alice.waitFor(summary);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({ code: "article_not_ready", message: expect.stringMatching(/still|running|completed/) });

    expect(failed.started_at).not.toBeNull();
    expect(failed.completed_at).not.toBeNull();

    await alice.waitFor(extract, (j) => j.status === "completed");
    const retriedAt = Date.now();
    const res = await alice.retry(summary);
    expect(res.status).toBe(202);
    // Nothing of the failed run is left on the queued job but its attempt count.
    expect(await res.json()).toMatchObject({ status: "queued", progress: 0, error: null, result: null, provider: null, started_at: null, completed_at: null, attempts: 1 });
    const done = await alice.waitFor(summary);
    expect(done.status).toBe("completed");
    expect(done.attempts).toBe(2);
    // The run that completed is the one timed: it started after the retry, not at the failed run's start.
    expect(Date.parse(done.started_at!)).toBeGreaterThanOrEqual(retriedAt);
    expect(Date.parse(done.started_at!)).toBeGreaterThan(Date.parse(failed.completed_at!));
    expect(Date.parse(done.completed_at!)).toBeGreaterThanOrEqual(Date.parse(done.started_at!));
    expect((done.result as SummarizeResult).summary).toContain("412,000");
    expect((await alice.retry(summary)).status).toBe(409);
  });
});

describe("the operations console", () => {
  it("an admin retrying a failed ai-job puts the job back to queued, and it runs again", async () => {
    const id = await alice.submit({ type: "generate_podcast", payload: { text: BIKE_SHARE, showId: randomUUID() } });
    expect((await alice.waitFor(id)).status).toBe("failed");
    await waitFor("BullMQ to hold the failed job", async () => (await getQueue("ai-jobs").getJob(`ai-${id}`))?.isFailed());
    await retryFailedJob("ai-jobs", `ai-${id}`);
    const again = await alice.waitFor(id, (j) => j.status === "failed" && j.attempts === 2);
    expect(again.error).toMatchObject({ code: "not_found" });
  });
});

describe("access", () => {
  it("a read-only token may read but not create, cancel or retry; no credentials is a 401", async () => {
    const reader = jobsClient({ token: (await makeToken(await signUp("reader@example.com"), ["read"])).token });
    expect((await reader.list()).status).toBe(200);
    const res = await reader.create({ type: "summarize", payload: { text: "Hello." } });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("insufficient_scope");
    const anon = jobsClient({ cookie: "fc_session=nothing" });
    expect((await anon.list()).status).toBe(401);
  });
});

describe("retention", () => {
  it("deletes finished jobs past JOB_RETENTION_DAYS, batch jobs with their batch, and keeps the rest", async () => {
    const dave = jobsClient({ token: (await makeToken(await signUp("dave@example.com"))).token });
    const done = await dave.waitFor(await dave.submit({ type: "summarize", payload: { text: "Short text to keep briefly." } }));
    const in31Days = new Date(Date.now() + 31 * 24 * 3600 * 1000);
    expect(await deleteExpiredJobs(db(), 30, new Date())).toBe(0);
    const deleted = await deleteExpiredJobs(db(), 30, in31Days);
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect((await dave.get(done.job_id)).status).toBe(404);
  });
});
