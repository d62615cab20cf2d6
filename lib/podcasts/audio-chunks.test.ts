import { stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCapture } from "@/lib/ffmpeg/run";
import { audioDir, makeSpeech } from "@/test/audio";
import { planChunks, writeCompactAudio } from "./audio-chunks";

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

describe("writeCompactAudio", () => {
  it("cuts one piece as mono 16 kHz MP3 of the right length", async () => {
    const speech = await makeSpeech("One two three four five six seven eight nine ten.", { seconds: 30, format: "wav", channels: 2 });
    const out = path.join(audioDir(), "piece.mp3");
    await writeCompactAudio(speech, out, { ffmpeg: "ffmpeg", start: 10, seconds: 12.5 });
    const { stdout } = await runCapture("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,channels,sample_rate:format=duration", "-of", "json", out]);
    const probe = JSON.parse(stdout) as { streams: { codec_name: string; channels: number; sample_rate: string }[]; format: { duration: string } };
    expect(probe.streams[0]).toMatchObject({ codec_name: "mp3", channels: 1, sample_rate: "16000" });
    expect(Number(probe.format.duration)).toBeCloseTo(12.5, 0);
    // 32 kbps: about 4 KB a second, a fraction of the 44.1 kHz stereo WAV's 176 KB.
    expect((await stat(out)).size).toBeLessThan(12.5 * 4_000 * 1.2);
  });
});
