// Runs ffmpeg and ffprobe as child processes, so the heavy work happens outside the
// worker's event loop (its lock renewals and other jobs keep running). Progress comes
// from `-progress pipe:1`; errors keep the tail of stderr for the log and a short,
// readable reason for the user.
import { spawn } from "node:child_process";
import { DomainError } from "@/lib/errors";
import { createProgressParser } from "@/lib/vlogs/ffmpeg-args";

/** A failed render or probe, with a sentence for the user; `detail` (stderr) is for the log. */
export class FfmpegError extends DomainError {
  readonly code = "render_failed";
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
  signal?: AbortSignal;
  /** Seconds of output expected, for progress from `out_time_ms`. */
  totalSeconds?: number;
  onProgress?: (fraction: number) => void;
}

export function runFfmpeg(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(opts.signal.reason ?? new Error("aborted"));
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const parse = opts.onProgress && opts.totalSeconds ? createProgressParser(opts.totalSeconds, opts.onProgress) : null;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => parse?.(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-8_000);
    });
    const onAbort = () => child.kill("SIGKILL");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.once("error", (err: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener("abort", onAbort);
      reject(
        err.code === "ENOENT"
          ? new FfmpegError(`${bin} is not installed on the worker (Debian: apt-get install ffmpeg).`, "permanent")
          : new FfmpegError(`Could not start ${bin}: ${err.message}`, "transient"),
      );
    });
    child.once("close", (code, signal) => {
      opts.signal?.removeEventListener("abort", onAbort);
      if (opts.signal?.aborted) return reject(opts.signal.reason ?? new Error("aborted"));
      if (code === 0) return resolve();
      const lastLine = stderr.trim().split("\n").filter(Boolean).pop() ?? "";
      if (signal) return reject(new FfmpegError(`The renderer was stopped (${signal}).`, "transient", stderr));
      reject(new FfmpegError(`The renderer failed: ${lastLine.slice(0, 200) || `exit code ${code}`}`, "permanent", stderr));
    });
  });
}

export interface ProbeResult {
  durationSec: number;
  width: number;
  height: number;
  codec: string;
}

/** Duration, size and codec of a video file, read by ffprobe. */
export function probeVideo(bin: string, file: string): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,codec_name:format=duration", "-of", "json", file], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.stderr.on("data", (c: Buffer) => (err += c));
    child.once("error", (e) => reject(new FfmpegError(`Could not start ${bin}: ${e.message}`, "permanent")));
    child.once("close", (code) => {
      if (code !== 0) return reject(new FfmpegError(`The video could not be read back: ${err.trim().slice(0, 200)}`, "permanent", err));
      try {
        const json = JSON.parse(out) as { streams?: { width: number; height: number; codec_name: string }[]; format?: { duration?: string } };
        const stream = json.streams?.[0];
        if (!stream) throw new Error("no video stream");
        resolve({ durationSec: Number(json.format?.duration ?? 0), width: stream.width, height: stream.height, codec: stream.codec_name });
      } catch (e) {
        reject(new FfmpegError(`The video could not be read back: ${(e as Error).message}`, "permanent"));
      }
    });
  });
}
