// Boots one BullMQ Worker per queue of the catalogue and applies the error policy:
// permanent → UnrecoverableError (no retry), transient → retry with capped exponential
// backoff, rate limited → pause the queue for the provider's delay without spending an
// attempt.
import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import { env } from "@/lib/env";
import { cappedExponentialDelay, jobCatalogue, queueNames, type JobName } from "@/lib/jobs/catalogue";
import { bullConnection } from "@/lib/redis";
import { classifyFailure, GENERIC_FAILURE } from "./failures";
import type { ProcessorDef, ProcessorMap } from "./processors";

export interface WorkerRuntime {
  workers: Worker[];
  close(): Promise<void>;
}

export function startWorkers(processors: ProcessorMap, opts: { concurrency?: number; log?: (line: string) => void } = {}): WorkerRuntime {
  const log = opts.log ?? ((line) => console.log(line));
  const missing = (Object.keys(jobCatalogue) as JobName[]).filter((name) => !processors[name]);
  if (missing.length > 0) throw new Error(`No processor for job(s): ${missing.join(", ")}`);

  const workers = queueNames.map((queue) => {
    const worker: Worker = new Worker(
      queue,
      async (job: Job, token?: string) => {
        const def = processors[job.name as JobName] as ProcessorDef<JobName> | undefined;
        if (!def) throw new UnrecoverableError(`No processor for job ${job.name}`);
        try {
          return await def.process(job, token);
        } catch (err) {
          if (err instanceof DelayedError || (err as Error).name === "RateLimitError") throw err;
          const failure = classifyFailure(err);
          log(`[worker] ${job.id} attempt ${job.attemptsMade + 1} failed (${failure.kind}): ${(err as Error).message}`);
          if (failure.kind === "rate_limited") {
            await worker.rateLimit(failure.retryAfterMs);
            await def.onFailure(job, failure, false);
            throw Worker.RateLimitError();
          }
          const final = failure.kind === "permanent" || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          await def.onFailure(job, failure, final);
          throw failure.kind === "permanent" ? new UnrecoverableError(failure.message) : err;
        }
      },
      {
        connection: bullConnection("worker"),
        prefix: env().QUEUE_PREFIX,
        concurrency: opts.concurrency ?? env().WORKER_CONCURRENCY,
        settings: { backoffStrategy: (attemptsMade: number) => cappedExponentialDelay(attemptsMade) },
      },
    );
    // A job that stalled too often fails without its processor running: record it.
    worker.on("failed", (job, err) => {
      if (!job || !/stalled/i.test(err.message)) return;
      const def = processors[job.name as JobName] as ProcessorDef<JobName> | undefined;
      def?.onFailure(job, { kind: "permanent", message: GENERIC_FAILURE }, true).catch((e) => log(`[worker] ${e}`));
    });
    worker.on("error", (err) => log(`[worker] ${queue}: ${err.message}`));
    return worker;
  });

  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
