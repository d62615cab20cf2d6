// Boots one BullMQ Worker per queue of the catalogue and applies the error policy:
// permanent → UnrecoverableError (no retry), transient → retry with capped exponential
// backoff, rate limited → pause the queue for the provider's delay without spending an
// attempt. Every attempt is timed and counted (worker/metrics.ts) and logs with its job id.
import { DelayedError, MetricsTime, UnrecoverableError, Worker, type Job } from "bullmq";
import { env } from "@/lib/env";
import { cappedExponentialDelay, jobCatalogue, queueNames, type JobName } from "@/lib/jobs/catalogue";
import { createLogger, log, rootLogger, withLogger, type Logger } from "@/lib/log";
import { bullConnection } from "@/lib/redis";
import { classifyFailure, GENERIC_FAILURE } from "./failures";
import { countStalledFailure, instrumentProcessor } from "./metrics";
import type { ProcessorDef, ProcessorMap } from "./processors";

export interface WorkerRuntime {
  workers: Worker[];
  close(): Promise<void>;
}

export interface WorkerOptions {
  concurrency?: number;
  /** Where this runtime's JSON log lines go (tests pass `() => {}`); default: the process logger. */
  log?: (line: string) => void;
}

export function startWorkers(processors: ProcessorMap, opts: WorkerOptions = {}): WorkerRuntime {
  const sink = opts.log;
  const logger: Logger = (sink ? createLogger({ destination: { write: (line: string) => sink(line) } }) : rootLogger()).child({
    component: "worker",
  });
  const concurrency = opts.concurrency ?? env().WORKER_CONCURRENCY;
  // Times and counts each attempt; every line logged while it runs (here or deep in lib/)
  // carries the job id.
  const observe = (queue: string, processor: (job: Job, token?: string) => Promise<unknown>) => {
    const instrumented = instrumentProcessor(queue, concurrency, processor);
    return (job: Job, token?: string) => withLogger(logger.child({ queue, jobId: job.id, job: job.name }), () => instrumented(job, token));
  };
  const missing = (Object.keys(jobCatalogue) as JobName[]).filter((name) => !processors[name]);
  if (missing.length > 0) throw new Error(`No processor for job(s): ${missing.join(", ")}`);

  const workers = queueNames.map((queue) => {
    const worker: Worker = new Worker(
      queue,
      observe(queue, async (job: Job, token?: string) => {
        const def = processors[job.name as JobName] as ProcessorDef<JobName> | undefined;
        if (!def) throw new UnrecoverableError(`No processor for job ${job.name}`);
        try {
          return await def.process(job, token);
        } catch (err) {
          if (err instanceof DelayedError || (err as Error).name === "RateLimitError") throw err;
          const failure = classifyFailure(err);
          log().warn({ attempt: job.attemptsMade + 1, kind: failure.kind, err: (err as Error).message }, "job attempt failed");
          if (failure.kind === "rate_limited") {
            await worker.rateLimit(failure.retryAfterMs);
            await def.onFailure(job, failure, false);
            throw Worker.RateLimitError();
          }
          const final = failure.kind === "permanent" || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          await def.onFailure(job, failure, final);
          throw failure.kind === "permanent" ? new UnrecoverableError(failure.message) : err;
        }
      }),
      {
        connection: bullConnection("worker"),
        prefix: env().QUEUE_PREFIX,
        concurrency,
        settings: { backoffStrategy: (attemptsMade: number) => cappedExponentialDelay(attemptsMade) },
        // Per-minute completed/failed counts kept in Redis: the admin console's throughput chart.
        metrics: { maxDataPoints: MetricsTime.ONE_HOUR * 24 },
      },
    );
    // A job that stalled too often fails without its processor running: record it.
    worker.on("failed", (job, err) => {
      if (!job || !/stalled/i.test(err.message)) return;
      countStalledFailure(queue, job);
      const jobLog = logger.child({ queue, jobId: job.id, job: job.name });
      jobLog.error({ err: err.message }, "job failed after stalling");
      const def = processors[job.name as JobName] as ProcessorDef<JobName> | undefined;
      def?.onFailure(job, { kind: "permanent", message: GENERIC_FAILURE }, true).catch((e) => jobLog.error({ err: e }, "recording the failure failed"));
    });
    worker.on("completed", (job) => {
      const ms = (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now());
      logger.info({ queue, jobId: job.id, job: job.name, ms }, "job completed");
    });
    worker.on("error", (err) => logger.error({ queue, err: err.message }, "worker error"));
    return worker;
  });

  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
