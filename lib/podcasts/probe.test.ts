import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RejectedInputError } from "@/lib/errors";
import {
  audioDir,
  makeCoverJpeg,
  makeSpeech,
  truncated,
  withClaimedFlacDuration,
  withHugeId3,
  withLyingWavHeader,
} from "@/test/audio";
import { probeAudio, type ProbeOptions } from "./probe";

const OPTS: ProbeOptions = { ffprobe: "ffprobe", ffmpeg: "ffmpeg", maxMinutes: 240 };
const TEXT = "Welcome to the show. Today we talk about tags, covers and damaged files.";

async function rejection(p: Promise<unknown>): Promise<RejectedInputError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RejectedInputError);
  return err as RejectedInputError;
}

describe("probeAudio", () => {
  let tagged: string;
  let cover: string;
  beforeAll(async () => {
    cover = await makeCoverJpeg(64);
    tagged = await makeSpeech(TEXT, {
      format: "mp3",
      channels: 2,
      seconds: 12,
      cover,
      tags: { title: "Episode 1: Tags & <Covers> 🎙", artist: "Ada", album: "The Show", comment: "Recorded at home.", date: "2024" },
    });
  });

  it("reads sound, tags and cover art of a tagged MP3", async () => {
    const p = await probeAudio(tagged, OPTS);
    expect(p).toMatchObject({ container: "mp3", codec: "mp3", channels: 2, sampleRate: 44100, durationEstimated: false, notes: [] });
    expect(p.durationSeconds).toBeCloseTo(12, 0);
    expect(p.bitRate).toBeGreaterThan(120_000);
    expect(p.bitRate).toBeLessThan(136_000);
    expect(p.tags).toEqual({ title: "Episode 1: Tags & <Covers> 🎙", artist: "Ada", album: "The Show", comment: "Recorded at home.", year: 2024 });
    expect(p.cover?.mime).toBe("image/jpeg");
    expect(Buffer.from(p.cover!.bytes).equals(await import("node:fs/promises").then((fs) => fs.readFile(cover)))).toBe(true);
  });

  it.each([
    ["m4a", "aac"],
    ["wav", "pcm_s16le"],
    ["flac", "flac"],
    ["opus", "opus"],
    ["ogg", "vorbis"],
  ] as const)("reads %s (%s) with its title", async (format, codec) => {
    const file = await makeSpeech(TEXT, { format, tags: { title: `A ${format} title` } });
    const p = await probeAudio(file, OPTS);
    expect(p.codec).toBe(codec);
    expect(p.channels).toBe(1);
    expect(p.durationSeconds).toBeGreaterThan(3);
    if (format !== "wav") expect(p.tags.title).toBe(`A ${format} title`);
  });

  it("refuses a recording over the limit, saying how long it is", async () => {
    const flac = await makeSpeech("Short.", { format: "flac" });
    const long = await withClaimedFlacDuration(flac, 4 * 3600 + 12 * 60 + 5);
    const err = await rejection(probeAudio(long, OPTS));
    expect(err.reason).toBe("too_long");
    expect(err.message).toBe("This recording is 4 h 12 min; the limit is 240 minutes.");
  });

  it("refuses a text file named .mp3, an empty file, and a file with no audio track", async () => {
    const text = path.join(audioDir(), "notes.mp3");
    await writeFile(text, "These are my show notes, not audio.\n");
    const notAudio = await rejection(probeAudio(text, OPTS));
    expect(notAudio.reason).toBe("wrong_type");
    expect(notAudio.message).toMatch(/^This is not an audio file: it looks like a plain text file\./);

    const empty = path.join(audioDir(), "empty.mp3");
    await writeFile(empty, "");
    expect((await rejection(probeAudio(empty, OPTS))).reason).toBe("empty");

    const video = path.join(audioDir(), "silent-video.mp4");
    execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=64x64:d=1", "-c:v", "mpeg4", video]);
    const err = await rejection(probeAudio(video, OPTS));
    expect(err.reason).toBe("unsupported");
    expect(err.message).toBe("This file has no audio track.");
  });

  it("refuses audio that does not decode: garbage behind an ID3 tag", async () => {
    const fake = path.join(audioDir(), "fake.mp3");
    await writeFile(fake, Buffer.concat([Buffer.from("ID3\x03\x00\x00\x00\x00\x00\x00", "latin1"), Buffer.alloc(50_000, 7)]));
    const err = await rejection(probeAudio(fake, OPTS));
    expect(err.reason).toBe("damaged");
    expect(err.message).toMatch(/could not be decoded/);
  });

  it("refuses a truncated FLAC at once", async () => {
    const flac = await makeSpeech(TEXT, { format: "flac", seconds: 30 });
    const err = await rejection(probeAudio(await truncated(flac, 0.5), OPTS));
    expect(err.reason).toBe("damaged");
    expect(err.message).toMatch(/ends early: it says it is 30 s long/);
  });

  it("believes the bytes, not a WAV header claiming 4 GB", async () => {
    const wav = await makeSpeech(TEXT, { format: "wav" });
    const p = await probeAudio(await withLyingWavHeader(wav), OPTS);
    const honest = await probeAudio(wav, OPTS);
    expect(p.durationSeconds).toBeCloseTo(honest.durationSeconds, 1);
  });

  it("does not load a huge ID3 tag: tags come from ffprobe and a note says why", async () => {
    const huge = await withHugeId3(tagged, 3 * 1024 * 1024);
    const p = await probeAudio(huge, { ...OPTS, maxTagBytes: 1024 * 1024 });
    expect(p.codec).toBe("mp3");
    expect(p.tags.title).toBe("Padded");
    expect(p.cover).toBeNull();
    expect(p.notes.join(" ")).toMatch(/tags take 3\.0 MB, more than the 1\.0 MB read/);
    // Under the default limit the same file is read normally.
    expect((await probeAudio(huge, OPTS)).tags.title).toBe("Padded");
  });

  it("drops cover art over the size limit, with a note", async () => {
    const p = await probeAudio(tagged, { ...OPTS, maxCoverBytes: 100 });
    expect(p.cover).toBeNull();
    expect(p.tags.title).toMatch(/^Episode 1/);
    expect(p.notes.join(" ")).toMatch(/cover art is .* more than/);
  });
});
