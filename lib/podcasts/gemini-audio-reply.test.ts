import { GenerateContentResponse } from "@google/genai";
import { describe, expect, it } from "vitest";
import { AiError, MalformedReplyError } from "@/lib/ai/errors";
import { cleanLanguage, parseAudioReply, parseTextsReply, parseTimestamp } from "./gemini-audio-reply";

function response(text: string | undefined, finishReason = "STOP"): GenerateContentResponse {
  return Object.assign(new GenerateContentResponse(), {
    candidates: [{ content: { role: "model", parts: text === undefined ? [] : [{ text }] }, finishReason }],
  });
}

const full = {
  language: "en-us",
  transcript: [
    { start: "00:00", end: "00:04.5", speaker: "Ada", text: "  Hello   and welcome. " },
    { start: "1:02", end: "1:05", speaker: "", text: "Unnamed voice." },
    { start: "0:10", end: "0:12", speaker: "Ada", text: "" },
  ],
  chapters: [
    { startTime: "00:00", title: "Welcome" },
    { startTime: "01:00", title: "Boats" },
  ],
  title: "Boats",
  summary: "",
  showNotes: "<p>Boats.</p>",
  keywords: [" boats ", ""],
};

describe("parseTimestamp", () => {
  it.each([
    ["00:00", 0],
    ["01:02", 62],
    ["1:02:03.5", 3723.5],
    ["12,5", 12.5],
    ["83.25s", 83.25],
    [42, 42],
  ])("%s → %s", (input, seconds) => expect(parseTimestamp(input)).toBe(seconds));
  it.each(["", "1:75", "soon", -3, null, "1:2:3:4"])("%s is not a time", (input) => expect(parseTimestamp(input)).toBeNaN());
});

describe("parseAudioReply", () => {
  it("reads times as seconds, trims text, drops empty segments, keeps empty texts as null", () => {
    const r = parseAudioReply(response(JSON.stringify(full)), 120);
    expect(r.transcript).toEqual([
      { start: 0, end: 4.5, speaker: "Ada", text: "Hello   and welcome." },
      { start: 62, end: 65, speaker: null, text: "Unnamed voice." },
    ]);
    expect(r.chapters).toEqual([
      { startTime: 0, title: "Welcome" },
      { startTime: 60, title: "Boats" },
    ]);
    expect(r).toMatchObject({ title: "Boats", summary: null, showNotes: "<p>Boats.</p>", keywords: ["boats"], language: "en-US" });
  });

  it("a reply with no transcript, no JSON or no text is malformed; a refusal is permanent", () => {
    const { transcript: _, ...withoutTranscript } = full;
    expect(() => parseAudioReply(response(JSON.stringify(withoutTranscript)), 120)).toThrow(MalformedReplyError);
    expect(() => parseAudioReply(response("Here is the transcript: …"), 120)).toThrow(MalformedReplyError);
    expect(() => parseAudioReply(response('{"transcript": [', "MAX_TOKENS"), 120)).toThrow(/cut short/);
    expect(() => parseAudioReply(response(undefined), 120)).toThrow(MalformedReplyError);
    const refused = (() => {
      try {
        parseAudioReply(response(undefined, "SAFETY"), 120);
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(AiError);
    expect(refused).toMatchObject({ kind: "permanent" });
  });

  it("times outside the piece: a stray one is dropped, a transcript of them is malformed", () => {
    const stray = { ...full, transcript: [...full.transcript.slice(0, 2), { start: "05:00", end: "05:02", speaker: "Ada", text: "Past the end." }] };
    expect(parseAudioReply(response(JSON.stringify(stray)), 120).transcript).toHaveLength(2);
    const lost = { ...full, transcript: [{ start: "later", end: "", speaker: "Ada", text: "When?" }] };
    expect(() => parseAudioReply(response(JSON.stringify(lost)), 120)).toThrow(/no usable time/);
  });

  it("silence: an empty transcript is a valid reply", () => {
    const r = parseAudioReply(response(JSON.stringify({ ...full, transcript: [], chapters: [], title: "", keywords: [] })), 60);
    expect(r.transcript).toEqual([]);
    expect(r.title).toBe("");
  });
});

describe("parseTextsReply", () => {
  it("reads the four texts", () => {
    expect(parseTextsReply(response(JSON.stringify({ title: "T", summary: "S.", showNotes: "", keywords: ["a"] })))).toEqual({ title: "T", summary: "S.", showNotes: null, keywords: ["a"] });
  });
});

describe("cleanLanguage", () => {
  it.each([
    ["en", "en"],
    ["EN_us", "en-US"],
    ["pt-BR", "pt-BR"],
    ["English", null],
    ["", null],
  ])("%s → %s", (input, tag) => expect(cleanLanguage(input)).toBe(tag));
});
