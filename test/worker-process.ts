// Runs the real worker entry point (worker/index.ts) as a child process for integration
// tests that need to know it survives what it is fed, or what it prints. It inherits the
// environment isolate() set up (schema, Redis prefix, data dir) plus any overrides.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it has printed so far, stdout and stderr interleaved. */
  output(): string;
  /** True while the process has not exited. */
  alive(): boolean;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
}

const root = path.resolve(__dirname, "..");
const STARTUP_MS = 45_000;

export async function startWorkerProcess(overrides: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "worker/index.ts"], {
    cwd: root,
    // No metrics server: its fixed port may be taken by another worker on this machine.
    // Info-level logs at least: "worker started" is how we know it is up (kept in memory).
    env: { ...process.env, WORKER_METRICS_PORT: "0", LOG_LEVEL: "info", ...overrides },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // Never outlive the test process, whatever happens to it.
  const killChild = () => child.kill("SIGKILL");
  process.once("exit", killChild);
  exited.then(() => process.off("exit", killChild));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      killChild();
      reject(new Error(`worker did not start within ${STARTUP_MS / 1000}s:\n${text}`));
    }, STARTUP_MS);
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (text.includes('"worker started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before starting:\n${text}`));
    });
  });
  return {
    child,
    output: () => text,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      return exited;
    },
  };
}
