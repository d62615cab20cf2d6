// Scenario 10 — the AI jobs API (issue 11), each part beside a bare baseline in the same run:
//  1. POST /api/v1/jobs (summarize, a ~1 KB text, bearer token) at c=20 → 202, against the
//     bare node:http server doing a token SELECT, one INSERT and one BullMQ add. No worker.
//  2. Sustained local summarize: submitters POST jobs (8 at once, at most 200 unfinished)
//     for N seconds while one worker runs them with the local method; then the rest drains
//     and the rows are counted (every accepted job completed = 0 lost). Beside it the same
//     loop against the bare side: the bare server's POST /jobs, and a raw BullMQ Worker
//     doing UPDATE → the same summarize function → UPDATE on those rows (no Next.js, Prisma,
//     rate limit, live events or worker runtime).
//  3. GET /api/v1/jobs/:id of a completed job at c=1 against the bare SELECT.
//  4. 100 jobs held in "running" at once: the OpenAI-compatible provider (the real `openai`
//     SDK) points at a stub that holds every call 2 s; one worker with 100 AI-job slots; the
//     100 jobs are submitted while the queue is paused, then it is resumed and the Job table
//     is sampled every 50 ms for rows in "running". Beside it, the bare server and a raw
//     BullMQ Worker at concurrency 100 calling the same stub.
import { Queue, Worker } from "bullmq";
import type pg from "pg";
import { summarize } from "@/lib/ai-jobs/summarize";
import { load, type LoadResult } from "./lib/http-load";
import { startOpenAiStub } from "./lib/openai-stub";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { PORTS, type Stack } from "./lib/stack";
import { num, sleep } from "./lib/stats";

/** About 1 KB of plain English, twelve sentences: enough for the local TextRank to rank. */
export const TEXT = [
  "The city council met on Tuesday evening to discuss the new bicycle lanes on the harbour road.",
  "Residents had complained for months that delivery vans block the existing lane every morning.",
  "The transport department proposed a raised lane separated from traffic by a low kerb.",
  "Shop owners worried that the kerb would make deliveries slower and parking harder to find.",
  "A survey of four hundred households found that most would cycle more if the lane felt safe.",
  "The council also heard that accidents involving cyclists on the road doubled in two years.",
  "Engineers estimated the work at two million euros, mostly paid by a regional grant.",
  "Construction would take about five months and start after the summer festival.",
  "Several councillors asked for loading bays on side streets so vans need not stop on the lane.",
  "The department agreed to add six loading bays and to review them after a year.",
  "The motion passed by nine votes to four after a debate of nearly three hours.",
  "Work on the first section is expected to begin in September.",
].join(" ");

const jobBody = (text = TEXT) => JSON.stringify({ type: "summarize", payload: { text, length: "short" } });

const HELD = 100;
const HOLD_MS = 2_000;
const SUBMITTERS = 8;
const MAX_UNFINISHED = 200;
const WORKER_SLOTS = 8;
const GOAL_PER_HOUR = 50_000;

interface Counts {
  total: number;
  queued: number;
  running: number;
  completed: number;
  failed: number;
  canceled: number;
}

async function countJobs(sql: pg.Pool, since: Date, table = "Job"): Promise<Counts> {
  const { rows } = await sql.query(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE status = 'queued')::int AS queued,
            count(*) FILTER (WHERE status = 'running')::int AS running,
            count(*) FILTER (WHERE status = 'completed')::int AS completed,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status = 'canceled')::int AS canceled
       FROM "${table}" WHERE "createdAt" >= $1`,
    [since],
  );
  return rows[0] as Counts;
}

const finished = (c: Counts) => c.completed + c.failed + c.canceled;

/** Workers in these runs keep their concurrency fixed (the autoscaler, where present, is off). */
const FIXED = { WORKER_AUTOSCALE: "false", WORKER_MAX_CONCURRENCY: "256" };

async function postJob(stack: Stack, token: string, body: string): Promise<{ status: number; id?: string }> {
  const r = await fetch(`${stack.webUrl}/api/v1/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body,
  });
  const text = await r.text();
  if (r.status !== 202) return { status: r.status };
  return { status: r.status, id: (JSON.parse(text) as { job_id: string }).job_id };
}

// ---------------------------------------------------------------------------------------
// Sustained throughput

interface Throughput {
  seconds: number;
  accepted: number;
  refused: number;
  /** Completions inside the submission window, per hour. */
  perHour: number;
  /** Accepted requests per second during the window. */
  acceptedPerSecond: number;
  drainSeconds: number;
  final: Counts;
  lost: number;
  maxUnfinished: number;
}

/**
 * Keeps up to MAX_UNFINISHED jobs unfinished for `seconds` with SUBMITTERS loops of
 * `submit`, counting progress from `count`; then waits for the rest and counts the rows.
 */
async function sustain(opts: {
  seconds: number;
  submit: () => Promise<boolean>;
  count: () => Promise<Counts>;
  completedBetween: (from: Date, to: Date) => Promise<number>;
  log: (line: string) => void;
  label: string;
}): Promise<Throughput> {
  let accepted = 0;
  let refused = 0;
  let done = 0;
  let maxUnfinished = 0;
  let submitting = true;
  const windowStart = new Date();
  const deadline = Date.now() + opts.seconds * 1000;
  const poller = (async () => {
    let lastLog = Date.now();
    while (submitting) {
      done = finished(await opts.count());
      maxUnfinished = Math.max(maxUnfinished, accepted - done);
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        opts.log(`  ${opts.label}: ${accepted} accepted, ${done} finished`);
      }
      await sleep(200);
    }
  })();
  const loops = Array.from({ length: SUBMITTERS }, async () => {
    while (Date.now() < deadline) {
      if (accepted - done >= MAX_UNFINISHED) {
        await sleep(20);
        continue;
      }
      if (await opts.submit()) accepted++;
      else refused++;
    }
  });
  await Promise.all(loops);
  const windowEnd = new Date();
  submitting = false;
  await poller;
  const drainStart = Date.now();
  let final = await opts.count();
  while (finished(final) < accepted && Date.now() - drainStart < 180_000) {
    await sleep(200);
    final = await opts.count();
  }
  const windowSeconds = (windowEnd.getTime() - windowStart.getTime()) / 1000;
  const inWindow = await opts.completedBetween(windowStart, windowEnd);
  return {
    seconds: windowSeconds,
    accepted,
    refused,
    perHour: (inWindow / windowSeconds) * 3600,
    acceptedPerSecond: accepted / windowSeconds,
    drainSeconds: (Date.now() - drainStart) / 1000,
    final,
    lost: accepted - final.completed,
    maxUnfinished,
  };
}

/**
 * The bare side end to end: jobs POSTed to the bare node:http server (token SELECT, INSERT
 * into the same Job table, add to its own BullMQ queue), run by a raw BullMQ Worker here:
 * UPDATE → running, `work`, UPDATE → completed with the result. Nothing else on top.
 */
async function bareRig(stack: Stack, token: string, concurrency: number, work: () => Promise<unknown>) {
  const sql = stack.sql();
  const url = new URL(stack.env.REDIS_URL);
  const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
  // The baseline server's queue (see bench/lib/baseline-server.ts), under the app's prefix.
  const queue = new Queue("baseline-ai-jobs", { prefix: stack.prefix, connection });
  await queue.obliterate({ force: true }); // what the create benchmark left there
  const worker = new Worker(
    "baseline-ai-jobs",
    async (job) => {
      const id = (job.data as { jobId: string }).jobId;
      await sql.query(`UPDATE "Job" SET status = 'running', "startedAt" = now(), attempts = attempts + 1, "updatedAt" = now() WHERE id = $1`, [id]);
      const result = await work();
      await sql.query(`UPDATE "Job" SET status = 'completed', result = $2, progress = 100, "completedAt" = now(), "updatedAt" = now() WHERE id = $1`, [
        id,
        JSON.stringify(result),
      ]);
    },
    { prefix: stack.prefix, connection, concurrency },
  );
  await worker.waitUntilReady();
  return {
    queue,
    async submit(): Promise<boolean> {
      const r = await fetch(`${stack.baselineUrl}/jobs`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: jobBody() });
      await r.arrayBuffer();
      return r.status === 202;
    },
    count: (since: Date) => countJobs(sql, since),
    async completedBetween(since: Date, from: Date, to: Date) {
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM "Job" WHERE "createdAt" >= $1 AND "completedAt" BETWEEN $2 AND $3`, [since, from, to]);
      return rows[0].n as number;
    },
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

/**
 * Submits `count` jobs while the queue is paused, resumes it, and samples the Job table every
 * 50 ms until all have finished: the most rows in "running" at once, and the time from resume.
 */
async function holdMany(opts: { sql: pg.Pool; queue: Queue; count: number; submit: () => Promise<boolean>; inFlight: () => number }) {
  await opts.queue.pause();
  const since = new Date();
  let next = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < opts.count) {
        next++;
        if (!(await opts.submit())) refused++;
      }
    }),
  );
  let counts = await countJobs(opts.sql, since);
  let maxRunning = 0;
  let maxInFlight = 0;
  const began = performance.now();
  await opts.queue.resume();
  const deadline = Date.now() + 60_000;
  while (finished(counts) < opts.count - refused && Date.now() < deadline) {
    counts = await countJobs(opts.sql, since);
    maxRunning = Math.max(maxRunning, counts.running);
    maxInFlight = Math.max(maxInFlight, opts.inFlight());
    await sleep(50);
  }
  return { maxRunning, maxInFlight, seconds: (performance.now() - began) / 1000, final: counts, refused };
}

// ---------------------------------------------------------------------------------------

export const scenario: Scenario = {
  number: 10,
  id: "jobs-api",
  title: "AI jobs API",
  target: "POST p50 ≤ 10 ms, p99 ≤ 50 ms at c=20; GET p50 ≤ 5 ms; 100 running at once; ≥ 50,000 local summarize jobs/h, 0 lost",
  async run(ctx) {
    const { resources, quick, log } = ctx;
    const stack = await resources.stack();
    const sql = stack.sql();
    const token = await stack.apiToken();
    const bearer = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const body = Buffer.from(jobBody());
    const rows: Row[] = [];
    const notes: string[] = [];
    const data: Record<string, unknown> = { textBytes: Buffer.byteLength(TEXT) };
    await stack.clearQueues();

    // 1. Create at c=20 (no worker: acceptance only).
    const postSeconds = quick ? 5 : 15;
    const probe = await postJob(stack, token, body.toString());
    if (probe.status !== 202) throw new Error(`POST /api/v1/jobs answered ${probe.status}`);
    const ours = await load({ url: `${stack.webUrl}/api/v1/jobs`, method: "POST", connections: 20, seconds: postSeconds, headers: bearer, body });
    const bare = await load({ url: `${stack.baselineUrl}/jobs`, method: "POST", connections: 20, seconds: postSeconds, headers: bearer, body });
    for (const r of [ours, bare]) if (r.non2xx || r.errors) throw new Error(`POST c=20: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
    data.post = { ours, bare, seconds: postSeconds };
    rows.push({
      case: "POST /api/v1/jobs, c=20",
      unit: "ms",
      median: ours.p50,
      p99: ours.p99,
      n: ours.requests,
      baseline: `bare node:http + pg INSERT + queue add p50 ${num(bare.p50)} / p99 ${num(bare.p99)} ms`,
      ratio: `p50 ${num(ours.p50 / Math.max(bare.p50, 1))}× bare`,
      target: "p50 ≤ 10, p99 ≤ 50 ms",
      pass: ours.p50 <= 10 && ours.p99 <= 50,
      note: `${num(ours.rps)} vs ${num(bare.rps)} req/s`,
    });
    log(`  POST c=20: p50 ${ours.p50} / p99 ${ours.p99} ms (bare ${bare.p50} / ${bare.p99})`);
    // What piled up is nobody's work: later phases count only rows made after they start.
    await stack.clearQueues();

    // 2. Sustained local summarize.
    const seconds = Number(process.env.BENCH_JOBS_SECONDS ?? (quick ? 60 : 600));
    const worker = await stack.startWorker({ ...FIXED, JOB_QUEUE_WORKER_COUNT: String(WORKER_SLOTS) });
    const warm = await postJob(stack, token, body.toString());
    for (let i = 0; i < 200 && warm.id; i++) {
      const { rows: r } = await sql.query(`SELECT status FROM "Job" WHERE id = $1`, [warm.id]);
      if (r[0]?.status === "completed") break;
      await sleep(100);
    }
    const since = new Date();
    log(`  sustained local summarize for ${seconds} s…`);
    const sustained = await sustain({
      seconds,
      label: "Framecast",
      log,
      submit: async () => (await postJob(stack, token, body.toString())).status === 202,
      count: () => countJobs(sql, since),
      async completedBetween(from, to) {
        const { rows: r } = await sql.query(`SELECT count(*)::int AS n FROM "Job" WHERE "createdAt" >= $1 AND "completedAt" BETWEEN $2 AND $3`, [since, from, to]);
        return r[0].n as number;
      },
    });
    await worker.stop();
    const bareSeconds = Math.min(seconds, quick ? 30 : 120);
    const rig = await bareRig(stack, token, WORKER_SLOTS, () => summarize({ text: TEXT, length: "short" }));
    const bareSince = new Date();
    let bareSustained: Throughput;
    try {
      bareSustained = await sustain({
        seconds: bareSeconds,
        label: "bare",
        log,
        submit: rig.submit,
        count: () => rig.count(bareSince),
        completedBetween: (from, to) => rig.completedBetween(bareSince, from, to),
      });
    } finally {
      await rig.close();
    }
    data.sustained = { ours: sustained, bare: bareSustained, workerSlots: WORKER_SLOTS, submitters: SUBMITTERS, maxUnfinished: MAX_UNFINISHED };
    rows.push({
      case: `local summarize, sustained ${num(sustained.seconds)} s`,
      unit: "jobs/h",
      median: sustained.perHour,
      n: sustained.accepted,
      baseline: `bare BullMQ + pg, same summarize: ${num(bareSustained.perHour)} jobs/h (${num(bareSustained.seconds)} s)`,
      ratio: `${num((sustained.perHour / bareSustained.perHour) * 100)} % of bare`,
      target: "≥ 50,000 jobs/h, 0 lost",
      pass: sustained.perHour >= GOAL_PER_HOUR && sustained.lost === 0 && sustained.refused === 0,
      note:
        `${sustained.final.completed}/${sustained.accepted} completed, ${sustained.lost} lost, ${sustained.final.failed} failed, ${sustained.refused} refused; ` +
        `at most ${sustained.maxUnfinished} unfinished, drained in ${num(sustained.drainSeconds)} s` +
        (sustained.maxUnfinished < MAX_UNFINISHED / 2 ? " (the worker kept up: the API's acceptance rate set the pace)" : ""),
    });
    log(`  sustained: ${Math.round(sustained.perHour)} jobs/h, ${sustained.lost} lost (bare ${Math.round(bareSustained.perHour)} jobs/h)`);

    // 3. Read one completed job at c=1.
    const { rows: doneRows } = await sql.query(`SELECT id FROM "Job" WHERE status = 'completed' AND "createdAt" >= $1 LIMIT 1`, [since]);
    if (!doneRows[0]) throw new Error("no completed job to read");
    const id = doneRows[0].id as string;
    const readSeconds = quick ? 5 : 10;
    const oursGet = await load({ url: `${stack.webUrl}/api/v1/jobs/${id}`, connections: 1, seconds: readSeconds, headers: { authorization: `Bearer ${token}` } });
    const bareGet = await load({ url: `${stack.baselineUrl}/jobs/${id}`, connections: 1, seconds: readSeconds, headers: { authorization: `Bearer ${token}` } });
    for (const r of [oursGet, bareGet] as LoadResult[]) if (r.non2xx || r.errors) throw new Error(`GET c=1: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
    data.get = { ours: oursGet, bare: bareGet, seconds: readSeconds };
    rows.push({
      case: "GET /api/v1/jobs/:id (completed), c=1",
      unit: "ms",
      median: oursGet.p50,
      p99: oursGet.p99,
      n: oursGet.requests,
      baseline: `bare node:http + pg p50 ${num(bareGet.p50)} / p99 ${num(bareGet.p99)} ms`,
      ratio: `p50 ${num(oursGet.p50 / Math.max(bareGet.p50, 1))}× bare`,
      target: "p50 ≤ 5 ms",
      pass: oursGet.p50 <= 5,
      note: `${num(oursGet.rps)} vs ${num(bareGet.rps)} req/s`,
    });

    // 4. 100 jobs held in "running" by a provider that takes 2 s.
    const stub = await startOpenAiStub(PORTS.stub + 1, HOLD_MS);
    try {
      const held = await stack.startWorker({
        ...FIXED,
        JOB_QUEUE_WORKER_COUNT: String(HELD),
        AI_PROVIDERS: "openai,local",
        OPENAI_BASE_URL: stub.url,
        OPENAI_API_KEY: "bench-not-a-real-key",
        OPENAI_MODEL: "bench-stub",
        AI_MAX_CONCURRENT_REQUESTS: "1000",
      });
      // One job first: the worker's first call pays one-off costs (SDK, Prisma).
      const first = await postJob(stack, token, body.toString());
      for (let i = 0; i < 100 && first.id; i++) {
        const { rows: r } = await sql.query(`SELECT status FROM "Job" WHERE id = $1`, [first.id]);
        if (r[0]?.status === "completed") break;
        await sleep(100);
      }
      const appQueue = new Queue("ai-jobs", { prefix: stack.prefix, connection: { host: new URL(stack.env.REDIS_URL).hostname, port: Number(new URL(stack.env.REDIS_URL).port || 6379), maxRetriesPerRequest: null } });
      stub.reset();
      let ours: Awaited<ReturnType<typeof holdMany>>;
      try {
        ours = await holdMany({
          sql,
          queue: appQueue,
          count: HELD,
          submit: async () => (await postJob(stack, token, body.toString())).status === 202,
          inFlight: () => stub.inFlight,
        });
      } finally {
        await appQueue.resume().catch(() => {});
        await appQueue.close();
      }
      await held.stop();

      // Bare: raw BullMQ at concurrency 100, each job one fetch to the same stub.
      const rig = await bareRig(stack, token, HELD, async () => {
        const r = await fetch(`${stub.url}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "bench-stub", messages: [{ role: "user", content: TEXT }] }),
        });
        return r.json();
      });
      let bare: Awaited<ReturnType<typeof holdMany>>;
      try {
        stub.reset();
        bare = await holdMany({ sql, queue: rig.queue, count: HELD, submit: rig.submit, inFlight: () => stub.inFlight });
      } finally {
        await rig.close();
      }
      data.held = { ours, bare, holdMs: HOLD_MS, jobs: HELD };
      rows.push({
        case: `${HELD} jobs, provider holds each ${HOLD_MS / 1000} s: most in "running" at once`,
        unit: "jobs",
        median: ours.maxRunning,
        n: HELD,
        baseline: `bare BullMQ Worker, concurrency ${HELD}: ${bare.maxRunning} running, ${bare.maxInFlight} calls at once, all done in ${num(bare.seconds)} s`,
        target: `${HELD} running at once`,
        pass: ours.maxRunning >= HELD && ours.final.completed === HELD,
        note: `${ours.maxInFlight} provider calls at once; ${ours.final.completed}/${HELD} completed ${num(ours.seconds)} s after the queue was resumed`,
      });
      log(`  held: ${ours.maxRunning} running at once, ${ours.maxInFlight} calls in flight; bare ${bare.maxRunning} / ${bare.maxInFlight}`);
    } finally {
      await stub.close();
    }

    notes.push(
      `Summarize jobs carry a ${Buffer.byteLength(TEXT)}-byte English text (12 sentences), length "short"; bearer token with read+write scopes; the per-token rate limit is raised for the bench (it still runs on every request).`,
      `Sustained: ${SUBMITTERS} submitters POST while at most ${MAX_UNFINISHED} jobs are unfinished; one worker process with ${WORKER_SLOTS} AI-job slots runs the local method; jobs/h counts completions inside the submission window; lost = accepted − completed after the drain. The bare side runs ${num(bareSustained.seconds)} s.`,
      "autocannon and all submitters run on the same machine as the app; Postgres and Redis too.",
    );
    return { rows, notes, data };
  },
};
