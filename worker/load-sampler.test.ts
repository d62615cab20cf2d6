// Reading a container's limits from its cgroup files (v1 and v2) and sampling real load.
import { describe, expect, it } from "vitest";
import { cgroupPaths, createLoadSampler, parseCpuLimit, parseMemoryLimit, statField } from "./load-sampler";

describe("cgroup files", () => {
  it("finds the process's own cgroup directory (v2) or per-controller ones (v1)", () => {
    const v2 = cgroupPaths("0::/system.slice/framecast.service\n", (d) => d === "/sys/fs/cgroup/system.slice/framecast.service/memory.max");
    expect(v2).toEqual({ version: 2, memory: "/sys/fs/cgroup/system.slice/framecast.service", cpu: "/sys/fs/cgroup/system.slice/framecast.service", cpuacct: "/sys/fs/cgroup/system.slice/framecast.service" });
    const inContainer = cgroupPaths("0::/\n", () => false);
    expect(inContainer?.memory).toBe("/sys/fs/cgroup");
    const v1 = cgroupPaths("4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n", (d) => ["/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory/docker/abc"].includes(d));
    expect(v1).toEqual({ version: 1, memory: "/sys/fs/cgroup/memory/docker/abc", cpu: "/sys/fs/cgroup/cpu", cpuacct: "/sys/fs/cgroup/cpuacct" });
  });

  it("reads limits, treating 'max' and v1's huge number as none", () => {
    expect(parseMemoryLimit("max")).toBeNull();
    expect(parseMemoryLimit("9223372036854771712")).toBeNull();
    expect(parseMemoryLimit("536870912")).toBe(512 * 1024 * 1024);
    expect(parseCpuLimit("max 100000")).toBeNull();
    expect(parseCpuLimit("150000 100000")).toBe(1.5);
    expect(parseCpuLimit("-1", "100000")).toBeNull();
    expect(parseCpuLimit("200000", "100000")).toBe(2);
    expect(statField("anon 5\ninactive_file 1234\nactive_file 9", "inactive_file")).toBe(1234);
    expect(statField(null, "usage_usec")).toBe(0);
  });
});

describe("createLoadSampler", () => {
  it("sees this process burn CPU and its event loop stall; the machine's share includes it", async () => {
    const own = createLoadSampler({ cpuScope: "process" });
    const machine = createLoadSampler({ cpuScope: "machine" });
    try {
      await new Promise((r) => setTimeout(r, 50)); // the delay monitor's timer is running
      own.sample();
      machine.sample();
      // (The monitor measures from its first tick after a reset: a stall right at a sample counts in the next.)
      await new Promise((r) => setTimeout(r, 30));
      const until = Date.now() + 300;
      while (Date.now() < until); // one core flat out (as much as a shared machine gives), the event loop blocked
      await new Promise((r) => setTimeout(r, 20));
      const mine = own.sample();
      const all = machine.sample();
      // Of all cores: one busy core on an idle 2-core machine is 0.5; on a shared one, less.
      expect(mine.cpu).toBeGreaterThan(0.02);
      expect(all.cpu).toBeGreaterThanOrEqual(mine.cpu * 0.9);
      expect(mine.eventLoopP99Ms).toBeGreaterThan(200);
      expect(mine.memory).toBeGreaterThan(0);
      expect(mine.memory).toBeLessThan(1);
    } finally {
      own.close();
      machine.close();
    }
  });
});
