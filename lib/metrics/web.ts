// The web process's metrics. Process-local ones (HTTP requests, open SSE streams, upload
// bytes) are counted where they happen; queue-wide ones (depth by state, completed and
// failed totals) are read from Redis at scrape time, so every web process reports the
// same cluster-wide numbers without anyone polling in between.
import { Counter, Gauge, type Registry } from "prom-client";
import { liveKindNames, type LiveKindName } from "@/lib/events/kinds";
import { getQueue, queueNames, type QueueName } from "@/lib/jobs";
import { log } from "@/lib/log";
import { singleton } from "@/lib/singleton";
import { metricsRegistry } from "./registry";

/** The states shown per queue; "waiting" includes prioritised jobs (and a paused queue's). */
export const QUEUE_STATES = ["waiting", "active", "delayed", "completed", "failed", "waiting-children"] as const;

/** Every live kind's streams (lib/events/kinds.ts), and the admin overview's. */
export type SseStreamKind = LiveKindName | "admin";

export function webMetrics() {
  return singleton("metrics:web", () => {
    const registers = [metricsRegistry()];
    const queueJobs = new Gauge({
      name: "framecast_queue_jobs",
      help: "Jobs per queue and state, read from Redis at scrape time (cluster-wide).",
      labelNames: ["queue", "state"] as const,
      registers,
      async collect() {
        try {
          const all = await Promise.all(queueNames.map(async (name) => [name, await queueCounts(name)] as const));
          this.reset();
          for (const [queue, counts] of all) for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state]);
        } catch (err) {
          // No numbers rather than stale ones; /api/ready says why.
          this.reset();
          log().warn({ err: (err as Error).message }, "metrics: could not read queue counts");
        }
      },
    });
    const queuePaused = new Gauge({
      name: "framecast_queue_paused",
      help: "1 when the queue is paused (cluster-wide).",
      labelNames: ["queue"] as const,
      registers,
      async collect() {
        try {
          const paused = await Promise.all(queueNames.map((name) => getQueue(name).isPaused()));
          this.reset();
          queueNames.forEach((queue, i) => this.set({ queue }, paused[i] ? 1 : 0));
        } catch {
          this.reset();
        }
      },
    });
    // BullMQ keeps running totals of finished jobs in Redis (the same data as the admin
    // throughput chart): true counters across all workers and restarts.
    const finished = (outcome: "completed" | "failed") =>
      new Counter({
        name: `framecast_queue_${outcome}_total`,
        help: `Jobs ${outcome} per queue since metrics were enabled, from BullMQ's counters in Redis (cluster-wide).`,
        labelNames: ["queue"] as const,
        registers,
        async collect() {
          try {
            const totals = await Promise.all(queueNames.map(async (name) => (await getQueue(name).getMetrics(outcome, 0, 0)).meta.count));
            this.reset();
            queueNames.forEach((queue, i) => this.inc({ queue }, totals[i]));
          } catch {
            this.reset();
          }
        },
      });
    return {
      queueJobs,
      queuePaused,
      queueCompleted: finished("completed"),
      queueFailed: finished("failed"),
      httpRequests: new Counter({
        name: "framecast_http_requests_total",
        help: "API requests answered by this web process, by method and status.",
        labelNames: ["method", "status"] as const,
        registers,
      }),
      sseStreams: sseStreamsGauge(registers),
      uploadBytes: new Counter({
        name: "framecast_upload_bytes_total",
        help: "Bytes of upload request bodies received by this web process.",
        registers,
      }),
      uploadFiles: new Counter({
        name: "framecast_upload_files_total",
        help: "Uploaded files by result: accepted (stored and queued) or rejected.",
        labelNames: ["result"] as const,
        registers,
      }),
    };
  });
}

/** Job counts of one queue in the states the console shows. */
export type QueueState = (typeof QUEUE_STATES)[number];

export async function queueCounts(name: QueueName): Promise<Record<QueueState, number>> {
  const c = await getQueue(name).getJobCounts("wait", "prioritized", "active", "delayed", "completed", "failed", "waiting-children");
  return {
    waiting: (c.wait ?? 0) + (c.prioritized ?? 0),
    active: c.active ?? 0,
    delayed: c.delayed ?? 0,
    completed: c.completed ?? 0,
    failed: c.failed ?? 0,
    "waiting-children": c["waiting-children"] ?? 0,
  };
}

/** Open SSE streams by kind; every kind shows (at 0) before its first stream opens. */
function sseStreamsGauge(registers: Registry[]) {
  const gauge = new Gauge({
    name: "framecast_sse_streams_open",
    help: "Server-Sent Event streams open on this web process, by live kind (and the admin overview).",
    labelNames: ["stream"] as const,
    registers,
  });
  for (const stream of [...liveKindNames, "admin"]) gauge.set({ stream }, 0);
  return gauge;
}

/** Counts an SSE stream as open until `onClose` fires. */
export function trackSseStream(kind: SseStreamKind, onClose: (fn: () => void) => void): void {
  const gauge = webMetrics().sseStreams;
  gauge.inc({ stream: kind });
  onClose(() => gauge.dec({ stream: kind }));
}
