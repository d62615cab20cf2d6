// Fault-test support: real processes to kill and restart. A worker child process, a
// private redis-server and a private PostgreSQL cluster, each on a port from a range the
// caller owns, never the shared services. Every process started here is killed when the
// test process exits, however it exits.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");

// ---------------------------------------------------------------- cleanup on any exit

const cleanups = new Set<() => void>();
let hooked = false;

/** Registers a synchronous last-resort cleanup (runs on exit, even after a failed test). */
function onExit(fn: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      for (const f of cleanups) {
        try {
          f();
        } catch {
          /* best effort */
        }
      }
    });
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
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
  /** Everything it printed so far (stdout and stderr, interleaved). */
  output(): string;
  /** Resolves with the exit code (or signal name) once it has exited. */
  exited: Promise<number | string>;
  readonly running: boolean;
  kill(signal?: NodeJS.Signals): void;
  /** Waits until its output matches `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * A detached shell that outlives us by at most a second: when this test process is gone
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

export function startChild(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; name: string }): Child {
  const proc = spawn(command, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  const dismiss = watchdog(`kill -9 ${proc.pid} 2>/dev/null`);
  let out = "";
  let running = true;
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
    if (process.env.FAULT_TEST_VERBOSE) process.stderr.write(`[${opts.name}] ${chunk}`);
  };
  proc.stdout!.on("data", collect);
  proc.stderr!.on("data", collect);
  const unhook = onExit(() => {
    if (running) proc.kill("SIGKILL");
  });
  const exited = new Promise<number | string>((resolve) =>
    proc.once("exit", (code, signal) => {
      running = false;
      unhook();
      dismiss();
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    proc,
    pid: proc.pid!,
    output: () => out,
    exited,
    get running() {
      return running;
    },
    kill(signal = "SIGTERM") {
      if (running) proc.kill(signal);
    },
    async waitForOutput(pattern, timeoutMs = 60_000) {
      await waitFor(`${opts.name} to print ${pattern}`, async () => {
        if (pattern.test(out)) return true;
        if (!running) throw new Error(`${opts.name} exited: ${out.slice(-2000)}`);
        return false;
      }, timeoutMs);
    },
  };
}

/** Env for a worker child process: the given services, quick crash recovery by default. */
export function workerEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const base: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "TMPDIR", "LANG"]) if (process.env[key]) base[key] = process.env[key];
  return {
    ...base,
    NODE_ENV: "test",
    STORAGE_DRIVER: "local",
    GEMINI_API_KEY: "",
    // The metrics server's fixed default port would clash between test workers.
    WORKER_METRICS_PORT: "0",
    // A fault test counts jobs in flight: concurrency must not follow the machine's load.
    WORKER_AUTOSCALE: "false",
    ...vars,
  };
}

/** `tsx worker/index.ts` with the given environment; resolves once it has started. */
export async function startWorker(vars: Record<string, string>, name = "worker"): Promise<Child> {
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a grandchild that a
  // SIGKILL to the CLI would leave running.
  const child = startChild(process.execPath, ["--import", "tsx", "worker/index.ts"], { env: workerEnv(vars), name });
  await child.waitForOutput(/"msg":"worker started"/, 90_000);
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

export async function startPrivateRedis(opts: { portRange: [number, number]; appendfsync?: "always" | "everysec" }): Promise<PrivateRedis> {
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
          "--appendonly", "yes",
          "--appendfsync", opts.appendfsync ?? "everysec",
          "--save", "",
          "--maxmemory-policy", "noeviction",
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
