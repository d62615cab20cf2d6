// Boots one BullMQ Worker per queue of the catalogue and applies the error policy:
// permanent → UnrecoverableError (no retry), transient → retry with capped exponential
// backoff, rate limited → delay the job by the provider's delay without spending an
// attempt, database or storage unreachable → wait it out without spending an attempt. Every attempt is timed and counted (worker/metrics.ts) and logs with its job id.
// Each queue's concurrency is then sized by worker/autoscale.ts, which also reports this
// process to the admin overview.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { DelayedError, MetricsTime, Queue, RateLimitError, UnrecoverableError, Worker, type Job } from "bullmq";
import { env } from "@/lib/env";
import { autoscaledByDefault, backoffDelays, cappedExponentialDelay, jobCatalogue, queueNames, queueSettings, type JobName, type QueueName } from "@/lib/jobs/catalogue";
import { removeWorkerReport, writeWorkerReport, type WorkerReport } from "@/lib/jobs/worker-reports";
import { createLogger, log, rootLogger, withLogger, type Logger } from "@/lib/log";
import { bullConnection, createRedis, outageLogger } from "@/lib/redis";
import { AHEAD_FACTOR, type WorkAhead } from "./ahead";
import { autoscaleConfig, startAutoscaler, type AutoscaleConfig, type Autoscaler, type AutoscaleSnapshot } from "./autoscale";
import { classifyFailure, PHOTO_WORDING } from "./failures";
import { listenForCancels } from "./cancellation";
import { createLoadSampler } from "./load-sampler";
import { countStalledFailure, instrumentProcessor, jobStats, recordConcurrencyChange, recordLoad, showConcurrency } from "./metrics";
import type { ProcessorDef, ProcessorMap } from "./processors";

/** One line for the log: the message's last line, or the error's name and code when it has none. */
function describeError(err: unknown): string {
  const e = err as { name?: string; code?: unknown; message?: string };
  const message = (e?.message ?? String(err)).trim().split("\n").at(-1) ?? "";
  return message || [e?.name, e?.code].filter(Boolean).join(" ") || "unknown error";
}

export interface WorkerRuntime {
  workers: Worker[];
  /**
   * Each queue's concurrency as configured and sized: a queue that works ahead
   * (worker/ahead.ts) runs AHEAD_FACTOR times as many jobs in BullMQ.
   */
  concurrency(queue: string): number;
  /** This process as the admin overview lists it. */
  readonly id: string;
  /** Sizes the queues and reports this process (its tick() takes a sample at once). */
  autoscaler: Autoscaler;
  /** Jobs this process is running now. */
  readonly inFlight: number;
  /**
   * Stops taking jobs and waits for the running ones. With `graceMs`, jobs still running
   * after it are handed back to the queue (to another worker at once, not after a stall
   * timeout) and `finished` is false.
   */
  close(graceMs?: number): Promise<{ finished: boolean; handedBack: string[] }>;
}

/** A queue outside the job catalogue, run like the catalogue's (tests: a CPU-burning job type). */
export interface ExtraQueue {
  queue: string;
  process(job: Job, token?: string): Promise<unknown>;
  /** Default: WORKER_CONCURRENCY. */
  concurrency?: number;
  /** Default: true. */
  autoscale?: boolean;
}

export interface WorkerOptions {
  /** One concurrency for every queue; it is then kept (no autoscaling) unless `autoscale` is given too. */
  concurrency?: number;
  /** Where this runtime's JSON log lines go (tests pass `() => {}`); default: the process logger. */
  log?: (line: string) => void;
  /** Over the environment's autoscale settings (settings merged one by one); false: off. */
  autoscale?: (Partial<Omit<AutoscaleConfig, "settings">> & { settings?: Partial<AutoscaleConfig["settings"]> }) | false;
  extraQueues?: ExtraQueue[];
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
  // carries the job id. The job's logger is made only if the job logs: most jobs don't.
  const observe = (queue: (typeof queueNames)[number], processor: (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>) => {
    const instrumented = instrumentProcessor(queue, concurrencyOf(queue), processor);
    return (job: Job, token?: string, signal?: AbortSignal) =>
      withLogger(() => logger.child({ queue, jobId: job.id, job: job.name }), () => instrumented(job, token, signal));
  };
  const missing = (Object.keys(jobCatalogue) as JobName[]).filter((name) => !processors[name]);
  if (missing.length > 0) throw new Error(`No processor for job(s): ${missing.join(", ")}`);

  const running = new Map<string, { job: Job; token?: string }>();
  // What the autoscaler, the metrics and the overview size and show, per queue.
  const sizes = new Map<string, { concurrency: number }>();
  const workers = queueNames.map((queue) => {
    const ahead = aheadOf(processors, queue);
    if (ahead) ahead.concurrency = concurrencyOf(queue);
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
            // Postgres or storage is down: every job would fail alike, so none spends an
            // attempt. Try again after a growing pause (1 s … 5 s) for as long as the outage lasts.
            const delay = cappedExponentialDelay(job.attemptsStarted ?? 1, 1_000, 5_000);
            const cause = err instanceof Error && err.cause ? err.cause : err;
            log().warn({ delayMs: delay, err: describeError(cause) }, `${failure.dependency} unavailable; job paused without spending an attempt`);
            await job.moveToDelayed(Date.now() + delay, token);
            throw new DelayedError();
          }
          log().warn({ attempt: job.attemptsMade + 1, kind: failure.kind, err: describeError(err) }, "job attempt failed");
          if (failure.kind === "rate_limited") {
            // The provider asked for a pause: this job waits it out without spending an
            // attempt. Delayed, not worker.rateLimit(): that only holds on a queue with a
            // limiter and any job finishing clears it, so the job came straight back and
            // re-sent. Other jobs meet the same wait before calling (lib/ai/provider-gate.ts).
            // A queue with a limiter (the notifications: one Discord 429 holds them all) is
            // paused as well, which does hold there.
            if (queueSettings[queue]?.limiter) await worker.rateLimit(failure.retryAfterMs);
            await def.onFailure(job, failure, false);
            await job.moveToDelayed(Date.now() + failure.retryAfterMs, token);
            throw new DelayedError();
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
        concurrency: ahead ? concurrencyOf(queue) * AHEAD_FACTOR : concurrencyOf(queue),
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
    sizes.set(queue, ahead ? aheadSize(worker, ahead) : worker);
    return worker;
  });

  // Queues from the options (tests): the same lock, stall and metrics settings, no error policy.
  // (Typed as catalogue queues only for observe(); their concurrency is their own.)
  for (const extra of opts.extraQueues ?? []) {
    const worker = new Worker(
      extra.queue,
      observe(extra.queue as QueueName, async (job: Job, token?: string) => {
        const key = `${extra.queue}/${job.id}`;
        running.set(key, { job, token });
        try {
          return await extra.process(job, token);
        } finally {
          running.delete(key);
        }
      }),
      {
        connection: bullConnection("worker"),
        prefix: env().QUEUE_PREFIX,
        concurrency: extra.concurrency ?? opts.concurrency ?? env().WORKER_CONCURRENCY,
        lockDuration: env().WORKER_LOCK_DURATION_MS,
        stalledInterval: env().WORKER_STALLED_INTERVAL_MS,
        maxStalledCount: env().WORKER_MAX_STALLED_COUNT,
      },
    );
    worker.on("error", outageLogger(`worker ${extra.queue}`, () => logger).error);
    sizes.set(extra.queue, worker);
    workers.push(worker);
  }

  const scaling = startScaling(workers, sizes, opts, logger, (queue) => {
    let n = 0;
    for (const key of running.keys()) if (key.startsWith(`${queue}/`)) n++;
    return n;
  });

  // Cancel requests for jobs running here (the processor's AbortSignal fires).
  const cancels = listenForCancels(workers, logger);

  return {
    workers,
    concurrency: (queue) => sizes.get(queue)?.concurrency ?? 0,
    id: scaling.id,
    autoscaler: scaling.autoscaler,
    get inFlight() {
      return running.size;
    },
    async close(graceMs?: number) {
      const closing = Promise.all(workers.map((w) => w.close())).finally(() => Promise.all([cancels.close(), scaling.close()]));
      if (graceMs === undefined) {
        await closing;
        return { finished: true, handedBack: [] };
      }
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
      const timedOut = await Promise.race([closing.then(() => false as const), expired]);
      clearTimeout(timer);
      if (!timedOut) return { finished: true, handedBack: [] };
      void scaling.close();
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

/** The processors' limits of a queue that works ahead, if one of its jobs does. */
function aheadOf(processors: ProcessorMap, queue: QueueName): WorkAhead | undefined {
  const names = (Object.keys(jobCatalogue) as JobName[]).filter((name) => jobCatalogue[name].queue === queue);
  return names.map((name) => (processors[name] as ProcessorDef<JobName>).ahead).find(Boolean);
}

/** A queue that works ahead, as the autoscaler sizes it: its limits, with BullMQ's room kept at twice. */
function aheadSize(worker: Worker, ahead: WorkAhead): { concurrency: number } {
  return {
    get concurrency() {
      return ahead.concurrency;
    },
    set concurrency(n: number) {
      ahead.concurrency = n;
      worker.concurrency = n * AHEAD_FACTOR;
    },
  };
}

/**
 * Starts the autoscaler over the runtime's workers, with the sampler, the queue counts it
 * reads and the report it writes for the admin overview (its own Redis connection, which
 * fails fast: a sample that cannot read Redis changes nothing and is simply late).
 */
function startScaling(
  workers: Worker[],
  sizes: Map<string, { concurrency: number }>,
  opts: WorkerOptions,
  logger: Logger,
  running: (queue: string) => number,
) {
  const config = env();
  const fromEnv = autoscaleConfig(config);
  const given = opts.autoscale;
  // A fixed concurrency from the caller is kept unless the caller also asks for autoscaling.
  const enabled = given === false ? false : given ? (given.enabled ?? fromEnv.enabled) : opts.concurrency === undefined && fromEnv.enabled;
  const scale: AutoscaleConfig = {
    ...fromEnv,
    ...(given || {}),
    enabled,
    settings: { ...fromEnv.settings, ...(given ? given.settings : {}) },
  };
  const extra = new Map((opts.extraQueues ?? []).map((e) => [e.queue, e]));
  const autoscaled = (queue: string) =>
    scale.queues ? scale.queues.includes(queue) : extra.has(queue) ? (extra.get(queue)!.autoscale ?? true) : autoscaledByDefault(queue);

  const unknown = (scale.queues ?? []).filter((q) => !workers.some((w) => w.name === q));
  if (unknown.length > 0) logger.warn({ unknown, queues: workers.map((w) => w.name) }, "WORKER_AUTOSCALE_QUEUES names queues this worker does not run; they are ignored");

  const id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const startedAt = new Date().toISOString();
  const prefix = config.QUEUE_PREFIX;
  const redis = createRedis("autoscale");
  const counters = new Map(workers.map((w) => [w.name, new Queue(w.name, { connection: redis, prefix })]));
  const sampler = createLoadSampler({ cpuScope: scale.cpuScope });
  // Long enough that a worker busy with a slow sample is not taken for dead.
  const ttlMs = Math.max(15_000, scale.sampleMs * 5);

  const toReport = (snapshot: AutoscaleSnapshot): WorkerReport => ({
    id,
    host: os.hostname(),
    pid: process.pid,
    startedAt,
    autoscale: snapshot.enabled,
    min: snapshot.min,
    max: snapshot.max,
    load: snapshot.load,
    queues: snapshot.queues.map((q) => ({
      ...q,
      lastChange: q.lastChange ? { ...q.lastChange, at: new Date(q.lastChange.at).toISOString() } : null,
    })),
  });

  const autoscaler = startAutoscaler({
    queues: workers.map((w) => ({ queue: w.name, worker: sizes.get(w.name)!, configured: sizes.get(w.name)!.concurrency, autoscaled: autoscaled(w.name) })),
    enabled: scale.enabled,
    settings: scale.settings,
    intervalMs: scale.sampleMs,
    sampleLoad: () => {
      const load = sampler.sample();
      recordLoad(load);
      return load;
    },
    async readDemand(queue) {
      const counter = counters.get(queue)!;
      const [c, paused] = await Promise.all([counter.getJobCounts("wait", "prioritized", "active"), counter.isPaused()]);
      // A paused queue's waiting jobs are no work for anyone: not a backlog to grow for.
      return { waiting: paused ? 0 : (c.wait ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0 };
    },
    running,
    logger,
    onChange: (queue, change) => recordConcurrencyChange(queue, change.to, change.reason),
    async report(snapshot) {
      await Promise.all([writeWorkerReport(redis, prefix, toReport(snapshot), ttlMs), jobStats().flush(redis, prefix)]);
    },
  });
  // The starting concurrencies are clamped to [min, max] by now: the metrics show those.
  for (const w of workers) showConcurrency(w.name, sizes.get(w.name)!.concurrency);
  logger.info(
    {
      autoscale: scale.enabled,
      min: scale.settings.min,
      max: scale.settings.max,
      concurrency: Object.fromEntries(workers.map((w) => [w.name, sizes.get(w.name)!.concurrency])),
      sized: scale.enabled ? workers.filter((w) => autoscaled(w.name)).map((w) => w.name) : [],
    },
    "worker concurrency",
  );

  let closed: Promise<void> | null = null;
  return {
    id,
    autoscaler,
    close() {
      closed ??= (async () => {
        await autoscaler.stop();
        sampler.close();
        // The last jobs' numbers, and this worker leaves the overview at once.
        await Promise.allSettled([jobStats().flush(redis, prefix), removeWorkerReport(redis, prefix, id)]);
        await Promise.allSettled([...counters.values()].map((q) => q.close()));
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closed;
    },
  };
}
