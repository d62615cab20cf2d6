// Boots one BullMQ Worker per queue of the catalogue and applies the error policy:
// permanent → UnrecoverableError (no retry), transient → retry with capped exponential
// backoff, rate limited → pause the queue for the provider's delay without spending an
// attempt, database unreachable → wait it out without spending an attempt. Every attempt is timed and counted (worker/metrics.ts) and logs with its job id.
import { DelayedError, MetricsTime, RateLimitError, UnrecoverableError, Worker, type Job } from "bullmq";
import { env } from "@/lib/env";
import { backoffDelays, cappedExponentialDelay, jobCatalogue, queueNames, queueSettings, type JobName } from "@/lib/jobs/catalogue";
import { createLogger, log, rootLogger, withLogger, type Logger } from "@/lib/log";
import { bullConnection, outageLogger } from "@/lib/redis";
import { classifyFailure, PHOTO_WORDING } from "./failures";
import { listenForCancels } from "./cancellation";
import { countStalledFailure, instrumentProcessor } from "./metrics";
import type { ProcessorDef, ProcessorMap } from "./processors";

/** One line for the log: the message's last line, or the error's name and code when it has none. */
function describeError(err: unknown): string {
  const e = err as { name?: string; code?: unknown; message?: string };
  const message = (e?.message ?? String(err)).trim().split("\n").at(-1) ?? "";
  return message || [e?.name, e?.code].filter(Boolean).join(" ") || "unknown error";
}

export interface WorkerRuntime {
  workers: Worker[];
  /** Jobs this process is running now. */
  readonly inFlight: number;
  /**
   * Stops taking jobs and waits for the running ones. With `graceMs`, jobs still running
   * after it are handed back to the queue (to another worker at once, not after a stall
   * timeout) and `finished` is false.
   */
  close(graceMs?: number): Promise<{ finished: boolean; handedBack: string[] }>;
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
  // Per queue: the catalogue may ask for fewer (the CPU-heavy render queue runs one at a time).
  const concurrencyOf = (queue: (typeof queueNames)[number]) =>
    opts.concurrency ?? queueSettings[queue]?.concurrency?.(env()) ?? env().WORKER_CONCURRENCY;
  // Times and counts each attempt; every line logged while it runs (here or deep in lib/)
  // carries the job id.
  const observe = (queue: (typeof queueNames)[number], processor: (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>) => {
    const instrumented = instrumentProcessor(queue, concurrencyOf(queue), processor);
    return (job: Job, token?: string, signal?: AbortSignal) =>
      withLogger(logger.child({ queue, jobId: job.id, job: job.name }), () => instrumented(job, token, signal));
  };
  const missing = (Object.keys(jobCatalogue) as JobName[]).filter((name) => !processors[name]);
  if (missing.length > 0) throw new Error(`No processor for job(s): ${missing.join(", ")}`);

  const running = new Map<string, { job: Job; token?: string }>();
  const workers = queueNames.map((queue) => {
    const worker: Worker = new Worker(
      queue,
      observe(queue, async (job: Job, token?: string, signal?: AbortSignal) => {
        const def = processors[job.name as JobName] as ProcessorDef<JobName> | undefined;
        if (!def) throw new UnrecoverableError(`No processor for job ${job.name}`);
        const key = `${queue}/${job.id}`;
        running.set(key, { job, token });
        try {
          return await def.process(job, token, signal);
        } catch (err) {
          if (err instanceof DelayedError || err instanceof RateLimitError) throw err;
          const failure = classifyFailure(err, def.wording);
          if (failure.kind === "unavailable") {
            // Postgres is down: every job would fail alike, so none spends an attempt.
            // Try again after a growing pause (1 s … 5 s) for as long as the outage lasts.
            const delay = cappedExponentialDelay(job.attemptsStarted ?? 1, 1_000, 5_000);
            log().warn({ delayMs: delay, err: describeError(err) }, "database unavailable; job paused without spending an attempt");
            await job.moveToDelayed(Date.now() + delay, token);
            throw new DelayedError();
          }
          log().warn({ attempt: job.attemptsMade + 1, kind: failure.kind, err: describeError(err) }, "job attempt failed");
          if (failure.kind === "rate_limited") {
            await worker.rateLimit(failure.retryAfterMs);
            await def.onFailure(job, failure, false);
            throw Worker.RateLimitError();
          }
          const final = failure.kind === "permanent" || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          await def.onFailure(job, failure, final);
          throw failure.kind === "permanent" ? new UnrecoverableError(failure.message) : err;
        } finally {
          running.delete(key);
        }
      }),
      {
        connection: bullConnection("worker"),
        prefix: env().QUEUE_PREFIX,
        concurrency: concurrencyOf(queue),
        limiter: queueSettings[queue]?.limiter,
        // Crash recovery: see lib/env.ts. A killed worker's jobs lose their lock after
        // lockDuration and are handed to another worker by the next stalled check.
        lockDuration: env().WORKER_LOCK_DURATION_MS,
        stalledInterval: env().WORKER_STALLED_INTERVAL_MS,
        maxStalledCount: env().WORKER_MAX_STALLED_COUNT,
        // The job's own backoff type picks the pace (see backoffDelays in the catalogue).
        settings: {
          backoffStrategy: (attemptsMade: number, type?: string) =>
            (type && backoffDelays[type] ? backoffDelays[type] : cappedExponentialDelay)(attemptsMade),
        },
        // Per-minute completed/failed counts kept in Redis: the admin console's throughput chart.
        metrics: { maxDataPoints: MetricsTime.ONE_HOUR * 24 },
      },
    );
    // A job that stalled too often fails without its processor running: record it. BullMQ
    // has no error class for this; it marks the job with a deferred failure instead.
    worker.on("failed", (job, err) => {
      if (!job?.deferredFailure) return;
      countStalledFailure(queue, job);
      const jobLog = logger.child({ queue, jobId: job.id, job: job.name });
      jobLog.error({ err: err.message }, "job failed after stalling");
      const def = processors[job.name as JobName] as ProcessorDef<JobName> | undefined;
      const message = (def?.wording ?? PHOTO_WORDING).stalled;
      def?.onFailure(job, { kind: "permanent", message }, true).catch((e) => jobLog.error({ err: e }, "recording the failure failed"));
    });
    worker.on("completed", (job) => {
      const ms = (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now());
      logger.info({ queue, jobId: job.id, job: job.name, ms }, "job completed");
    });
    // Redis outages: one line per outage, not one per reconnect attempt.
    worker.on("error", outageLogger(`worker ${queue}`, () => logger).error);
    return worker;
  });

  // Cancel requests for jobs running here (the processor's AbortSignal fires).
  const cancels = listenForCancels(workers, logger);

  return {
    workers,
    get inFlight() {
      return running.size;
    },
    async close(graceMs?: number) {
      const closing = Promise.all(workers.map((w) => w.close())).finally(() => cancels.close());
      if (graceMs === undefined) {
        await closing;
        return { finished: true, handedBack: [] };
      }
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
      const timedOut = await Promise.race([closing.then(() => false as const), expired]);
      clearTimeout(timer);
      if (!timedOut) return { finished: true, handedBack: [] };
      const handedBack: string[] = [];
      await Promise.all(
        [...running.values()].map(async ({ job, token }) => {
          try {
            await job.moveToWait(token);
            handedBack.push(job.id!);
          } catch (err) {
            logger.warn({ jobId: job.id, err: (err as Error).message }, "could not hand the job back; it is retried when its lock expires");
          }
        }),
      );
      return { finished: false, handedBack };
    },
  };
}
