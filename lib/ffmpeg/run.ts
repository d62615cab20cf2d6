// Runs ffmpeg and ffprobe as child processes, so the heavy work happens outside the
// worker's event loop (its lock renewals and other jobs keep running). Shared by vlog
// rendering and podcast audio. Progress comes from `-progress pipe:1`; stderr is handed
// over line by line (filters such as silencedetect and loudnorm report there) and only its
// tail is kept, so memory stays bounded however long the input; errors carry a short,
// readable reason for the user and the tail of stderr for the log.
import { spawn } from "node:child_process";
import { DomainError } from "@/lib/errors";
import { createLineSplitter, createProgressReader } from "./progress";

export class FfmpegError extends DomainError {
  readonly code = "media_tool_failed";
  constructor(
    message: string,
    /** permanent: the same input will fail again; transient: killed, out of memory, … */
    readonly kind: "permanent" | "transient",
    readonly detail?: string,
  ) {
    super(message);
    this.name = "FfmpegError";
  }
}

export interface RunOptions {
  /** Aborting kills the child (SIGKILL) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Seconds of output expected, for progress from `out_time_us` (needs `-progress pipe:1`). */
  totalSeconds?: number;
  onProgress?: (fraction: number) => void;
  /** Every line ffmpeg writes to stderr, as it arrives. */
  onStderrLine?: (line: string) => void;
  /** Who failed, for messages: "The renderer failed: …". Default "ffmpeg". */
  label?: string;
}

export interface RunResult {
  /** The last few KB of stderr. */
  stderrTail: string;
  /** The last `out_time` from `-progress pipe:1`, in seconds; null without -progress. */
  outSeconds: number | null;
}

const STDERR_TAIL = 8_000;

export function runFfmpeg(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const label = opts.label ?? "ffmpeg";
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(opts.signal.reason ?? new Error("aborted"));
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let outSeconds: number | null = null;
    const total = opts.totalSeconds ?? 0;
    const readProgress = createProgressReader(
      (seconds) => {
        outSeconds = seconds;
        if (opts.onProgress && total > 0) opts.onProgress(Math.min(1, seconds / total));
      },
      () => opts.onProgress?.(1),
    );
    const stderrLines = opts.onStderrLine ? createLineSplitter(opts.onStderrLine) : null;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", readProgress);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
      stderrLines?.push(chunk);
    });
    const onAbort = () => child.kill("SIGKILL");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.once("error", (err: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener("abort", onAbort);
      reject(spawnError(bin, err));
    });
    child.once("close", (code, signal) => {
      opts.signal?.removeEventListener("abort", onAbort);
      stderrLines?.end();
      if (opts.signal?.aborted) return reject(opts.signal.reason ?? new Error("aborted"));
      if (code === 0) return resolve({ stderrTail: stderr, outSeconds });
      if (signal) return reject(new FfmpegError(`${label} was stopped (${signal}).`, "transient", stderr));
      reject(new FfmpegError(`${label} failed: ${lastLine(stderr) || `exit code ${code}`}`, "permanent", stderr));
    });
  });
}

export interface CaptureOptions {
  signal?: AbortSignal;
  /** Refuse (and kill the child) past this much stdout. Default 16 MB. */
  maxStdoutBytes?: number;
  label?: string;
}

/** Runs a tool (typically ffprobe with `-of json`) and returns its stdout and stderr. */
export function runCapture(bin: string, args: readonly string[], opts: CaptureOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const label = opts.label ?? bin;
  const max = opts.maxStdoutBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(opts.signal.reason ?? new Error("aborted"));
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = "";
    let overflow = false;
    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > max) {
        overflow = true;
        child.kill("SIGKILL");
        return;
      }
      out.push(chunk);
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    const onAbort = () => child.kill("SIGKILL");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.once("error", (err: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener("abort", onAbort);
      reject(spawnError(bin, err));
    });
    child.once("close", (code, signal) => {
      opts.signal?.removeEventListener("abort", onAbort);
      if (opts.signal?.aborted) return reject(opts.signal.reason ?? new Error("aborted"));
      if (overflow) return reject(new FfmpegError(`${label} wrote more than ${max} bytes; its output was refused.`, "permanent", stderr));
      if (code === 0) return resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr });
      if (signal) return reject(new FfmpegError(`${label} was stopped (${signal}).`, "transient", stderr));
      reject(new FfmpegError(`${label} failed: ${lastLine(stderr) || `exit code ${code}`}`, "permanent", stderr));
    });
  });
}

function spawnError(bin: string, err: NodeJS.ErrnoException): FfmpegError {
  return err.code === "ENOENT"
    ? new FfmpegError(`${bin} is not installed on the worker (Debian: apt-get install ffmpeg).`, "permanent")
    : new FfmpegError(`Could not start ${bin}: ${err.message}`, "transient");
}

function lastLine(stderr: string): string {
  return (stderr.trim().split("\n").filter(Boolean).pop() ?? "").slice(0, 200);
}
