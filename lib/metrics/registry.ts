// One Prometheus registry per process (web or worker), with Node's default metrics:
// event-loop lag, heap, GC, CPU, open handles. A process singleton because Next may load
// this module once per route bundle, and a metric registered twice is an error (the
// metric sets of web.ts and worker/metrics.ts are singletons for the same reason).
import { collectDefaultMetrics, Registry } from "prom-client";
import { singleton } from "@/lib/singleton";

export function metricsRegistry(): Registry {
  return singleton("metrics:registry", () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
    return registry;
  });
}
