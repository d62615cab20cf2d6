import { stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCapture, runFfmpeg } from "@/lib/ffmpeg/run";
import { audioDir, joinAudio, makeSilence, makeTone } from "@/test/audio";
import { cutCompactPiece, planChunks, writeCompactAudio } from "./audio-chunks";

describe("planChunks", () => {
  it("keeps a recording that fits as one piece", () => {
    expect(planChunks(1200, 1200, 30)).toEqual([{ index: 0, start: 0, end: 1200 }]);
    expect(planChunks(45, 60, 10)).toEqual([{ index: 0, start: 0, end: 45 }]);
  });

  it("spreads equal pieces that overlap by the overlap and cover the whole recording", () => {
    const plan = planChunks(180, 60, 10);
    expect(plan).toEqual([
      { index: 0, start: 0, end: 52.5 },
      { index: 1, start: 42.5, end: 95 },
      { index: 2, start: 85, end: 137.5 },
      { index: 3, start: 127.5, end: 180 },
    ]);
  });

  it("never leaves a short tail: four hours in 20-minute pieces", () => {
    const plan = planChunks(4 * 3600 + 7, 1200, 30);
    expect(plan).toHaveLength(13);
    for (let i = 1; i < plan.length; i++) {
      expect(plan[i - 1].end - plan[i].start).toBeCloseTo(30, 2);
      expect(plan[i].end - plan[i].start).toBeLessThanOrEqual(1200);
      expect(plan[i].end - plan[i].start).toBeGreaterThan(1100);
    }
    expect(plan.at(-1)!.end).toBe(4 * 3600 + 7);
  });

  it("refuses an overlap that would make pieces mostly repeat each other", () => {
    expect(() => planChunks(100, 60, 30)).toThrow(RangeError);
  });
});

describe("writeCompactAudio and cutCompactPiece", () => {
  it("a piece of the compact copy is mono 16 kHz MP3, small, and starts exactly where asked, even from a VBR MP3", async () => {
    // A beep at 40 s of a 70 s recording, encoded as variable-bitrate MP3 (whose seeking is only approximate).
    const cbr = await joinAudio([await makeSilence(40), await makeTone(1, { frequency: 1000 }), await makeSilence(29)], { format: "mp3" });
    const vbr = path.join(audioDir(), "vbr.mp3");
    await runFfmpeg("ffmpeg", ["-v", "error", "-y", "-i", cbr, "-c:a", "libmp3lame", "-q:a", "6", vbr]);
    const compact = path.join(audioDir(), "compact.mp3");
    const progress: number[] = [];
    await writeCompactAudio(vbr, compact, { ffmpeg: "ffmpeg", durationSeconds: 70, onProgress: (f) => progress.push(f) });
    expect(progress.at(-1)).toBe(1);

    const piece = path.join(audioDir(), "piece.mp3");
    await cutCompactPiece(compact, piece, { ffmpeg: "ffmpeg", start: 32.5, seconds: 12.5 });
    const { stdout } = await runCapture("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,channels,sample_rate:format=duration", "-of", "json", piece]);
    const probe = JSON.parse(stdout) as { streams: { codec_name: string; channels: number; sample_rate: string }[]; format: { duration: string } };
    expect(probe.streams[0]).toMatchObject({ codec_name: "mp3", channels: 1, sample_rate: "16000" });
    expect(Number(probe.format.duration)).toBeCloseTo(12.5, 0);
    // 32 kbps: about 4 KB a second.
    expect((await stat(piece)).size).toBeLessThan(12.5 * 4_000 * 1.2);

    // The beep is 7.5 s into the piece (40 − 32.5), within a frame or two.
    const silences: string[] = [];
    await runFfmpeg("ffmpeg", ["-hide_banner", "-nostdin", "-i", piece, "-af", "silencedetect=n=-40dB:d=0.5", "-f", "null", "-"], { onStderrLine: (l) => silences.push(l) });
    const firstEnd = silences.map((l) => /silence_end: ([\d.]+)/.exec(l)).find(Boolean);
    expect(Math.abs(Number(firstEnd![1]) - 7.5)).toBeLessThan(0.04);
  });
});
