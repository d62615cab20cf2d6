// Reads this worker's load for the autoscaler: CPU and memory use as shares of what the
// process may use (a container's cgroup limits when it has them, else the machine's), and
// the event loop's p99 delay since the previous sample. Thin on purpose: the decisions are
// in worker/autoscale.ts; the parsing of cgroup files is exported for its unit test.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Load } from "./autoscale";

export type CpuScope = "machine" | "process";

/** Where the cgroup files are: v2 (one tree) or v1 (a tree per controller). */
export interface CgroupPaths {
  version: 1 | 2;
  memory: string;
  cpu: string;
  cpuacct: string;
}

const ROOT = "/sys/fs/cgroup";
// cgroup v1 writes "no limit" as a huge number (PAGE_COUNTER_MAX pages).
const NO_LIMIT = 2 ** 60;

function read(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
}

/** This process's cgroup directories, from the text of /proc/self/cgroup. */
export function cgroupPaths(procSelfCgroup: string, exists: (dir: string) => boolean, root = ROOT): CgroupPaths | null {
  const lines = procSelfCgroup.split("\n").filter(Boolean).map((l) => l.split(":"));
  const v1 = (controller: string) => {
    const line = lines.find(([, controllers]) => controllers.split(",").includes(controller));
    const dir = `${root}/${controller}`;
    // Inside a container's namespace the path is "/" and the mount is already its own.
    const own = line ? `${dir}${line.slice(2).join(":")}` : dir;
    return exists(own) ? own : dir;
  };
  if (exists(`${root}/memory`) || exists(`${root}/cpuacct`)) {
    return { version: 1, memory: v1("memory"), cpu: v1("cpu"), cpuacct: v1("cpuacct") };
  }
  const unified = lines.find(([id]) => id === "0");
  if (!unified) return null;
  const own = `${root}${unified.slice(2).join(":")}`.replace(/\/$/, "");
  const dir = exists(`${own}/memory.max`) ? own : root;
  return { version: 2, memory: dir, cpu: dir, cpuacct: dir };
}

/** The memory limit in bytes from memory.max (v2) or memory.limit_in_bytes (v1); null when unlimited. */
export function parseMemoryLimit(text: string | null): number | null {
  if (!text || text === "max") return null;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 && n < NO_LIMIT ? n : null;
}

/** CPUs allowed by cpu.max ("200000 100000" → 2) or cfs quota/period (v1); null when unlimited. */
export function parseCpuLimit(quota: string | null, period?: string | null): number | null {
  if (!quota) return null;
  const [q, p] = period === undefined ? quota.split(/\s+/) : [quota, period];
  const qn = Number(q);
  const pn = Number(p);
  return q === "max" || !(qn > 0) || !(pn > 0) ? null : qn / pn;
}

/** A field of memory.stat or cpu.stat ("inactive_file 123"), or 0. */
export function statField(text: string | null, field: string): number {
  const line = text?.split("\n").find((l) => l.startsWith(`${field} `));
  return line ? Number(line.slice(field.length + 1)) || 0 : 0;
}

interface Limits {
  memoryBytes: number | null;
  cpus: number | null;
}

function limitsOf(paths: CgroupPaths | null): Limits {
  if (!paths) return { memoryBytes: null, cpus: null };
  if (paths.version === 2) {
    return { memoryBytes: parseMemoryLimit(read(`${paths.memory}/memory.max`)), cpus: parseCpuLimit(read(`${paths.cpu}/cpu.max`)) };
  }
  return {
    memoryBytes: parseMemoryLimit(read(`${paths.memory}/memory.limit_in_bytes`)),
    cpus: parseCpuLimit(read(`${paths.cpu}/cpu.cfs_quota_us`), read(`${paths.cpu}/cpu.cfs_period_us`)),
  };
}

/** The cgroup's working set (usage without reclaimable page cache), as the kernel's OOM killer sees it. */
function cgroupMemoryUsed(paths: CgroupPaths): number | null {
  if (paths.version === 2) {
    const current = Number(read(`${paths.memory}/memory.current`));
    return current > 0 ? current - statField(read(`${paths.memory}/memory.stat`), "inactive_file") : null;
  }
  const usage = Number(read(`${paths.memory}/memory.usage_in_bytes`));
  return usage > 0 ? usage - statField(read(`${paths.memory}/memory.stat`), "total_inactive_file") : null;
}

/** Microseconds of CPU the cgroup has used, all its processes together. */
function cgroupCpuMicros(paths: CgroupPaths): number | null {
  if (paths.version === 2) return statField(read(`${paths.cpu}/cpu.stat`), "usage_usec") || null;
  const ns = Number(read(`${paths.cpuacct}/cpuacct.usage`));
  return ns > 0 ? ns / 1_000 : null;
}

function machineCpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

export interface LoadSampler {
  /** The load since the previous call (the first call: since the sampler started). */
  sample(): Load;
  /** What the sampler found: the container's limits, if any. */
  readonly limits: Limits;
  close(): void;
}

export function createLoadSampler(opts: { cpuScope: CpuScope }): LoadSampler {
  const paths = process.platform === "linux" ? cgroupPaths(read("/proc/self/cgroup") ?? "", existsSync) : null;
  const limits = limitsOf(paths);
  const cpus = limits.cpus ?? os.availableParallelism();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();

  let at = process.hrtime.bigint();
  let own = process.cpuUsage();
  let machine = machineCpuTimes();
  let group = paths && limits.cpus ? cgroupCpuMicros(paths) : null;

  return {
    limits,
    sample(): Load {
      const nowAt = process.hrtime.bigint();
      const elapsedMicros = Math.max(1, Number(nowAt - at) / 1_000);
      const ownNow = process.cpuUsage();
      const processShare = (ownNow.user - own.user + ownNow.system - own.system) / (elapsedMicros * cpus);
      let cpu = processShare;
      if (opts.cpuScope === "machine") {
        // A container with a CPU limit: its own usage against that limit. Otherwise the
        // machine's: ffmpeg children, and anything else on the box, slow our jobs too.
        const groupNow = paths && limits.cpus ? cgroupCpuMicros(paths) : null;
        const machineNow = machineCpuTimes();
        const machineShare =
          groupNow !== null && group !== null
            ? (groupNow - group) / (elapsedMicros * cpus)
            : (machineNow.busy - machine.busy) / Math.max(1, machineNow.total - machine.total);
        cpu = Math.max(processShare, machineShare);
        machine = machineNow;
        group = groupNow;
      }
      at = nowAt;
      own = ownNow;

      const used = limits.memoryBytes && paths ? cgroupMemoryUsed(paths) : null;
      const memory = used !== null && limits.memoryBytes ? used / limits.memoryBytes : 1 - os.freemem() / os.totalmem();

      // percentile() is in ns; NaN before the first delay was recorded.
      const p99 = loop.percentile(99) / 1e6;
      loop.reset();
      return { cpu: clampShare(cpu), memory: clampShare(memory), eventLoopP99Ms: Number.isFinite(p99) ? p99 : 0 };
    },
    close() {
      loop.disable();
    },
  };
}

const clampShare = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);
