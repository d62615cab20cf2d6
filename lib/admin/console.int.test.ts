// The operations console against real Postgres, Redis, storage and the real worker
// runtime: probes, metrics (web and worker), the Bull Board gate and its actions, the
// admin overview (counts, throughput, failed groups with photos, retry) and its live stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { GET as bullBoardGet, PUT as bullBoardPut } from "@/app/admin/queues/[[...path]]/route";
import { GET as adminThumbnail } from "@/app/api/admin/media/[id]/thumbnail/route";
import { GET as overviewGet } from "@/app/api/admin/overview/route";
import { GET as overviewStream } from "@/app/api/admin/overview/stream/route";
import { POST as adminRetry } from "@/app/api/admin/retry/route";
import { GET as health } from "@/app/api/health/route";
import { GET as metrics } from "@/app/api/metrics/route";
import { GET as ready } from "@/app/api/ready/route";
import { POST as upload } from "@/app/api/v1/media/route";
import { GET as mediaStream } from "@/app/api/v1/media/stream/route";
import { closeOverviewFeed } from "@/lib/admin/feed";
import type { Overview } from "@/lib/admin/overview";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { getQueue, queueNames } from "@/lib/jobs";
import { corruptJpeg, makeJpeg } from "@/test/test-images";
import type { MediaView } from "@/lib/media/view";
import { rootLogger } from "@/lib/log";
import { metricsRegistry } from "@/lib/metrics/registry";
import { bullConnection, createRedis } from "@/lib/redis";
import { call, photoForm, readSse, signUp } from "@/test/http";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { startMetricsServer, type MetricsServer } from "@/worker/metrics-server";
import { buildProcessors } from "@/worker/processors";
import { startWorkers, type WorkerRuntime } from "@/worker/runtime";
import { closeConnections, processorDeps } from "@/test/worker";

const TOKEN = "test-metrics-token-0123456789";
/** Ports this file may use for the worker's metrics server (the first free one). */
const WORKER_METRICS_PORTS = [9201, 9202, 9203, 9204, 9205];
const QUEUE = "media-analysis";

let iso: IsolatedEnv;
let runtime: WorkerRuntime;
let lockRedis: Redis;
let workerMetrics: MetricsServer | null;
let queueEvents: QueueEvents;
let admin: string;
let bob: string;
const workerLog: Record<string, unknown>[] = [];
let good: MediaView;
let broken: MediaView;

beforeAll(async () => {
  iso = await isolate({ METRICS_TOKEN: TOKEN });
  lockRedis = createRedis("lock");
  runtime = startWorkers(
    buildProcessors(processorDeps(lockRedis)),
    { concurrency: 2, log: (line) => workerLog.push(JSON.parse(line)) },
  );
  for (const port of WORKER_METRICS_PORTS) {
    workerMetrics = await startMetricsServer({ port, host: "127.0.0.1", token: TOKEN, registry: metricsRegistry(), logger: rootLogger() });
    if (workerMetrics) break;
  }
  queueEvents = new QueueEvents(QUEUE, { connection: bullConnection("events-subscribe"), prefix: env().QUEUE_PREFIX });
  await queueEvents.waitUntilReady();
  admin = await signUp("admin@example.com"); // the first account administers the instance
  bob = await signUp("bob@example.com");
});

afterAll(async () => {
  await closeOverviewFeed();
  await queueEvents?.close();
  await runtime?.close();
  await workerMetrics?.close();
  await closeConnections(lockRedis);
  await iso?.teardown();
});

async function uploadAndFinish(cookie: string, files: { name: string; bytes: Buffer }[]): Promise<MediaView[]> {
  const res = await call(upload, { path: "/api/v1/media", method: "POST", cookie, body: photoForm(files) });
  expect(res.status).toBe(202);
  const ids: string[] = (await res.json()).media.map((m: MediaView) => m.id);
  const messages = await readSse(await call(mediaStream, { path: `/api/v1/media/stream?ids=${ids.join(",")}`, cookie }));
  await jobsFinished(ids);
  return ids.map((id) => messages.filter((m) => m.event === "media" && (m.data as MediaView).id === id).at(-1)!.data as MediaView);
}

/**
 * Photos reach their final state in Postgres just before BullMQ moves their job to
 * completed or failed: wait for that too (waitUntilFinished checks, then listens).
 */
async function jobsFinished(mediaIds: string[]) {
  for (const id of mediaIds) {
    const job = await getQueue(QUEUE).getJob(`analyze-${id}`);
    await job?.waitUntilFinished(queueEvents).catch(() => {});
  }
}

const scrape = (token?: string) =>
  call(metrics, { path: "/api/metrics", headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The value of one sample line, e.g. metric('x_total{queue="a"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

const adminGet = async (path: string, cookie = admin) => call(bullBoardGet, { path, cookie });

describe("probes", () => {
  it("GET /api/health answers at once and echoes the caller's request id", async () => {
    const res = await call(health, { path: "/api/health", headers: { "x-request-id": "probe-42" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
    expect(res.headers.get("x-request-id")).toBe("probe-42");
    const fresh = await call(health, { path: "/api/health", headers: { "x-request-id": "not ok; evil\r\n" } });
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("GET /api/ready checks Postgres, Redis (noeviction) and storage", async () => {
    const res = await call(ready, { path: "/api/ready" });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: "ready", failed: [] });
    expect(body.checks.redis.details.maxmemoryPolicy).toBe("noeviction");
    expect(Object.keys(body.checks).sort()).toEqual(["postgres", "redis", "storage"]);
  });
});

describe("photos going through the queue", () => {
  it("one photo completes and a corrupt one fails", async () => {
    [good, broken] = await uploadAndFinish(bob, [
      { name: "harbour.jpg", bytes: await makeJpeg({ width: 900, height: 600, seed: 31 }) },
      { name: "broken.jpg", bytes: await corruptJpeg("truncated") },
    ]);
    expect(good.status).toBe("done");
    expect(broken.status).toBe("failed");
    // Worker log lines are JSON and carry the job id.
    const failedLine = workerLog.find((l) => l.msg === "job attempt failed");
    expect(failedLine).toMatchObject({ level: "warn", queue: QUEUE, jobId: `analyze-${broken.id}`, job: "analyze-media" });
  });
});

describe("metrics", () => {
  it("/api/metrics wants the bearer token", async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await none.json()).error.message).toMatch(/Authorization: Bearer/);
    expect((await scrape("wrong-token-wrong-token")).status).toBe(401);
  });

  it("/api/metrics shows queue depth by state, finished totals, uploads, SSE streams and event-loop lag", async () => {
    const res = await scrape(TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, `framecast_queue_jobs{queue="${QUEUE}",state="completed"}`)).toBe(1);
    expect(sample(text, `framecast_queue_jobs{queue="${QUEUE}",state="failed"}`)).toBe(1);
    expect(sample(text, `framecast_queue_jobs{queue="${QUEUE}",state="waiting"}`)).toBe(0);
    expect(sample(text, `framecast_queue_completed_total{queue="${QUEUE}"}`)).toBe(1);
    expect(sample(text, `framecast_queue_failed_total{queue="${QUEUE}"}`)).toBe(1);
    expect(sample(text, "framecast_upload_bytes_total")).toBeGreaterThan(1_000);
    expect(sample(text, `framecast_upload_files_total{result="accepted"}`)).toBe(2);
    expect(sample(text, `framecast_sse_streams_open{stream="media"}`)).toBe(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^framecast_http_requests_total\{method="POST",status="202"\} 1$/m);
  });

  it("the worker's /metrics counts each job by outcome, with durations, active jobs and utilisation", async () => {
    expect(workerMetrics).not.toBeNull();
    const base = `http://127.0.0.1:${workerMetrics!.port}`;
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const labels = `{queue="${QUEUE}",job="analyze-media"}`;
    expect(sample(text, `framecast_jobs_completed_total${labels}`)).toBe(1);
    expect(sample(text, `framecast_jobs_failed_total${labels}`)).toBe(1);
    expect(sample(text, `framecast_job_duration_seconds_count{queue="${QUEUE}",job="analyze-media",outcome="completed"}`)).toBe(1);
    expect(sample(text, `framecast_jobs_active{queue="${QUEUE}"}`)).toBe(0);
    expect(sample(text, `framecast_worker_concurrency{queue="${QUEUE}"}`)).toBe(2);
    expect(sample(text, `framecast_worker_utilisation_ratio{queue="${QUEUE}"}`)).toBe(0);
    expect(sample(text, `framecast_worker_busy_seconds_total{queue="${QUEUE}"}`)).toBeGreaterThan(0);
  });
});

describe("Bull Board at /admin/queues", () => {
  const paths = ["/admin/queues", "/admin/queues/api/queues", "/admin/queues/static/images/logo.svg"];

  it("sends anonymous visitors to the sign-in page, for the page, its API and its files", async () => {
    for (const path of paths) {
      const res = await call(bullBoardGet, { path });
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location")).toBe(`/signin?next=${encodeURIComponent(path)}`);
    }
    const put = await call(bullBoardPut, { path: `/admin/queues/api/queues/${QUEUE}/pause`, method: "PUT" });
    expect(put.status).toBe(303);
  });

  it("refuses signed-in people who are not admins with 403, and changes nothing", async () => {
    for (const path of paths) expect((await adminGet(path, bob)).status, path).toBe(403);
    expect((await (await adminGet("/admin/queues/api/queues", bob)).json()).error.code).toBe("forbidden");
    const put = await call(bullBoardPut, { path: `/admin/queues/api/queues/${QUEUE}/pause`, method: "PUT", cookie: bob });
    expect(put.status).toBe(403);
    expect(await getQueue(QUEUE).isPaused()).toBe(false);
  });

  it("shows admins the board, lists every queue of the catalogue with its jobs, and serves its files", async () => {
    const page = await adminGet("/admin/queues");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Framecast queues</title>");

    const api = await adminGet("/admin/queues/api/queues?activeQueue=media-analysis&status=failed&page=1");
    expect(api.status).toBe(200);
    const { queues } = await api.json();
    expect(queues.map((q: { name: string }) => q.name).sort()).toEqual([...queueNames].sort());
    const queue = queues.find((q: { name: string }) => q.name === QUEUE);
    expect(queue.counts).toMatchObject({ completed: 1, failed: 1 });
    expect(queue.jobs[0]).toMatchObject({ id: `analyze-${broken.id}`, failedReason: expect.stringMatching(/damaged or incomplete/) });

    const logo = await adminGet("/admin/queues/static/images/logo.svg");
    expect(logo.status).toBe(200);
    expect(logo.headers.get("content-type")).toMatch(/image\/svg\+xml/);
  });

  it("pauses and resumes a queue, and cleans a finished job", async () => {
    const put = (path: string) => call(bullBoardPut, { path: `/admin/queues/api/queues/${QUEUE}/${path}`, method: "PUT", cookie: admin });
    expect((await put("pause")).status).toBeLessThan(300);
    expect(await getQueue(QUEUE).isPaused()).toBe(true);
    expect((await put("resume")).status).toBeLessThan(300);
    expect(await getQueue(QUEUE).isPaused()).toBe(false);
    // (Cleaning a whole state spares jobs younger than Bull Board's 5 s grace; one job goes at once.)
    expect((await put(`analyze-${good.id}/clean`)).status).toBeLessThan(300);
    expect(await getQueue(QUEUE).getJobCounts("completed", "failed")).toEqual({ completed: 0, failed: 1 });
  });
});

describe("admin overview", () => {
  it("is for admins only", async () => {
    expect((await call(overviewGet, { path: "/api/admin/overview" })).status).toBe(401);
    expect((await call(overviewGet, { path: "/api/admin/overview", cookie: bob })).status).toBe(403);
    expect((await call(overviewStream, { path: "/api/admin/overview/stream", cookie: bob })).status).toBe(403);
    const retry = await call(adminRetry, { path: "/api/admin/retry", method: "POST", cookie: bob, body: JSON.stringify({ queue: QUEUE, jobId: "x" }) });
    expect(retry.status).toBe(403);
    expect((await call(adminThumbnail, { path: `/api/admin/media/${good.id}/thumbnail`, cookie: bob, params: { id: good.id } })).status).toBe(403);
  });

  it("shows counts, last hour's throughput and failed jobs grouped by message with their photo", async () => {
    const res = await call(overviewGet, { path: "/api/admin/overview", cookie: admin });
    expect(res.status).toBe(200);
    const overview: Overview = await res.json();
    expect(overview.queues.map((q) => q.name)).toEqual(queueNames);
    const queue = overview.queues.find((q) => q.name === QUEUE)!;
    expect(queue.counts).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 1 }); // completed were cleaned
    expect(queue.throughput.completed.total).toBe(1); // the chart keeps counting cleaned jobs
    expect(queue.throughput.failed.total).toBe(1);
    expect(queue.throughput.completed.points).toHaveLength(60);

    expect(overview.failed.groups).toHaveLength(1);
    const [group] = overview.failed.groups;
    expect(group).toMatchObject({ queue: QUEUE, count: 1, message: expect.stringMatching(/damaged or incomplete/) });
    expect(group.jobs[0]).toMatchObject({ id: `analyze-${broken.id}`, media: { id: broken.id, name: "broken.jpg", status: "failed" } });
  });

  it("lists each live worker with every queue's concurrency, and per job type the last hour's figures", async () => {
    await runtime.autoscaler.tick(); // report now rather than at the next sample
    const overview: Overview = await (await call(overviewGet, { path: "/api/admin/overview", cookie: admin })).json();
    const me = overview.workers.find((w) => w.id === runtime.id)!;
    expect(me).toMatchObject({ pid: process.pid, autoscale: false }); // given a fixed concurrency, it keeps it
    expect(me.queues.map((q) => q.queue)).toEqual(queueNames);
    expect(me.queues.find((q) => q.queue === QUEUE)).toMatchObject({ concurrency: 2, autoscaled: false, running: 0, lastChange: null });
    // The photos so far: one analysed, one corrupt (failed for good, no retry).
    const analyse = overview.jobTypes.find((t) => t.type === "analyze-media")!;
    expect(analyse).toMatchObject({ queue: QUEUE, source: "queue", completed: 1, failed: 1, failureRate: 0.5 });
    expect(analyse.p50Ms).toBeGreaterThan(0);
    expect(analyse.p95Ms).toBeGreaterThanOrEqual(analyse.p50Ms!);
  });

  it("shows a self-sizing worker's concurrency and why it last changed", async () => {
    const queue = "test-overview-backlog";
    const sizing = startWorkers(buildProcessors(processorDeps(lockRedis)), {
      log: () => {},
      extraQueues: [{ queue, process: () => new Promise((r) => setTimeout(r, 50)), concurrency: 1 }],
      autoscale: {
        enabled: true,
        queues: [queue],
        sampleMs: 100,
        cpuScope: "process",
        settings: { min: 1, max: 3, sustain: 1, cooldownMs: 0, cpuHigh: 1, memoryHigh: 1, headroom: 0, eventLoopHighMs: 60_000 },
      },
    });
    const jobs = new Queue(queue, { connection: bullConnection("queue"), prefix: env().QUEUE_PREFIX });
    try {
      await jobs.addBulk(Array.from({ length: 200 }, (_, i) => ({ name: "wait", data: { i } })));
      const worker = sizing.workers.find((w) => w.name === queue)!;
      await expect.poll(() => worker.concurrency, { timeout: 30_000 }).toBe(3);
      await sizing.autoscaler.tick();
      const overview: Overview = await (await call(overviewGet, { path: "/api/admin/overview", cookie: admin })).json();
      const entry = overview.workers.find((w) => w.id === sizing.id)!;
      expect(entry).toMatchObject({ autoscale: true, min: 1, max: 3 });
      expect(entry.load).toMatchObject({ cpu: expect.any(Number), memory: expect.any(Number) });
      expect(entry.queues.find((q) => q.queue === queue)).toMatchObject({
        concurrency: 3,
        autoscaled: true,
        lastChange: { from: 2, to: 3, reason: "backlog", at: expect.stringMatching(/^\d{4}-/) },
      });
      // The catalogue's queues of that worker were not listed for sizing: they keep theirs.
      expect(entry.queues.find((q) => q.queue === QUEUE)).toMatchObject({ autoscaled: false });
      expect(overview.workers.map((w) => w.id)).toContain(runtime.id);
    } finally {
      await jobs.obliterate({ force: true });
      await sizing.close();
      await jobs.close();
    }
    const after: Overview = await (await call(overviewGet, { path: "/api/admin/overview", cookie: admin })).json();
    expect(after.workers.map((w) => w.id)).not.toContain(sizing.id); // a stopped worker leaves at once
  });

  it("counts AI jobs per type from the Job table: throughput, failure rate, p50/p95", async () => {
    const owner = await db().user.findFirstOrThrow({ where: { email: "admin@example.com" } });
    const now = Date.now();
    const row = (type: string, status: "completed" | "failed", startAgoMs: number, runMs: number) => ({
      ownerId: owner.id,
      type,
      status,
      priority: 5,
      payload: {},
      startedAt: new Date(now - startAgoMs),
      completedAt: new Date(now - startAgoMs + runMs),
    });
    await db().job.createMany({
      data: [
        row("summarize", "completed", 60_000, 1_000),
        row("summarize", "completed", 30_000, 4_000),
        row("extract_content", "failed", 10_000, 500),
        row("summarize", "completed", 2 * 3600_000, 9_000), // finished two hours ago: not counted
      ],
    });
    const overview: Overview = await (await call(overviewGet, { path: "/api/admin/overview", cookie: admin })).json();
    const summarize = overview.jobTypes.find((t) => t.type === "summarize");
    expect(summarize).toEqual({ queue: "ai-jobs", type: "summarize", source: "jobs", completed: 2, failed: 0, retried: 0, failureRate: 0, p50Ms: 2_500, p95Ms: 3_850 });
    expect(overview.jobTypes.find((t) => t.type === "extract_content")).toMatchObject({ completed: 0, failed: 1, failureRate: 1, p50Ms: null });
    await db().job.deleteMany({});
  });

  it("serves admins any photo's thumbnail, and a preview of failed ones made from the original", async () => {
    const thumb = await call(adminThumbnail, { path: `/api/admin/media/${good.id}/thumbnail`, cookie: admin, params: { id: good.id } });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const preview = await call(adminThumbnail, { path: `/api/admin/media/${broken.id}/thumbnail`, cookie: admin, params: { id: broken.id } });
    expect(preview.status).toBe(200);
    expect(Buffer.from(await preview.arrayBuffer()).subarray(8, 12).toString()).toBe("WEBP");
  });

  it("retry puts a failed job back in the queue and shows its photo as queued again", async () => {
    const queue = getQueue(QUEUE);
    await queue.pause(); // so the job waits where we can see it
    try {
      const res = await call(adminRetry, {
        path: "/api/admin/retry",
        method: "POST",
        cookie: admin,
        body: JSON.stringify({ queue: QUEUE, jobId: `analyze-${broken.id}` }),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ retried: 1 });
      const job = await queue.getJob(`analyze-${broken.id}`);
      expect(await job!.getState()).toBe("waiting");
      expect(job!.attemptsMade).toBe(0);
      expect((await db().media.findUniqueOrThrow({ where: { id: broken.id } })).status).toBe("queued");
      const overview: Overview = await (await call(overviewGet, { path: "/api/admin/overview", cookie: admin })).json();
      expect(overview.queues[0].counts).toMatchObject({ waiting: 1, failed: 0 });
      expect(overview.failed.groups).toEqual([]);

      const again = await call(adminRetry, {
        path: "/api/admin/retry",
        method: "POST",
        cookie: admin,
        body: JSON.stringify({ queue: QUEUE, jobId: `analyze-${broken.id}` }),
      });
      expect(again.status).toBe(409);
    } finally {
      await queue.resume();
    }
    // Resumed, the corrupt photo fails again, for the same reason.
    const messages = await readSse(await call(mediaStream, { path: `/api/v1/media/stream?ids=${broken.id}`, cookie: bob }));
    await jobsFinished([broken.id]);
    expect((messages.at(-2)?.data as MediaView).status).toBe("failed");
  });

  it("retries a whole group by message", async () => {
    const [another] = await uploadAndFinish(bob, [{ name: "cut-off.jpg", bytes: await corruptJpeg("truncated") }]);
    expect(another.status).toBe("failed");
    const overview: Overview = await (await call(overviewGet, { path: "/api/admin/overview", cookie: admin })).json();
    const [group] = overview.failed.groups;
    expect(group.count).toBe(2);
    const queue = getQueue(QUEUE);
    await queue.pause();
    try {
      const res = await call(adminRetry, {
        path: "/api/admin/retry",
        method: "POST",
        cookie: admin,
        body: JSON.stringify({ queue: QUEUE, message: group.message }),
      });
      expect(await res.json()).toEqual({ retried: 2 });
      expect(await queue.getJobCounts("wait", "failed")).toEqual({ wait: 2, failed: 0 });
    } finally {
      await queue.resume();
    }
    await readSse(await call(mediaStream, { path: `/api/v1/media/stream?ids=${broken.id},${another.id}`, cookie: bob }));
    await jobsFinished([broken.id, another.id]);
  });

  it("the live stream pushes a new overview when a queue changes, without reloading", async () => {
    const controller = new AbortController();
    const res = await call(overviewStream, { path: "/api/admin/overview/stream", cookie: admin, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    let first: Overview | undefined;
    let uploaded = false;
    const seen = await readSse(res, (m) => {
      if (m.event !== "overview") return false;
      const overview = m.data as Overview;
      if (!first) {
        first = overview;
        // Something happens after the page opened: a new photo is processed.
        void (async () => {
          const open = await (await scrape(TOKEN)).text();
          expect(sample(open, `framecast_sse_streams_open{stream="admin"}`)).toBe(1);
          await uploadAndFinish(bob, [{ name: "late.jpg", bytes: await makeJpeg({ width: 400, height: 300, seed: 77 }) }]);
          uploaded = true;
        })();
        return false;
      }
      return overview.queues[0].throughput.completed.total > first.queues[0].throughput.completed.total;
    });
    controller.abort();
    expect(seen.filter((m) => m.event === "overview").length).toBeGreaterThanOrEqual(2);
    // Other queues (the maintenance queue) are listed too; this one is what changed.
    expect((seen.at(-1)!.data as Overview).queues.find((q) => q.name === QUEUE)).toMatchObject({ counts: { completed: 1 } });
    await expect.poll(() => uploaded).toBe(true);
  });
});
