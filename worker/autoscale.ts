// Workers that size themselves: each queue's BullMQ concurrency moves between a floor and a
// ceiling with this process's load and the queue's backlog. decide() is the whole policy
// (pure, unit-tested); startAutoscaler() only samples, applies, logs and reports.
import type { Env } from "@/lib/env";
import type { Logger } from "@/lib/log";

export const SCALE_REASONS = ["cpu", "memory", "event_loop", "backlog", "idle"] as const;
export type ScaleReason = (typeof SCALE_REASONS)[number];

export interface AutoscaleSettings {
  min: number;
  max: number;
  /** Lower while CPU use (0..1 of what this process may use) is above this. */
  cpuHigh: number;
  /** Lower while memory use (0..1 of the container's limit, else the machine's) is above this. */
  memoryHigh: number;
  /** Lower while the event loop's p99 delay over a sample is above this. */
  eventLoopHighMs: number;
  /**
   * The dead band that keeps it from flapping: raise only while CPU and memory are this much
   * (0..1) below their limits and the event-loop delay is under half of its limit.
   */
  headroom: number;
  /** Least time between two changes of one queue. */
  cooldownMs: number;
  /** Nothing waiting this long: one step back toward the configured concurrency. */
  idleMs: number;
  /** Samples in a row a condition must hold before it acts: one spike is not a trend. */
  sustain: number;
}

export const DEFAULT_SETTINGS: AutoscaleSettings = {
  min: 1,
  max: 10,
  cpuHigh: 0.7,
  memoryHigh: 0.8,
  eventLoopHighMs: 200,
  headroom: 0.1,
  cooldownMs: 10_000,
  idleMs: 60_000,
  sustain: 2,
};

/** How a worker process sizes its queues (from the environment; tests pass their own). */
export interface AutoscaleConfig {
  enabled: boolean;
  /** The queues sized; undefined: the catalogue's default (all but those with a fixed concurrency). */
  queues?: string[];
  settings: AutoscaleSettings;
  sampleMs: number;
  cpuScope: "machine" | "process";
}

export function autoscaleConfig(config: Env): AutoscaleConfig {
  return {
    enabled: config.WORKER_AUTOSCALE,
    queues: config.WORKER_AUTOSCALE_QUEUES,
    settings: {
      ...DEFAULT_SETTINGS,
      min: config.WORKER_MIN_CONCURRENCY,
      max: config.WORKER_MAX_CONCURRENCY,
      cpuHigh: config.WORKER_AUTOSCALE_CPU_PERCENT / 100,
      memoryHigh: config.WORKER_AUTOSCALE_MEMORY_PERCENT / 100,
      eventLoopHighMs: config.WORKER_AUTOSCALE_EVENT_LOOP_MS,
      cooldownMs: config.WORKER_AUTOSCALE_COOLDOWN_MS,
      idleMs: config.WORKER_AUTOSCALE_IDLE_MS,
    },
    sampleMs: config.WORKER_AUTOSCALE_SAMPLE_MS,
    cpuScope: config.WORKER_AUTOSCALE_CPU_SCOPE,
  };
}

/** One reading of this process's load. */
export interface Load {
  cpu: number;
  memory: number;
  eventLoopP99Ms: number;
}

/** One queue's work: `waiting` and `active` across all workers, `running` in this process. */
export interface Demand {
  waiting: number;
  active: number;
  running: number;
}

export interface ScaleChange {
  from: number;
  to: number;
  reason: ScaleReason;
  at: number;
}

export interface ScaleState {
  concurrency: number;
  /** Where an idle queue settles: its configured concurrency, within [min, max]. */
  resting: number;
  lastChangeAt: number;
  pressureStreak: number;
  backlogStreak: number;
  /** Since when nothing has been waiting (null while something is). */
  idleSince: number | null;
  lastChange: ScaleChange | null;
}

export const clamp = (n: number, s: Pick<AutoscaleSettings, "min" | "max">) => Math.min(s.max, Math.max(s.min, Math.round(n)));

export function initialState(configured: number, s: AutoscaleSettings): ScaleState {
  const start = clamp(configured, s);
  return { concurrency: start, resting: start, lastChangeAt: -Infinity, pressureStreak: 0, backlogStreak: 0, idleSince: null, lastChange: null };
}

/** What is too high, most dangerous first (running out of memory kills the process). */
export function pressureOf(load: Load, s: AutoscaleSettings): "memory" | "cpu" | "event_loop" | null {
  if (load.memory > s.memoryHigh) return "memory";
  if (load.cpu > s.cpuHigh) return "cpu";
  if (load.eventLoopP99Ms > s.eventLoopHighMs) return "event_loop";
  return null;
}

/** Room for one more job at once: every signal clearly below its limit. */
export function hasHeadroom(load: Load, s: AutoscaleSettings): boolean {
  return load.cpu < s.cpuHigh - s.headroom && load.memory < s.memoryHigh - s.headroom && load.eventLoopP99Ms < s.eventLoopHighMs / 2;
}

/**
 * One sample's decision for one queue.
 * - Overloaded (memory, CPU or event loop) while this queue runs jobs here, for `sustain`
 *   samples: lower by a quarter (at least 1), down to min. Pressure wins over backlog.
 * - More jobs waiting than running (across all workers) and headroom, for `sustain`
 *   samples: raise by 1, up to max. Slow up, fast down, like TCP: it settles.
 * - Nothing waiting for `idleMs`: step back by 1 toward the configured concurrency, one
 *   step per `idleMs`; below it, an idle queue stays where it is (no work, no reason).
 * - Otherwise (the dead band between the thresholds): hold. No change within `cooldownMs`
 *   of the last one.
 */
export function decide(state: ScaleState, load: Load, demand: Demand, s: AutoscaleSettings, now: number): { state: ScaleState; change: ScaleChange | null } {
  const c = state.concurrency;
  const pressure = pressureOf(load, s);
  const backlog = demand.waiting > demand.active;
  const pressureStreak = pressure && demand.running > 0 ? state.pressureStreak + 1 : 0;
  const backlogStreak = backlog && !pressure && hasHeadroom(load, s) ? state.backlogStreak + 1 : 0;
  const idleSince = demand.waiting === 0 ? (state.idleSince ?? now) : null;
  const next: ScaleState = { ...state, pressureStreak, backlogStreak, idleSince };

  let to = c;
  let reason: ScaleReason | null = null;
  if (pressure && pressureStreak >= s.sustain) {
    if (c > s.min) [to, reason] = [Math.max(s.min, c - Math.max(1, Math.floor(c / 4))), pressure];
  } else if (!pressure && backlogStreak >= s.sustain) {
    if (c < s.max) [to, reason] = [c + 1, "backlog"];
  } else if (!pressure && idleSince !== null && now - idleSince >= s.idleMs && c > state.resting) {
    [to, reason] = [c - 1, "idle"];
  }
  if (!reason || now - state.lastChangeAt < s.cooldownMs) return { state: next, change: null };

  const change: ScaleChange = { from: c, to, reason, at: now };
  return {
    state: {
      ...next,
      concurrency: to,
      lastChangeAt: now,
      pressureStreak: 0,
      backlogStreak: 0,
      // The idle clock starts again: the next idle step is another `idleMs` away.
      idleSince: idleSince === null ? null : now,
      lastChange: change,
    },
    change,
  };
}

/** A queue's BullMQ worker as the autoscaler sees it (BullMQ 6's `concurrency` is settable while it runs). */
export interface ScaledQueue {
  queue: string;
  worker: { concurrency: number };
  /** The concurrency it was configured with (where an idle queue settles). */
  configured: number;
  /** False: it keeps its concurrency, and is only reported. */
  autoscaled: boolean;
}

export interface QueueSnapshot {
  queue: string;
  concurrency: number;
  autoscaled: boolean;
  running: number;
  lastChange: ScaleChange | null;
}

export interface AutoscaleSnapshot {
  enabled: boolean;
  min: number;
  max: number;
  load: Load | null;
  queues: QueueSnapshot[];
}

export interface AutoscalerOptions {
  queues: ScaledQueue[];
  enabled: boolean;
  settings: AutoscaleSettings;
  /** Time between samples. */
  intervalMs: number;
  sampleLoad(): Load;
  /** The queue's waiting (incl. prioritised) and active jobs across all workers. */
  readDemand(queue: string): Promise<{ waiting: number; active: number }>;
  /** Jobs of the queue running in this process now. */
  running(queue: string): number;
  logger: Logger;
  /** After each change has been applied (metrics). */
  onChange?(queue: string, change: ScaleChange): void;
  /** After each sample: the state to show others (the admin overview). Errors are logged. */
  report?(snapshot: AutoscaleSnapshot): Promise<void>;
  now?: () => number;
}

export interface Autoscaler {
  /** Takes one sample and acts on it (the timer calls it; tests may too). */
  tick(): Promise<void>;
  snapshot(): AutoscaleSnapshot;
  stop(): Promise<void>;
}

export function startAutoscaler(opts: AutoscalerOptions): Autoscaler {
  const now = opts.now ?? Date.now;
  const s = opts.settings;
  const states = new Map(opts.queues.filter((q) => q.autoscaled && opts.enabled).map((q) => [q.queue, initialState(q.configured, s)]));
  // The starting point is within [min, max] from the first job on.
  for (const q of opts.queues) {
    const state = states.get(q.queue);
    if (state && q.worker.concurrency !== state.concurrency) q.worker.concurrency = state.concurrency;
  }
  let load: Load | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> | null = null;
  // A queue whose counts cannot be read (Redis away) keeps its concurrency: one line per outage.
  const unreadable = new Set<string>();

  const snapshot = (): AutoscaleSnapshot => ({
    enabled: opts.enabled,
    min: s.min,
    max: s.max,
    load,
    queues: opts.queues.map((q) => ({
      queue: q.queue,
      concurrency: q.worker.concurrency,
      autoscaled: states.has(q.queue),
      running: opts.running(q.queue),
      lastChange: states.get(q.queue)?.lastChange ?? null,
    })),
  });

  async function sampleOnce(): Promise<void> {
    load = opts.sampleLoad();
    await Promise.all(
      [...states.entries()].map(async ([queue, state]) => {
        let counts: { waiting: number; active: number };
        try {
          counts = await opts.readDemand(queue);
          if (unreadable.delete(queue)) opts.logger.info({ queue }, "autoscale: queue counts readable again");
        } catch (err) {
          if (!unreadable.has(queue)) opts.logger.warn({ queue, err: (err as Error).message }, "autoscale: cannot read the queue's counts; keeping its concurrency");
          unreadable.add(queue);
          return;
        }
        const demand: Demand = { ...counts, running: opts.running(queue) };
        const { state: next, change } = decide(state, load!, demand, s, now());
        states.set(queue, next);
        if (!change) return;
        const worker = opts.queues.find((q) => q.queue === queue)!.worker;
        worker.concurrency = change.to;
        opts.onChange?.(queue, change);
        opts.logger.info(
          {
            queue,
            from: change.from,
            to: change.to,
            reason: change.reason,
            cpuPercent: Math.round(load!.cpu * 100),
            memoryPercent: Math.round(load!.memory * 100),
            eventLoopP99Ms: Math.round(load!.eventLoopP99Ms),
            waiting: demand.waiting,
            active: demand.active,
            running: demand.running,
          },
          `concurrency ${change.to > change.from ? "raised" : "lowered"} (${change.reason})`,
        );
      }),
    );
    if (opts.report) {
      await opts.report(snapshot()).catch((err: Error) => opts.logger.warn({ err: err.message }, "autoscale: could not report this worker's state"));
    }
  }

  async function tick(): Promise<void> {
    // Never two samples at once: a slow Redis makes samples late, not concurrent.
    if (current) return current;
    current = sampleOnce()
      .catch((err: Error) => opts.logger.error({ err: err.message }, "autoscale: sample failed"))
      .finally(() => (current = null));
    return current;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(schedule), opts.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    tick,
    snapshot,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
