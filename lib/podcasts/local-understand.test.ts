import { describe, expect, it } from "vitest";
import { joinAudio, makeSilence, makeSpeech } from "@/test/audio";
import { analyseAudio } from "./analyse";
import { NO_RECOGNISER, NO_SPEECH, titleFromFileName, understandLocally } from "./local-understand";

describe("titleFromFileName", () => {
  it.each([
    ["episode-12_the-big-one.mp3", "Episode 12 the big one"],
    ["C:\\Users\\ada\\Podcasts\\Fish & Chips (final) (1).wav", "Fish & Chips (final)"],
    ["interview with grace final.m4a", "Interview with grace"],
    ["/tmp/uploads/my.show.2024.flac", "My show 2024"],
    ["REC_0001.WAV", "Untitled episode"],
    ["3f2c9a1b-5e4d-4c3b-9a8f-1e2d3c4b5a69.mp3", "Untitled episode"],
    ["   .mp3", "Untitled episode"],
    ["über_café 🎙️.ogg", "Über café 🎙️"],
  ])("%s → %s", (name, title) => expect(titleFromFileName(name)).toBe(title));
});

describe("understandLocally", () => {
  it("uses the tags' title and comment, chapters from pauses, and says plainly there is no transcript", async () => {
    const part = (n: number) => makeSpeech(`Part ${n}. A few sentences about the subject of part ${n}.`, { seconds: 8 });
    const file = await joinAudio([await part(1), await makeSilence(3), await part(2), await makeSilence(3), await part(3)], { format: "mp3" });
    const analysis = await analyseAudio(file, { ffmpeg: "ffmpeg" });
    const u = understandLocally({
      fileName: "ep3_final.mp3",
      tags: { title: "Episode 3: Parts", comment: "Three parts, recorded in one go.", artist: "Ada" },
      durationSeconds: analysis.decodedSeconds,
      silences: analysis.silences,
      silenceOnly: analysis.silenceOnly,
      chapterPlacement: { minChapterSeconds: 5 },
    });
    expect(u).toMatchObject({
      title: "Episode 3: Parts",
      summary: "Three parts, recorded in one go.",
      showNotes: null,
      keywords: [],
      transcript: null,
      transcriptUnavailableReason: NO_RECOGNISER,
      model: "local",
      noSpeech: false,
    });
    expect(u.chapters.map((c) => c.title)).toEqual(["Chapter 1", "Chapter 2", "Chapter 3"]);
    expect(u.chapters[1].startTime).toBeCloseTo(10.75, 0);
  });

  it("names an untagged file from its name, invents no summary, and gives no single-chapter list", () => {
    const u = understandLocally({ fileName: "the_weekly-show.wav", tags: {}, durationSeconds: 300, silences: [], silenceOnly: false });
    expect(u.title).toBe("The weekly show");
    expect(u.summary).toBeNull();
    expect(u.chapters).toEqual([]);
  });

  it("reports a silent recording as having no speech", async () => {
    const silent = await makeSilence(12, { format: "mp3" });
    const a = await analyseAudio(silent, { ffmpeg: "ffmpeg" });
    const u = understandLocally({ fileName: "silence.mp3", tags: {}, durationSeconds: a.decodedSeconds, silences: a.silences, silenceOnly: a.silenceOnly });
    expect(u).toMatchObject({ noSpeech: true, transcript: null, transcriptUnavailableReason: NO_SPEECH, chapters: [] });
  });
});
