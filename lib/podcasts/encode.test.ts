import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseFile } from "music-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import { audioDir, makeCoverJpeg, makeSilence, makeSpeech } from "@/test/audio";
import { buildFfmetadata, encodeEpisode, escapeFfmetadata } from "./encode";
import { measureLoudness } from "./loudness";

const SPEECH =
  "Welcome to the Framecast test podcast. In this episode we talk about loudness, chapters and transcripts. " +
  "Podcasts should sound the same from one episode to the next, so every recording is normalised. Thank you for listening.";

const ffprobe = (file: string, ...args: string[]) => JSON.parse(execFileSync("ffprobe", ["-v", "error", "-of", "json", ...args, file], { encoding: "utf8" }));

describe("encodeEpisode", () => {
  let stereo: string;
  beforeAll(async () => {
    // Quiet on purpose (−30 dB): the encoder has to lift it by ~10 LU and hold the peaks.
    stereo = await makeSpeech(SPEECH, { format: "wav", channels: 2, seconds: 30, gainDb: -10 });
  });

  it("publishes −16 LUFS, true peak ≤ −1 dBTP, MP3 CBR 128k stereo 44.1 kHz with tags and chapters", async () => {
    const output = path.join(audioDir(), "episode.mp3");
    const cover = await makeCoverJpeg(300);
    const progress: number[] = [];
    const result = await encodeEpisode({
      ffmpeg: "ffmpeg",
      input: stereo,
      output,
      durationSeconds: 30,
      channels: 2,
      tags: { title: 'Episode 7: Fish & Chips <live> "at last" 🎙️', artist: "Ada Lovelace", album: "The Framecast Show", comment: "Notes; with = signs # and \\ slashes", date: "2025" },
      chapters: [
        { startTime: 0, title: "Intro" },
        { startTime: 12.5, title: "Loudness & peaks" },
        { startTime: 24, title: "Goodbye 👋" },
      ],
      coverFile: cover,
      onProgress: (f) => progress.push(f),
    });

    // What a listener's app would measure.
    const after = await measureLoudness(output, { ffmpeg: "ffmpeg" });
    expect(result.loudnessAfter).toEqual(after);
    expect(after.integratedLufs).not.toBeNull();
    expect(Math.abs(after.integratedLufs! - -16)).toBeLessThanOrEqual(1);
    expect(after.truePeakDbtp!).toBeLessThanOrEqual(-1);

    const probe = ffprobe(output, "-show_format", "-show_streams", "-show_chapters");
    const audio = probe.streams.find((s: { codec_type: string }) => s.codec_type === "audio");
    expect(audio).toMatchObject({ codec_name: "mp3", sample_rate: "44100", channels: 2, bit_rate: "128000" });
    expect(Number(probe.format.duration)).toBeCloseTo(30, 0);
    expect(probe.format.tags).toMatchObject({
      title: 'Episode 7: Fish & Chips <live> "at last" 🎙️',
      artist: "Ada Lovelace",
      album: "The Framecast Show",
      comment: "Notes; with = signs # and \\ slashes",
      genre: "Podcast",
    });
    expect(probe.chapters.map((c: { start_time: string; end_time: string; tags: { title: string } }) => [Number(c.start_time), Number(c.end_time), c.tags.title])).toEqual([
      [0, 12.5, "Intro"],
      [12.5, 24, "Loudness & peaks"],
      [24, 30, "Goodbye 👋"],
    ]);
    expect(probe.streams.some((s: { disposition: { attached_pic: number } }) => s.disposition.attached_pic === 1)).toBe(true);
    // ID3v2.3 with CHAP frames, as a tag reader other than ffmpeg sees it.
    const tags = await parseFile(output, { includeChapters: true });
    expect(tags.format.tagTypes).toEqual(["ID3v2.3"]);
    expect(tags.common.picture?.[0].format).toBe("image/jpeg");
    expect(tags.format.chapters?.map((c) => [c.start, c.title])).toEqual([
      [0, "Intro"],
      [12.5, "Loudness & peaks"],
      [24, "Goodbye 👋"],
    ]);

    // Speech's peaks forbid one gain of ~15 dB (−31 → −16 LUFS): this is the limiter's path.
    expect(result).toMatchObject({ channels: 2, bitrateKbps: 128, sampleRate: 44100, normalization: "limited" });
    expect(result.loudnessBefore.integratedLufs!).toBeLessThan(-25);
    expect(result.durationSeconds).toBeCloseTo(30, 0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1])).toBe(true);
    expect(progress.filter((f) => f > 0 && f < 1).length).toBeGreaterThan(0);
    expect(readdirSync(audioDir()).some((f) => f.endsWith(".part") || f.endsWith(".ffmeta"))).toBe(false);
  });

  it("makes a mono 64 kbps file from mono speech, reusing the analysis measurement", async () => {
    const mono = await makeSpeech(SPEECH, { format: "flac", seconds: 20 });
    const loudness = await measureLoudness(mono, { ffmpeg: "ffmpeg" });
    const output = path.join(audioDir(), "mono.mp3");
    const result = await encodeEpisode({ ffmpeg: "ffmpeg", input: mono, output, durationSeconds: 20, channels: 1, loudness, tags: { title: "Mono" } });
    const audio = ffprobe(output, "-show_streams").streams[0];
    expect(audio).toMatchObject({ codec_name: "mp3", channels: 1, sample_rate: "44100", bit_rate: "64000" });
    const after = await measureLoudness(output, { ffmpeg: "ffmpeg" });
    expect(Math.abs(after.integratedLufs! - -16)).toBeLessThanOrEqual(1);
    expect(after.truePeakDbtp!).toBeLessThanOrEqual(-1);
    expect(result.loudnessBefore).toBe(loudness);
  });

  it("encodes silence without trying to normalise it", async () => {
    const silent = await makeSilence(12);
    const output = path.join(audioDir(), "silent.mp3");
    const result = await encodeEpisode({ ffmpeg: "ffmpeg", input: silent, output, durationSeconds: 12, channels: 1, tags: { title: "Nothing" } });
    expect(result.normalization).toBe("none");
    expect(result.loudnessAfter.integratedLufs).toBeNull();
    expect(existsSync(output)).toBe(true);
  });

  it("stops when aborted and leaves no file behind", async () => {
    const long = await makeSpeech(SPEECH, { format: "wav", seconds: 240 });
    const output = path.join(audioDir(), "aborted.mp3");
    const ac = new AbortController();
    const run = encodeEpisode({
      ffmpeg: "ffmpeg",
      input: long,
      output,
      durationSeconds: 240,
      channels: 1,
      tags: { title: "Aborted" },
      signal: ac.signal,
      onProgress: (f) => f > 0.05 && ac.abort(new Error("worker shutting down")),
    });
    await expect(run).rejects.toThrow("worker shutting down");
    expect(existsSync(output)).toBe(false);
    expect(existsSync(`${output}.part`)).toBe(false);
  });
});

describe("buildFfmetadata", () => {
  it("escapes what FFMETADATA treats specially and orders chapters, ending each at the next", () => {
    expect(escapeFfmetadata("a=b;c#d\\e\nf")).toBe("a\\=b\\;c\\#d\\\\e\\\nf");
    const text = buildFfmetadata({ title: "T = 1", album: "Show" }, [
      { startTime: 60, title: "Two" },
      { startTime: 0, title: "One" },
      { startTime: 60, title: "Duplicate start" },
      { startTime: 500, title: "After the end" },
    ], 90.5);
    expect(text).toBe(
      [";FFMETADATA1", "title=T \\= 1", "album=Show", "genre=Podcast", "", "[CHAPTER]", "TIMEBASE=1/1000", "START=0", "END=60000", "title=One", "", "[CHAPTER]", "TIMEBASE=1/1000", "START=60000", "END=90500", "title=Two", ""].join("\n"),
    );
  });
});
