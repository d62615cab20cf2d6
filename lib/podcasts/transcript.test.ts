import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { audioDir } from "@/test/audio";
import { normaliseSegments, toPlainText, toSrt, toTranscriptJson, toWebVtt, type TranscriptSegment } from "./transcript";

const SEGMENTS: TranscriptSegment[] = [
  { start: 0, end: 2.5, speaker: "Ada & <Bob>", text: 'Fish & chips <b>not bold</b> "quoted" 🎙️ --> arrow' },
  { start: 2.5, end: 3661.2345, speaker: null, text: "Line one\n\n\nline   two" },
  { start: 3661.5, end: 3662, speaker: "Ada & <Bob>", text: "   " },
];

describe("toWebVtt", () => {
  it("escapes markup in text and speaker names and keeps a cue's lines together", () => {
    expect(toWebVtt(SEGMENTS)).toBe(
      [
        "WEBVTT",
        "",
        "00:00:00.000 --> 00:00:02.500",
        '<v Ada &amp; &lt;Bob&gt;>Fish &amp; chips &lt;b&gt;not bold&lt;/b&gt; "quoted" 🎙️ --&gt; arrow',
        "",
        "00:00:02.500 --> 01:01:01.235",
        "Line one",
        "line two",
        "",
      ].join("\n"),
    );
  });

  it("is read back by ffmpeg's WebVTT parser with the same words and times", () => {
    const file = path.join(audioDir(), "t.vtt");
    writeFileSync(file, toWebVtt(SEGMENTS));
    const srt = execFileSync("ffmpeg", ["-v", "error", "-i", file, "-f", "srt", "-"], { encoding: "utf8" });
    expect(srt).toContain("00:00:00,000 --> 00:00:02,500");
    expect(srt).toContain('Fish & chips <b>not bold</b> "quoted" 🎙️ --> arrow');
    expect(srt).toContain("01:01:01,235");
  });
});

describe("toSrt", () => {
  it("numbers cues, uses comma milliseconds and names speakers", () => {
    expect(toSrt(SEGMENTS)).toBe(
      [
        "1",
        "00:00:00,000 --> 00:00:02,500",
        'Ada & <Bob>: Fish & chips <b>not bold</b> "quoted" 🎙️ --> arrow',
        "",
        "2",
        "00:00:02,500 --> 01:01:01,235",
        "Line one",
        "line two",
        "",
      ].join("\n"),
    );
  });
});

describe("toTranscriptJson", () => {
  it("writes the Podcasting 2.0 JSON transcript, which survives a JSON round trip", () => {
    const json = toTranscriptJson(SEGMENTS);
    expect(JSON.parse(JSON.stringify(json))).toEqual({
      version: "1.0.0",
      segments: [
        { speaker: "Ada & <Bob>", startTime: 0, endTime: 2.5, body: 'Fish & chips <b>not bold</b> "quoted" 🎙️ --> arrow' },
        { startTime: 2.5, endTime: 3661.235, body: "Line one\nline two" },
      ],
    });
  });
});

describe("normaliseSegments and toPlainText", () => {
  it("orders segments, fixes impossible times and joins a speaker's turns", () => {
    const segs = normaliseSegments([
      { start: 5, end: 4, text: "later" },
      { start: -1, end: 1, speaker: " Ada ", text: "first" },
    ]);
    expect(segs).toEqual([
      { start: 0, end: 1, speaker: "Ada", text: "first" },
      { start: 5, end: 5.001, speaker: null, text: "later" },
    ]);
    expect(toPlainText([{ start: 0, end: 1, speaker: "Ada", text: "Hi." }, { start: 1, end: 2, speaker: "Ada", text: "Again." }, { start: 2, end: 3, speaker: "Bob", text: "Hello." }])).toBe(
      "Ada: Hi. Again.\n\nBob: Hello.",
    );
  });

  it("transcribes nothing into an empty but valid file", () => {
    expect(toWebVtt([])).toBe("WEBVTT\n");
    expect(toSrt([])).toBe("");
    expect(toTranscriptJson([])).toEqual({ version: "1.0.0", segments: [] });
  });
});
