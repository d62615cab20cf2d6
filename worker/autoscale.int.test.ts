// Workers that size themselves, in the real runtime against real Redis: a job type that burns
// every core makes a queue's concurrency drop (even with jobs waiting), and a backlog of
// cheap jobs that wait on I/O (an AI call) makes it rise to the maximum, then settle back once
// the queue is empty. Asserts the concurrency values the worker went through and reported,
// not how fast: the machine may be shared. The test job types exist only here, given to the
// runtime as extra queues.
import { Worker as Thread } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { readWorkerReports } from "@/lib/jobs/worker-reports";
import { metricsRegistry } from "@/lib/metrics/registry";
import { bullConnection, createRedis } from "@/lib/redis";
import { isolate, type IsolatedEnv } from "@/test/integration";
import { closeConnections, processorDeps } from "@/test/worker";
import { buildProcessors } from "./processors";
import { startWorkers, type WorkerOptions, type WorkerRuntime } from "./runtime";

let iso: IsolatedEnv;
let lockRedis: Redis;
const queues: Queue[] = [];
const runtimes: WorkerRuntime[] = [];

beforeAll(async () => {
  // Changes are logged at info; this file's runtimes write their lines to the test, not stdout.
  iso = await isolate({ LOG_LEVEL: "info" });
  lockRedis = createRedis("lock");
});

afterAll(async () => {
  await Promise.all(queues.map((q) => q.obliterate({ force: true }).catch(() => {})));
  await Promise.all(runtimes.map((r) => r.close()));
  await Promise.all(queues.map((q) => q.close()));
  await closeConnections(lockRedis);
  await iso?.teardown();
}, 60_000);

interface Change {
  queue: string;
  from: number;
  to: number;
  reason: string;
}

/** A runtime with one test queue, whose "concurrency raised/lowered" log lines are collected. */
function start(queue: string, run: (data: unknown) => Promise<unknown>, concurrency: number, autoscale: WorkerOptions["autoscale"]) {
  const changes: Change[] = [];
  const runtime = startWorkers(buildProcessors(processorDeps(lockRedis)), {
    log: (line) => {
      const entry = JSON.parse(line);
      if (/^concurrency (raised|lowered)/.test(entry.msg)) changes.push(entry);
    },
    autoscale,
    extraQueues: [{ queue, process: (job) => run(job.data), concurrency }],
  });
  runtimes.push(runtime);
  const worker = runtime.workers.find((w) => w.name === queue)!;
  const q = new Queue(queue, { connection: bullConnection("queue"), prefix: env().QUEUE_PREFIX });
  queues.push(q);
  return { runtime, worker, queue: q, changes };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 90_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Keeps one core busy for `ms` in a thread of this process (the event loop stays free). */
function burn(ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const thread = new Thread(`const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x = Math.sqrt(x + Math.random());`, { eval: true });
    thread.once("error", reject);
    thread.once("exit", () => resolve());
  });
}

async function sample(series: string): Promise<number | undefined> {
  const text = await metricsRegistry().metrics();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

// Only the test queue is sized; quick samples and cooldowns so the test takes seconds.
const quick = { sampleMs: 200, settings: { cooldownMs: 300, sustain: 2, idleMs: 1_000 } };

describe("autoscaling", () => {
  it("a CPU-burning job type makes the concurrency drop, even with jobs waiting", async () => {
    const name = "test-cpu-burn";
    const { worker, queue, changes, runtime } = start(name, () => burn(1_500), 6, {
      ...quick,
      enabled: true,
      queues: [name],
      // The whole machine's CPU (6 threads on this box's cores); the event loop is not what this is about.
      cpuScope: "machine",
      settings: { ...quick.settings, min: 2, max: 8, cpuHigh: 0.7, eventLoopHighMs: 60_000, memoryHigh: 0.99 },
    });
    expect(worker.concurrency).toBe(6);
    await queue.addBulk(Array.from({ length: 40 }, (_, i) => ({ name: "burn", data: { i } })));

    await until("the concurrency to drop to its minimum", () => worker.concurrency === 2);
    // 6 → 5 → 4 → 3 → 2: a quarter (at least one) at a time, for CPU, never a raise while
    // 30-odd jobs were waiting, never below the minimum.
    expect(changes.map((c) => [c.from, c.to, c.reason])).toEqual([
      [6, 5, "cpu"],
      [5, 4, "cpu"],
      [4, 3, "cpu"],
      [3, 2, "cpu"],
    ]);
    expect(await queue.getWaitingCount()).toBeGreaterThan(0);
    expect(await sample(`framecast_worker_concurrency{queue="${name}"}`)).toBe(2);
    expect(await sample(`framecast_worker_concurrency_changes_total{queue="${name}",reason="cpu"}`)).toBe(4);

    // The admin overview's source: this worker's report in Redis, with the last change.
    await runtime.autoscaler.tick();
    const reports = await readWorkerReports(lockRedis, env().QUEUE_PREFIX);
    const mine = reports.find((r) => r.id === runtime.id)!;
    expect(mine.autoscale).toBe(true);
    expect(mine.queues.find((q) => q.queue === name)).toMatchObject({ concurrency: 2, autoscaled: true, lastChange: { from: 3, to: 2, reason: "cpu" } });
    // Queues not listed keep what they were given.
    expect(mine.queues.find((q) => q.queue === "media-analysis")).toMatchObject({ autoscaled: false, lastChange: null });

    await queue.drain();
    await runtime.close();
    expect(await readWorkerReports(lockRedis, env().QUEUE_PREFIX)).toEqual([]); // it left the overview
  });

  it("a backlog of cheap jobs makes it rise to the maximum, and it settles back when the queue is empty", async () => {
    const name = "test-io-wait";
    // Jobs that wait, like an AI call: little CPU, so more at once helps.
    const { worker, queue, changes } = start(name, () => new Promise((r) => setTimeout(r, 100)), 2, {
      ...quick,
      enabled: true,
      queues: [name],
      // This process's CPU only: other work on a shared machine is not what this is about.
      cpuScope: "process",
      settings: { ...quick.settings, min: 1, max: 6, cpuHigh: 0.9, eventLoopHighMs: 5_000, memoryHigh: 0.99 },
    });
    await queue.addBulk(Array.from({ length: 400 }, (_, i) => ({ name: "wait", data: { i } })));

    await until("the concurrency to reach its maximum", () => worker.concurrency === 6);
    expect(await queue.getWaitingCount()).toBeGreaterThan(0); // raised while there was a backlog
    expect(changes.map((c) => [c.from, c.to, c.reason])).toEqual([
      [2, 3, "backlog"],
      [3, 4, "backlog"],
      [4, 5, "backlog"],
      [5, 6, "backlog"],
    ]);

    // Empty queue: one step per idle period back to where it started, and no further.
    await until("the queue to empty", async () => (await queue.getJobCounts("wait", "active")).wait === 0);
    await until("the concurrency to settle back", () => worker.concurrency === 2);
    expect(changes.slice(4).map((c) => [c.from, c.to, c.reason])).toEqual([
      [6, 5, "idle"],
      [5, 4, "idle"],
      [4, 3, "idle"],
      [3, 2, "idle"],
    ]);
    await new Promise((r) => setTimeout(r, 1_500)); // another idle period: stays at 2
    expect(worker.concurrency).toBe(2);
    expect(await sample(`framecast_worker_concurrency_changes_total{queue="${name}",reason="backlog"}`)).toBe(4);
    expect(await sample(`framecast_worker_concurrency_changes_total{queue="${name}",reason="idle"}`)).toBe(4);
  });
});
