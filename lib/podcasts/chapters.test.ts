import { describe, expect, it } from "vitest";
import { normaliseChapters, toChaptersJson } from "./chapters";

describe("chapters", () => {
  it("writes Podcasting 2.0 chapters 1.2.0 with a chapter at 0, in order, titles kept intact", () => {
    const json = toChaptersJson(
      [
        { startTime: 300, title: 'Q&A: "<you>" ask 🎧' },
        { startTime: 0.4, title: "  Intro \n  " },
        { startTime: 300, title: "duplicate" },
        { startTime: 120, title: "" },
        { startTime: 9999, title: "past the end" },
      ],
      3600,
    );
    expect(JSON.parse(JSON.stringify(json))).toEqual({
      version: "1.2.0",
      chapters: [
        { startTime: 0, title: "Intro" },
        { startTime: 120, title: "Chapter 2" },
        { startTime: 300, title: 'Q&A: "<you>" ask 🎧' },
      ],
    });
    expect(normaliseChapters([])).toEqual([]);
  });
});
