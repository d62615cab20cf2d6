import { describe, expect, it } from "vitest";
import type { AudioReply } from "./gemini-audio-reply";
import { combinePieceTexts, cutBetween, mergePieces, relabel, similarity, type Piece } from "./merge-pieces";
import type { TranscriptSegment } from "./transcript";

const reply = (over: Partial<AudioReply>): AudioReply => ({ title: "", summary: null, showNotes: null, keywords: [], chapters: [], transcript: [], language: "en", ...over });
const seg = (start: number, end: number, text: string, speaker: string | null = "Host"): TranscriptSegment => ({ start, end, speaker, text });

describe("mergePieces", () => {
  it("adds each piece's offset and takes the overlap from either side of its middle, once", () => {
    // Piece 1 hears 0–60, piece 2 hears 50–110: both transcribed "Sentence B" and "Sentence C".
    const pieces: Piece[] = [
      { start: 0, end: 60, reply: reply({ transcript: [seg(0, 4, "Sentence A."), seg(51, 54, "Sentence B."), seg(56, 59.5, "Sentence C.")] }) },
      { start: 50, end: 110, reply: reply({ transcript: [seg(1, 4, "Sentence B."), seg(6, 9.5, "Sentence C."), seg(20, 24, "Sentence D.")] }) },
    ];
    const merged = mergePieces(pieces, 110);
    expect(merged.transcript.map((s) => [s.start, s.text])).toEqual([
      [0, "Sentence A."],
      [51, "Sentence B."],
      [56, "Sentence C."],
      [70, "Sentence D."],
    ]);
    expect(cutBetween(pieces[0], pieces[1])).toBe(55);
  });

  it("drops the next piece's copy of a sentence that runs across the cut, even when split differently", () => {
    const pieces: Piece[] = [
      { start: 0, end: 60, reply: reply({ transcript: [seg(50, 58, "A long sentence that runs across the middle of the overlap.")] }) },
      {
        start: 50,
        end: 110,
        reply: reply({ transcript: [seg(0.2, 5.5, "A long sentence that runs"), seg(5.5, 8, "across the middle of the overlap."), seg(10, 14, "Then something new.")] }),
      },
    ];
    expect(mergePieces(pieces, 110).transcript.map((s) => s.text)).toEqual(["A long sentence that runs across the middle of the overlap.", "Then something new."]);
  });

  it("keeps the labels so far when the next piece swaps them, by what both pieces heard", () => {
    const pieces: Piece[] = [
      { start: 0, end: 60, reply: reply({ transcript: [seg(10, 14, "Welcome to the show.", "Speaker 1"), seg(52, 55, "Thanks for having me here.", "Speaker 2"), seg(56, 59, "So tell us about boats.", "Speaker 1")] }) },
      {
        start: 50,
        end: 110,
        reply: reply({ transcript: [seg(2, 5, "Thanks for having me here.", "Speaker 1"), seg(6, 9, "So, tell us about boats.", "Speaker 2"), seg(12, 16, "Boats float.", "Speaker 1"), seg(20, 22, "Indeed.", "Speaker 2")] }),
      },
    ];
    const merged = mergePieces(pieces, 110);
    expect(merged.transcript.map((s) => `${s.speaker}: ${s.text}`)).toEqual([
      "Speaker 1: Welcome to the show.",
      "Speaker 2: Thanks for having me here.",
      // Past the middle of the overlap (55 s): the second piece's wording.
      "Speaker 1: So, tell us about boats.",
      "Speaker 2: Boats float.",
      "Speaker 1: Indeed.",
    ]);
  });

  it("chapters: in the recording's time, one per place, the pieces' own starts dropped in the overlap", () => {
    const pieces: Piece[] = [
      { start: 0, end: 60, reply: reply({ chapters: [{ startTime: 0, title: "Intro" }, { startTime: 30, title: "Boats" }] }) },
      { start: 50, end: 110, reply: reply({ chapters: [{ startTime: 0, title: "Boats, continued" }, { startTime: 40, title: "Trains" }] }) },
    ];
    expect(mergePieces(pieces, 110).chapters).toEqual([
      { startTime: 0, title: "Intro" },
      { startTime: 30, title: "Boats" },
      { startTime: 90, title: "Trains" },
    ]);
    // A single chapter says nothing.
    expect(mergePieces([{ start: 0, end: 60, reply: reply({ chapters: [{ startTime: 0, title: "All" }] }) }], 60).chapters).toEqual([]);
  });

  it("the language of most of the speech", () => {
    const pieces: Piece[] = [
      { start: 0, end: 60, reply: reply({ language: "de", transcript: [seg(0, 2, "Hallo.")] }) },
      { start: 50, end: 110, reply: reply({ language: "en", transcript: [seg(10, 20, "A much longer stretch of English speech.")] }) },
    ];
    expect(mergePieces(pieces, 110).language).toBe("en");
  });
});

describe("relabel", () => {
  it("gives a label with no evidence a new name rather than merging two voices", () => {
    const kept = [seg(5, 8, "An earlier voice.", "Speaker 2"), seg(52, 55, "We start now.", "Speaker 1")];
    const before = kept.slice(1);
    // This piece calls the known voice "Speaker 2" and a voice not heard in the overlap "Speaker 1".
    const next = [seg(52, 55, "We start now.", "Speaker 2"), seg(70, 72, "Hello from a new voice.", "Speaker 1")];
    const out = relabel(next, before, { start: 50, end: 60 }, kept);
    expect(out.map((s) => s.speaker)).toEqual(["Speaker 1", "Speaker 3"]);
  });

  it("names and untouched labels pass through", () => {
    const before = [seg(52, 55, "Hi, I am Ada.", "Ada")];
    const next = [seg(52, 55, "Hi, I am Ada.", "Ada"), seg(60, 62, "And I am Grace.", "Grace"), seg(63, 64, "Music.", null)];
    expect(relabel(next, before, { start: 50, end: 60 }, before).map((s) => s.speaker)).toEqual(["Ada", "Grace", null]);
  });
});

describe("similarity", () => {
  it("is the share of words in common", () => {
    expect(similarity("So tell us about boats.", "So, tell us about boats!")).toBe(1);
    expect(similarity("Boats float.", "Trains run.")).toBe(0);
    expect(similarity("", "x")).toBe(0);
  });
});

describe("combinePieceTexts", () => {
  it("uses only what the pieces said: first title, summaries and notes in order, keywords by how often", () => {
    const texts = combinePieceTexts([
      { title: "Boats", summary: "Part one is about boats.", showNotes: "<p>Boats</p>", keywords: ["boats", "sea"] },
      { title: "Trains", summary: null, showNotes: null, keywords: ["Trains", "Sea"] },
    ]);
    expect(texts).toEqual({ title: "Boats", summary: "Part one is about boats.", showNotes: "<p>Boats</p>", keywords: ["sea", "boats", "Trains"] });
    expect(combinePieceTexts([{ title: "", summary: null, showNotes: null, keywords: [] }])).toEqual({ title: "", summary: null, showNotes: null, keywords: [] });
  });
});
