// One Prometheus registry per process (web or worker), with Node's default metrics:
// event-loop lag, heap, GC, CPU, open handles. Kept on globalThis because Next may load
// this module once per route bundle, and a metric registered twice is an error.
import { collectDefaultMetrics, Registry } from "prom-client";

const holder = globalThis as unknown as { framecastRegistry?: Registry };

export function metricsRegistry(): Registry {
  if (!holder.framecastRegistry) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
    holder.framecastRegistry = registry;
  }
  return holder.framecastRegistry;
}

/** Creates a process-wide singleton (metric set) once, however many copies of a module exist. */
export function processSingleton<T>(key: string, create: () => T): T {
  const store = globalThis as unknown as Record<string, T | undefined>;
  const slot = `framecastMetrics:${key}`;
  store[slot] ??= create();
  return store[slot]!;
}
