import { describe, expect, it } from "vitest";
import { FfmpegError, runCapture, runFfmpeg } from "./run";

const tone = (seconds: number) => ["-hide_banner", "-nostdin", "-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`];

describe("runFfmpeg", () => {
  it("reports progress up to 1 and how much was written", async () => {
    const seen: number[] = [];
    const res = await runFfmpeg("ffmpeg", [...tone(3), "-progress", "pipe:1", "-nostats", "-f", "null", "-"], {
      totalSeconds: 3,
      onProgress: (f) => seen.push(f),
    });
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1])).toBe(true);
    expect(res.outSeconds).toBeCloseTo(3, 1);
  });

  it("hands over every stderr line (filter reports) as it comes", async () => {
    const lines: string[] = [];
    await runFfmpeg("ffmpeg", [...tone(1), "-af", "volumedetect", "-f", "null", "-"], { onStderrLine: (l) => lines.push(l) });
    expect(lines.some((l) => /mean_volume: -?[\d.]+ dB/.test(l))).toBe(true);
  });

  it("kills the child when aborted", async () => {
    const ac = new AbortController();
    const started = Date.now();
    const run = runFfmpeg("ffmpeg", ["-hide_banner", "-re", "-f", "lavfi", "-i", "sine=duration=600", "-f", "null", "-"], { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("stop")), 300);
    await expect(run).rejects.toThrow("stop");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("fails with a readable, permanent error naming the tool", async () => {
    const err = await runFfmpeg("ffmpeg", ["-hide_banner", "-i", "/nonexistent/file.wav", "-f", "null", "-"], { label: "The audio encoder" }).catch((e) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err.kind).toBe("permanent");
    expect(err.message).toMatch(/^The audio encoder failed: .*No such file or directory/);
  });

  it("says when the tool is not installed", async () => {
    const err = await runFfmpeg("/no/such/ffmpeg", ["-version"]).catch((e) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err.message).toMatch(/not installed/);
  });
});

describe("runCapture", () => {
  it("returns stdout and refuses more than the limit", async () => {
    const { stdout } = await runCapture("ffprobe", ["-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-show_entries", "stream=codec_type", "-of", "json"]);
    expect(JSON.parse(stdout).streams[0].codec_type).toBe("audio");
    const big = runCapture("ffmpeg", [...tone(5), "-f", "s16le", "pipe:1"], { maxStdoutBytes: 10_000, label: "ffmpeg" });
    await expect(big).rejects.toThrow(/more than 10000 bytes/);
  });
});
