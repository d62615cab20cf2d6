// Process facts read from Linux itself: resident memory from /proc, which process owns a
// listening port or a TCP connection (via `ss`), and child processes that stop cleanly.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
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

export interface Child {
  proc: ChildProcess;
  name: string;
  /** Everything the process printed, for error messages. */
  output(): string;
  /** Resolves with the first output line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(timeoutMs?: number): Promise<void>;
}

const running = new Set<Child>();

/** Spawns a process whose output is kept (and echoed with BENCH_VERBOSE=1). */
export function startChild(name: string, command: string, args: string[], opts: SpawnOptions = {}): Child {
  const proc = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  let out = "";
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    out = (out + text).slice(-20_000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(text.replace(/^/gm, `[${name}] `));
    for (const line of text.split("\n")) {
      for (const w of [...watchers]) {
        if (w.pattern.test(line)) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const child: Child = {
    proc,
    name,
    output: () => out,
    waitFor(pattern, timeoutMs = 60_000) {
      if (out.split("\n").some((l) => pattern.test(l))) return Promise.resolve(out);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no ${pattern} within ${timeoutMs} ms. Output:\n${out.slice(-3000)}`)), timeoutMs);
        watchers.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (code ${proc.exitCode}). Output:\n${out.slice(-3000)}`));
        });
      });
    },
    async stop(timeoutMs = 15_000) {
      running.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(child);
  return child;
}

/** Last-resort cleanup when the runner is interrupted: kill what we started, by pid. */
export function killAllChildren(): void {
  for (const child of running) {
    if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
  }
  running.clear();
}
