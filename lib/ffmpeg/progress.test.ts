import { describe, expect, it } from "vitest";
import { createLineSplitter, createProgressParser } from "./progress";

describe("createProgressParser", () => {
  it("reads real progress from -progress output (out_time_ms is in microseconds)", () => {
    const seen: number[] = [];
    const feed = createProgressParser(10, (f) => seen.push(f));
    feed("frame=30\nout_time_ms=2500000\nprogress=continue\nout_time_");
    feed("ms=5000000\nprogress=continue\n");
    feed("out_time_ms=10000000\nprogress=end\n");
    expect(seen).toEqual([0.25, 0.5, 1, 1]);
  });

  it("ignores N/A times and never reports more than 1", () => {
    const seen: number[] = [];
    const feed = createProgressParser(2, (f) => seen.push(f));
    feed("out_time_us=N/A\nout_time_us=3000000\n");
    expect(seen).toEqual([1]);
  });
});

describe("createLineSplitter", () => {
  it("joins lines split across chunks, accepts CR (ffmpeg's stats) and flushes the last line", () => {
    const lines: string[] = [];
    const s = createLineSplitter((l) => lines.push(l));
    s.push("[silencedetect @ 0x1] silence_st");
    s.push("art: 1.5\rsize=N/A\n\nlast");
    s.end();
    expect(lines).toEqual(["[silencedetect @ 0x1] silence_start: 1.5", "size=N/A", "last"]);
  });
});
