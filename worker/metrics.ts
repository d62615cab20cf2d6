// The worker process's job metrics, recorded around every processor call: how long it
// took and how it ended (completed, failed for good, failed and retried, or deferred by a
// rate limit or lock), how many run now and what share of each queue's slots is busy; and
// the autoscaler's: each queue's current concurrency, its changes by reason, the load read.
import { DelayedError, RateLimitError, UnrecoverableError, WaitingChildrenError, type Job } from "bullmq";
import { Counter, Gauge, Histogram } from "prom-client";
import { JobStatsRecorder } from "@/lib/jobs/stats";
import { metricsRegistry } from "@/lib/metrics/registry";
import { singleton } from "@/lib/singleton";
import type { Load, ScaleReason } from "./autoscale";

export type JobOutcome = "completed" | "failed" | "retried" | "deferred";

function createJobMetrics() {
  const registers = [metricsRegistry()];
  const concurrency = new Map<string, number>();
  const active = new Gauge({
    name: "framecast_jobs_active",
    help: "Jobs this worker process is running now, per queue.",
    labelNames: ["queue"] as const,
    registers,
  });
  return {
    concurrency,
    active,
    duration: new Histogram({
      name: "framecast_job_duration_seconds",
      help: "Processing time of one job attempt, per queue, job name and outcome.",
      labelNames: ["queue", "job", "outcome"] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    completed: new Counter({
      name: "framecast_jobs_completed_total",
      help: "Job attempts that completed, per queue and job name.",
      labelNames: ["queue", "job"] as const,
      registers,
    }),
    failed: new Counter({
      name: "framecast_jobs_failed_total",
      help: "Jobs that failed for good (permanent error, attempts used up, or stalled too often).",
      labelNames: ["queue", "job"] as const,
      registers,
    }),
    retried: new Counter({
      name: "framecast_jobs_retried_total",
      help: "Job attempts that failed and will be retried with backoff.",
      labelNames: ["queue", "job"] as const,
      registers,
    }),
    deferred: new Counter({
      name: "framecast_jobs_deferred_total",
      help: "Job attempts put back without spending an attempt (rate limit, lock held elsewhere).",
      labelNames: ["queue", "job"] as const,
      registers,
    }),
    busy: new Counter({
      name: "framecast_worker_busy_seconds_total",
      help: "Seconds spent running jobs, per queue; rate() of it divided by concurrency is utilisation over time.",
      labelNames: ["queue"] as const,
      registers,
    }),
    slots: new Gauge({
      name: "framecast_worker_concurrency",
      help: "Jobs this worker process may run at once now, per queue (moved by the autoscaler).",
      labelNames: ["queue"] as const,
      registers,
      collect() {
        for (const [queue, n] of concurrency) this.set({ queue }, n);
      },
    }),
    utilisation: new Gauge({
      name: "framecast_worker_utilisation_ratio",
      help: "Share of this worker process's slots busy now (active / concurrency), per queue.",
      labelNames: ["queue"] as const,
      registers,
      async collect() {
        const running = await active.get();
        for (const [queue, n] of concurrency) {
          const now = running.values.find((v) => v.labels.queue === queue)?.value ?? 0;
          this.set({ queue }, n > 0 ? now / n : 0);
        }
      },
    }),
    concurrencyChanges: new Counter({
      name: "framecast_worker_concurrency_changes_total",
      help: "Changes of a queue's concurrency by the autoscaler, per queue and reason (cpu, memory, event_loop, backlog, idle).",
      labelNames: ["queue", "reason"] as const,
      registers,
    }),
    load: new Gauge({
      name: "framecast_worker_load_ratio",
      help: "The autoscaler's last reading of this worker's load, 0..1: cpu, memory (of the container's limit, else the machine's).",
      labelNames: ["resource"] as const,
      registers,
    }),
    eventLoopP99: new Gauge({
      name: "framecast_worker_event_loop_delay_p99_seconds",
      help: "The autoscaler's last reading of the event loop's p99 delay over one sample.",
      registers,
    }),
  };
}

export function jobMetrics() {
  return singleton("metrics:jobs", createJobMetrics);
}

/** Per-type counts and durations for the admin overview, added to Redis with each autoscale sample. */
export function jobStats(): JobStatsRecorder {
  return singleton("metrics:job-stats", () => new JobStatsRecorder());
}

/** A queue's concurrency as it is now (the gauge framecast_worker_concurrency). */
export function showConcurrency(queue: string, n: number): void {
  jobMetrics().concurrency.set(queue, n);
}

/** The autoscaler changed a queue's concurrency. */
export function recordConcurrencyChange(queue: string, to: number, reason: ScaleReason): void {
  const m = jobMetrics();
  m.concurrency.set(queue, to);
  m.concurrencyChanges.inc({ queue, reason });
}

export function recordLoad(load: Load): void {
  const m = jobMetrics();
  m.load.set({ resource: "cpu" }, load.cpu);
  m.load.set({ resource: "memory" }, load.memory);
  m.eventLoopP99.set(load.eventLoopP99Ms / 1000);
}

/** How an attempt that threw will end, under the runtime's error policy. */
export function outcomeOf(err: unknown, job: Job): JobOutcome {
  if (err instanceof DelayedError || err instanceof WaitingChildrenError || err instanceof RateLimitError) {
    return "deferred";
  }
  if (err instanceof UnrecoverableError) return "failed";
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1) ? "failed" : "retried";
}

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

/** Wraps a queue's processor so each attempt is timed and counted by outcome. */
export function instrumentProcessor(queue: string, concurrency: number, processor: Processor): Processor {
  const m = jobMetrics();
  m.concurrency.set(queue, concurrency);
  m.active.set({ queue }, 0);
  return async (job, token, signal) => {
    const labels = { queue, job: job.name };
    const started = performance.now();
    m.active.inc({ queue });
    let outcome: JobOutcome = "completed";
    try {
      return await processor(job, token, signal);
    } catch (err) {
      outcome = outcomeOf(err, job);
      throw err;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      m.active.dec({ queue });
      m.busy.inc({ queue }, seconds);
      m.duration.observe({ ...labels, outcome }, seconds);
      m[outcome].inc(labels);
      if (outcome !== "deferred") jobStats().record(queue, job.name, outcome, seconds * 1000);
    }
  };
}

/** A job failed without its processor running to the end (it stalled too often). */
export function countStalledFailure(queue: string, job: Job): void {
  jobMetrics().failed.inc({ queue, job: job.name });
  jobStats().record(queue, job.name, "failed", null);
}
