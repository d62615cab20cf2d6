import { beforeAll, describe, expect, it } from "vitest";
import { joinAudio, makeSilence, makeSpeech } from "@/test/audio";
import { analyseAudio } from "./analyse";
import { chaptersFromSilences, createSilenceCollector, detectSilences, isSilenceOnly, soundSeconds } from "./silence";

describe("chaptersFromSilences", () => {
  const s = (start: number, end: number) => ({ start, end });

  it("always starts a chapter at 0, and one where each long pause ends (a little before the talking)", () => {
    expect(chaptersFromSilences([], 600)).toEqual([0]);
    expect(chaptersFromSilences([s(200, 203), s(400, 402.5)], 600)).toEqual([0, 202.75, 402.25]);
  });

  it("ignores short pauses and keeps chapters at least the minimum apart, preferring the longest pauses", () => {
    const silences = [s(100, 101), s(150, 152), s(170, 175), s(300, 302)];
    // 100–101 is too short; 170–175 (5 s) beats 150–152 (2 s), which would be too close to it.
    expect(chaptersFromSilences(silences, 600, { minChapterSeconds: 60 })).toEqual([0, 174.75, 301.75]);
  });

  it("makes no tiny last chapter, no chapter in a silence that runs to the end, and caps the count", () => {
    expect(chaptersFromSilences([s(550, 553)], 600, { minChapterSeconds: 120 })).toEqual([0]);
    expect(chaptersFromSilences([s(300, 600)], 600)).toEqual([0]);
    const many = Array.from({ length: 100 }, (_, i) => s(i * 10 + 5, i * 10 + 8));
    expect(chaptersFromSilences(many, 1000, { minChapterSeconds: 5, maxChapters: 10 })).toHaveLength(10);
  });
});

describe("createSilenceCollector", () => {
  it("pairs starts and ends and closes a silence that runs to the end", () => {
    const c = createSilenceCollector();
    c.line("[silencedetect @ 0x1] silence_start: 1.5");
    c.line("[silencedetect @ 0x1] silence_end: 4.25 | silence_duration: 2.75");
    c.line("[silencedetect @ 0x1] silence_start: 9");
    expect(c.finish(12)).toEqual([
      { start: 1.5, end: 4.25 },
      { start: 9, end: 12 },
    ]);
    expect(soundSeconds([{ start: 1.5, end: 4.25 }, { start: 9, end: 12 }], 12)).toBeCloseTo(6.25);
  });
});

describe("silence in real audio", () => {
  let episode: string;
  beforeAll(async () => {
    const part = (n: number) => makeSpeech(`This is part ${n} of the episode. It has a few sentences of speech, and then a pause.`, { seconds: 8 });
    episode = await joinAudio([await part(1), await makeSilence(3), await part(2), await makeSilence(4, { noiseDb: -65 }), await part(3)], { format: "mp3" });
  });

  it("finds the pauses between parts, and chapters start where the talking resumes", async () => {
    const { silences, decodedSeconds } = await detectSilences(episode, { ffmpeg: "ffmpeg" });
    expect(decodedSeconds).toBeCloseTo(31, 0);
    const long = silences.filter((x) => x.end - x.start >= 2.5);
    expect(long).toHaveLength(2);
    // The speech loops fill each 8 s part up to its end, so each pause starts at 8 s / 19 s.
    expect(long[0].start).toBeGreaterThan(7);
    expect(long[0].end).toBeCloseTo(11, 0);
    expect(long[1].end).toBeCloseTo(23, 0);
    const chapters = chaptersFromSilences(silences, decodedSeconds, { minChapterSeconds: 5 });
    expect(chapters).toHaveLength(3);
    expect(chapters[0]).toBe(0);
    expect(chapters[1]).toBeCloseTo(10.75, 0);
    expect(chapters[2]).toBeCloseTo(22.75, 0);
  });

  it("analyses loudness and pauses in one decode", async () => {
    const a = await analyseAudio(episode, { ffmpeg: "ffmpeg", durationSeconds: 31 });
    expect(a.silenceOnly).toBe(false);
    expect(a.loudness.integratedLufs).toBeGreaterThan(-30);
    expect(a.silences.filter((x) => x.end - x.start >= 2.5)).toHaveLength(2);
  });

  it("knows a recording of silence or faint hiss has no speech", async () => {
    for (const file of [await makeSilence(10, { format: "mp3" }), await makeSilence(10, { noiseDb: -60, format: "flac" })]) {
      const a = await analyseAudio(file, { ffmpeg: "ffmpeg" });
      expect(a.silenceOnly).toBe(true);
      expect(isSilenceOnly(a.silences, a.decodedSeconds)).toBe(true);
    }
  });
});
