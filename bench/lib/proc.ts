// Process facts read from Linux itself: resident memory from /proc, and which process owns
// a listening port or a TCP connection (via `ss`). Starting and stopping processes is
// test/processes.ts, shared with the fault tests.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Resident set size of a process in bytes (VmRSS), or NaN if it is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ: 100 on every usual kernel). */
const CLOCK_TICKS = 100;

/** CPU time (user + system, all threads) a process has used so far, in seconds; NaN if it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, so split after its ")").
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime: fields 14 and 15
  } catch {
    return NaN;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the samples in bytes. */
export function sampleRss(pid: number, everyMs = 20): { stop(): number[] } {
  const samples: number[] = [rssBytes(pid)];
  const timer = setInterval(() => samples.push(rssBytes(pid)), everyMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push(rssBytes(pid));
      return samples.filter((s) => Number.isFinite(s));
    },
  };
}

function ss(args: string[]): string {
  return execFileSync("ss", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}

/** The pid listening on a TCP port on this machine (the real server, not a launcher). */
export function listenerPid(port: number): number | undefined {
  try {
    const out = ss(["-ltnpH", `sport = :${port}`]);
    const pid = /pid=(\d+)/.exec(out)?.[1];
    return pid ? Number(pid) : undefined;
  } catch {
    return undefined;
  }
}

/** Local ports of the established TCP connections that `pid` holds to `remotePort`. */
export function connectionPorts(pid: number, remotePort: number): number[] {
  const out = ss(["-tnpH", "state", "established", `dport = :${remotePort}`]);
  const ports: number[] = [];
  for (const line of out.split("\n")) {
    if (!line.includes(`pid=${pid},`)) continue;
    const local = line.trim().split(/\s+/)[2]; // Recv-Q Send-Q Local Peer Process
    const port = Number(local?.slice(local.lastIndexOf(":") + 1));
    if (port) ports.push(port);
  }
  return ports;
}
