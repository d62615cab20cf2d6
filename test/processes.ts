// Real processes for tests and benchmarks: start one with its output kept, wait for a line
// it prints, see that output in every failure, and stop it with everything it started.
// Each child leads a process group of its own, so a stop reaches its children too (tsx's
// esbuild, a worker's ffmpeg), and nothing outlives the process that started it: an exit
// hook kills every group still running, and a watchdog shell does the same within a second
// when this process dies by SIGKILL and runs no hook at all. Also: a private redis-server
// and PostgreSQL cluster for fault tests, on ports the caller owns, never the shared ones.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { WORKER_MALLOC_ENV, WORKER_NODE_FLAGS, workerMallocEnv } from "@/scripts/node-flags.mjs";

const ROOT = path.resolve(__dirname, "..");
/** Kept of a child's output: the tail, so a chatty long-lived server cannot eat the memory. */
const MAX_OUTPUT = 4 * 1024 * 1024;

// ---------------------------------------------------------------- cleanup on any exit

const cleanups = new Set<() => void>();
let hooked = false;

/** Registers a synchronous last-resort cleanup (runs on exit, even after a failed test). */
function onExit(fn: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on("exit", runCleanups);
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function runCleanups() {
  for (const f of [...cleanups]) {
    try {
      f();
    } catch {
      /* best effort */
    }
  }
}

/** Kills every child still running now (e.g. from a SIGINT handler that then exits). */
export function killAll(): void {
  runCleanups();
}

// ---------------------------------------------------------------- waiting

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` until it returns a truthy value, or fails after `timeoutMs` with `what`.
 * A bounded wait, not a timed assertion: the bound is generous and only stops a hung test.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`);
    }
    await sleep(everyMs);
  }
}

/** The first port in [from, to] that nothing listens on. */
export async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`No free port in ${from}-${to}`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** Awaits `work` for at most `ms`; logs and moves on if it takes longer (for cleanup). */
export async function bounded(what: string, work: Promise<unknown> | undefined, ms = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`[cleanup] ${what} did not finish within ${ms} ms; moving on`);
      resolve();
    }, ms);
  });
  await Promise.race([Promise.resolve(work).catch((err) => console.error(`[cleanup] ${what}: ${(err as Error).message}`)), timeout]);
  clearTimeout(timer);
}

// ---------------------------------------------------------------- child processes

export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly name: string;
  /** Everything it printed so far (stdout and stderr interleaved; the last 4 MB). */
  output(): string;
  /** Resolves with the exit code (or signal name) once it has exited. */
  readonly exited: Promise<number | string>;
  readonly running: boolean;
  /**
   * Sends `signal` to the process itself, as a supervisor would. Once it has exited,
   * anything it left behind in its process group is killed too.
   */
  kill(signal?: NodeJS.Signals): void;
  /**
   * Resolves with the first line of its output matching `pattern` (printed before or
   * after the call); rejects with the output if it exits or `timeoutMs` passes first.
   */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL to its whole group after `graceMs`; resolves with how it exited. */
  stop(graceMs?: number): Promise<number | string>;
}

export interface ChildOptions {
  /** Prefixes its echoed output and names it in errors. */
  name: string;
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Default: the repository root. */
  cwd?: string;
}

/**
 * A detached shell that outlives us by at most a second: when this process is gone
 * (even by SIGKILL, when no exit handler runs) it runs `command`, e.g. kills a child.
 */
export function watchdog(command: string): () => void {
  const sentinel = spawn("sh", ["-c", `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${command}`], {
    detached: true,
    stdio: "ignore",
  });
  sentinel.unref();
  // Call once the thing it guards is gone, so it can never act on a reused pid.
  return () => sentinel.kill("SIGKILL");
}

/** SIGKILL to a process group; quiet when it is already empty. */
function killGroup(pid: number) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* nothing left in it */
  }
}

/** Echo children's output to stderr (prefixed with their name) when debugging. */
const verbose = () => Boolean(process.env.FAULT_TEST_VERBOSE || process.env.BENCH_VERBOSE);

export function startChild(command: string, args: string[], opts: ChildOptions): Child {
  const { name } = opts;
  // detached: the child leads a new process group, which is what `kill -- -pid` reaches.
  const proc = spawn(command, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = proc.pid;
  const dismiss = watchdog(`kill -9 -${pid} 2>/dev/null`);
  const unhook = onExit(() => killGroup(pid));
  let out = "";
  let running = true;
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
    // Trimmed back to the limit only once it is twice that: trimming on every chunk past the
    // limit copied 4 MB per chunk, and a chatty child (the web process's access lines under
    // load) then kept this process busy copying — in the bench, the process that generates
    // the load and times the answers, so every figure measured late in a run was inflated.
    if (out.length > 2 * MAX_OUTPUT) out = out.slice(-MAX_OUTPUT);
    if (verbose()) process.stderr.write(chunk.toString().replace(/^/gm, `[${name}] `));
    for (const check of [...waiters]) check();
  };
  proc.stdout!.on("data", collect);
  proc.stderr!.on("data", collect);
  proc.once("error", (err) => collect(Buffer.from(`${name}: ${err.message}\n`)));
  const exited = new Promise<number | string>((resolve) =>
    proc.once("exit", (code, signal) => {
      running = false;
      killGroup(pid);
      unhook();
      dismiss();
      for (const check of [...waiters]) check();
      resolve(code ?? signal ?? -1);
    }),
  );
  const child: Child = {
    proc,
    pid,
    name,
    output: () => out,
    exited,
    get running() {
      return running;
    },
    kill(signal = "SIGTERM") {
      if (running) proc.kill(signal);
    },
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise<string>((resolve, reject) => {
        const finish = (err: Error | null, line = "") => {
          waiters.delete(check);
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(line);
        };
        const check = () => {
          const match = pattern.exec(out);
          if (match) {
            const from = out.lastIndexOf("\n", match.index) + 1;
            const to = out.indexOf("\n", match.index);
            finish(null, out.slice(from, to < 0 ? undefined : to));
          } else if (!running) {
            finish(new Error(`${name} exited before printing ${pattern}:\n${out.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => finish(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop(graceMs = 15_000) {
      if (!running) return exited;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => killGroup(pid), graceMs);
      const how = await exited;
      clearTimeout(timer);
      return how;
    },
  };
  return child;
}

/** The few variables a child needs from ours when it should not inherit the rest. */
function essentials(): Record<string, string> {
  const base: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "TMPDIR", "LANG"]) if (process.env[key]) base[key] = process.env[key]!;
  return base;
}

/** Env for a worker child process that inherits nothing of ours but the given services. */
export function workerEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return { ...essentials(), NODE_ENV: "test", STORAGE_DRIVER: "local", GEMINI_API_KEY: "", ...vars };
}

export interface WorkerOptions {
  name?: string;
  /** The environment `vars` are added to. Default: workerEnv() (nothing inherited). */
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/** The real worker (worker/index.ts) with `vars` added to its environment; resolves once it has started. */
export async function startWorker(vars: Record<string, string> = {}, opts: WorkerOptions = {}): Promise<Child> {
  const base = opts.env ?? workerEnv({});
  const env: NodeJS.ProcessEnv = {
    ...base,
    // The metrics server's fixed default port would clash between workers on one machine.
    WORKER_METRICS_PORT: "0",
    // Tests and benchmarks count jobs in flight: concurrency must not follow the machine's load.
    WORKER_AUTOSCALE: "false",
    // Its "worker started" line (info) is how we know it is up.
    LOG_LEVEL: "info",
    ...vars,
  };
  // glibc's malloc settings and the V8 flags it ships with (scripts/node-flags.mjs), as
  // `npm start` and `npm run worker` start it, unless `vars` or `opts` say otherwise.
  const malloc = workerMallocEnv(env);
  for (const name of Object.keys(WORKER_MALLOC_ENV)) delete env[name];
  Object.assign(env, malloc);
  const nodeArgs = [...WORKER_NODE_FLAGS, ...(opts.nodeArgs ?? [])];
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a grandchild that a
  // signal to the CLI would not reach.
  const child = startChild(process.execPath, [...nodeArgs, "--import", "tsx", path.join(ROOT, "worker/index.ts")], {
    env,
    name: opts.name ?? "worker",
  });
  try {
    await child.waitForOutput(/"msg":"worker started"/, 90_000);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return child;
}

// ---------------------------------------------------------------- private Redis

export interface PrivateRedis {
  port: number;
  url: string;
  dir: string;
  readonly running: boolean;
  start(): Promise<void>;
  /** Graceful stop (SHUTDOWN via SIGTERM: the AOF is flushed). */
  stop(): Promise<void>;
  /** kill -9: whatever was not yet fsynced to the AOF is lost. */
  crash(): Promise<void>;
  destroy(): Promise<void>;
}

export interface PrivateRedisOptions {
  portRange: readonly [number, number];
  /** AOF fsync policy; `"off"` runs without an AOF (nothing survives a restart). Default everysec. */
  appendfsync?: "always" | "everysec" | "off";
  /** Default noeviction, what BullMQ needs; a test of the readiness check wants another. */
  maxmemoryPolicy?: string;
}

export async function startPrivateRedis(opts: PrivateRedisOptions): Promise<PrivateRedis> {
  const port = await freePort(...opts.portRange);
  const dir = await mkdtemp(path.join(os.tmpdir(), `framecast-redis-${port}-`));
  let child: Child | null = null;
  const self: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get running() {
      return child?.running ?? false;
    },
    async start() {
      child = startChild(
        "redis-server",
        [
          "--port", String(port),
          "--bind", "127.0.0.1",
          "--dir", dir,
          ...(opts.appendfsync === "off" ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", opts.appendfsync ?? "everysec"]),
          "--save", "",
          "--maxmemory-policy", opts.maxmemoryPolicy ?? "noeviction",
          "--daemonize", "no",
        ],
        { name: `redis:${port}` },
      );
      await child.waitForOutput(/Ready to accept connections/, 30_000);
    },
    async stop() {
      if (!child?.running) return;
      child.kill("SIGTERM");
      await child.exited;
    },
    async crash() {
      if (!child?.running) return;
      child.kill("SIGKILL");
      await child.exited;
    },
    async destroy() {
      await self.crash();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}

// ---------------------------------------------------------------- private PostgreSQL

/** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<v>/bin). */
export function postgresBin(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, "bin/pg_ctl"))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!newest) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
  return path.join(base, newest, "bin");
}

export interface PrivatePostgres {
  port: number;
  url(database?: string): string;
  readonly running: boolean;
  start(): Promise<void>;
  /** pg_ctl stop -m fast: sessions are cut, the server shuts down cleanly. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** Runs a PostgreSQL tool as the postgres user (initdb and postgres refuse to run as root). */
function asPostgres(tool: string, args: string[]): { status: number | null; output: string } {
  const bin = path.join(postgresBin(), tool);
  const asRoot = process.getuid?.() === 0;
  const result = asRoot
    ? spawnSync("runuser", ["-u", "postgres", "--", bin, ...args], { encoding: "utf8" })
    : spawnSync(bin, args, { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}` };
}

export async function startPrivatePostgres(opts: { portRange: [number, number] }): Promise<PrivatePostgres> {
  const port = await freePort(...opts.portRange);
  const dir = await mkdtemp(path.join(os.tmpdir(), `framecast-pg-${port}-`));
  const data = path.join(dir, "data");
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    await chown(dir, uid, gid);
    await chmod(dir, 0o700);
  }
  const init = asPostgres("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.output}`);
  let running = false;
  const stopNow = () => asPostgres("pg_ctl", ["-D", data, "stop", "-m", "immediate", "-w"]);
  // SIGQUIT to the postmaster is an immediate shutdown; then the directory goes.
  const dismiss = watchdog(`[ -f ${data}/postmaster.pid ] && kill -QUIT $(head -1 ${data}/postmaster.pid) 2>/dev/null; sleep 2; rm -rf ${dir}`);
  const unhook = onExit(() => {
    if (running) stopNow();
  });
  const self: PrivatePostgres = {
    port,
    url: (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    get running() {
      return running;
    },
    async start() {
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
      const result = asPostgres("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "log"), "-w", "-t", "60", "start"]);
      if (result.status !== 0) throw new Error(`pg_ctl start failed: ${result.output}`);
      running = true;
      await waitFor(`postgres on ${port}`, () => portOpen(port), 30_000);
    },
    async stop() {
      if (!running) return;
      const result = asPostgres("pg_ctl", ["-D", data, "stop", "-m", "fast", "-w", "-t", "60"]);
      if (result.status !== 0) throw new Error(`pg_ctl stop failed: ${result.output}`);
      running = false;
    },
    async destroy() {
      if (running) stopNow();
      running = false;
      unhook();
      dismiss();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}
