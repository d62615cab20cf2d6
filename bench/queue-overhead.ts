// Scenario 5 — queue overhead: no-op jobs through our worker runtime (worker/runtime.ts
// startWorkers: processor lookup, error policy, stalled-job hook, per-job metrics and
// logging) vs a bare BullMQ Worker, same Redis, same concurrency, same job options (the
// catalogue's), interleaved trials. Jobs are added to the paused queue, the worker starts
// and connects, then the queue is resumed and the clock runs until the last completes.
// Start-up (ours connects a worker for every queue of the catalogue) is its own row.
import { randomUUID } from "node:crypto";
import { Queue, Worker, type ConnectionOptions } from "bullmq";
import { jobCatalogue, queueNames, type JobName } from "@/lib/jobs/catalogue";
import type { ProcessorMap } from "@/worker/processors";
import { startWorkers } from "@/worker/runtime";
import type { Row } from "./lib/report";
import type { Scenario } from "./lib/scenario";
import { median, num, pairedRatios } from "./lib/stats";

const CONCURRENCY = 10;
const JOB = "analyze-media" satisfies JobName; // a literal type: each catalogue entry has its own payload

/** A no-op processor for every job of the catalogue (so new jobs need no change here). */
const noOps = Object.fromEntries(
  (Object.keys(jobCatalogue) as JobName[]).map((name) => [name, { process: async () => undefined, onFailure: async () => undefined }]),
) as unknown as ProcessorMap;

async function fill(queue: Queue, count: number) {
  const def = jobCatalogue[JOB];
  for (let i = 0; i < count; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, count - i) }, () => {
        const mediaId = randomUUID();
        return { name: JOB, data: { mediaId }, opts: { ...def.options, jobId: def.jobId({ mediaId }) } };
      }),
    );
  }
}

interface Started {
  /** The worker of the measured queue. */
  worker: Worker;
  /** Every worker the side started (ours: one per queue of the catalogue). */
  all: Worker[];
  close: () => Promise<unknown>;
}

/**
 * Starts `start()` on the paused, filled queue and waits until its workers are connected
 * (a worker process starts once and then runs for days: its start-up is reported apart,
 * not spread over these jobs), then resumes the queue and resolves with jobs/s once
 * `count` jobs completed, and how long the start took.
 */
async function drain(count: number, queue: Queue, start: () => Started): Promise<{ rate: number; startMs: number }> {
  let done = 0;
  const starting = performance.now();
  const { worker, all, close } = start();
  const finished = new Promise<void>((resolve) => {
    worker.on("completed", () => {
      if (++done === count) resolve();
    });
  });
  await Promise.all(all.map((w) => w.waitUntilReady()));
  const began = performance.now();
  await queue.resume();
  await finished;
  const seconds = (performance.now() - began) / 1000;
  await close();
  return { rate: count / seconds, startMs: began - starting };
}

export const scenario: Scenario = {
  number: 5,
  id: "queue-overhead",
  title: "queue overhead",
  target: "≥ 85 % of raw BullMQ jobs/s",
  async run({ resources, quick }) {
    const redis = await resources.redis(); // sets REDIS_URL before the runtime reads env()
    const connection: ConnectionOptions = { host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null };
    const ourPrefix = `${resources.prefix}-q`; // what env().QUEUE_PREFIX is in the bench process
    const rawPrefix = `${resources.prefix}-raw`;
    const queueName = jobCatalogue[JOB].queue;
    const ourQueue = new Queue(queueName, { prefix: ourPrefix, connection });
    const rawQueue = new Queue(queueName, { prefix: rawPrefix, connection });
    // A trial of 5,000 jobs lasted ~0.4 s, and unchanged code measured 68–107 % of raw in
    // back-to-back runs: 20,000 (~2 s) and more trials make the ratio a measurement.
    const jobs = quick ? 1_000 : 20_000;
    const trials = quick ? 2 : 7;
    const results = { ours: [] as number[], raw: [] as number[] };
    const startup = { ours: [] as number[], raw: [] as number[] };
    try {
      for (let t = 0; t < trials + 1; t++) {
        for (const which of t % 2 === 0 ? (["raw", "ours"] as const) : (["ours", "raw"] as const)) {
          const queue = which === "ours" ? ourQueue : rawQueue;
          await queue.obliterate({ force: true });
          await queue.pause();
          await fill(queue, jobs);
          const { rate, startMs } = await drain(jobs, queue, () => {
            if (which === "ours") {
              const runtime = startWorkers(noOps, { concurrency: CONCURRENCY, log: () => {} });
              return { worker: runtime.workers.find((w) => w.name === queueName)!, all: runtime.workers, close: () => runtime.close() };
            }
            const worker = new Worker(queueName, async () => undefined, { connection, prefix: rawPrefix, concurrency: CONCURRENCY });
            return { worker, all: [worker], close: () => worker.close() };
          });
          if (t > 0) {
            // trial 0 warms up both
            results[which].push(rate);
            startup[which].push(startMs);
          }
        }
      }
    } finally {
      await Promise.allSettled([ourQueue.obliterate({ force: true }), rawQueue.obliterate({ force: true })]);
      await Promise.allSettled([ourQueue.close(), rawQueue.close()]);
    }
    const ours = median(results.ours);
    const raw = median(results.raw);
    // The rates themselves moved by ±20 % from trial to trial here.
    const paired = pairedRatios(results.ours, results.raw);
    const ratio = paired.median;
    const rows: Row[] = [
      {
        case: `no-op jobs, concurrency ${CONCURRENCY}`,
        unit: "jobs/s",
        median: ours,
        n: results.ours.length,
        baseline: `raw BullMQ Worker ${num(raw)} jobs/s`,
        ratio: `${Math.round(ratio * 100)} % of raw`,
        target: "≥ 85 %",
        pass: ratio >= 0.85,
        note: `median of ${paired.n} back-to-back pairs; pairs ranged ${Math.round(paired.min * 100)}–${Math.round(paired.max * 100)} %`,
      },
      {
        case: "worker start-up (all queues connected)",
        unit: "ms",
        median: median(startup.ours),
        n: startup.ours.length,
        baseline: `raw BullMQ Worker, one queue ${num(median(startup.raw))} ms`,
        ratio: `${num(median(startup.ours) / median(startup.raw))}×`,
        target: "—",
        note: `ours starts one worker per queue (${queueNames.length}); paid once per process`,
      },
    ];
    return {
      rows,
      notes: [
        `${jobs} jobs per trial with the catalogue's job options, added to the paused queue; the clock runs from resuming it (workers connected) until the last completes; ${trials} interleaved trials each after one warm-up; rates are medians, the ratio is the median of each trial's ours ÷ raw.`,
      ],
      data: { jobs, trials, concurrency: CONCURRENCY, results, paired, startup },
    };
  },
};
