import { describe, expect, it } from "vitest";
import { formatClock, indexAt, parseClock } from "./timecode";

describe("chapter and player times", () => {
  it("shows times the way podcast apps do", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(65.9)).toBe("1:05");
    expect(formatClock(3729)).toBe("1:02:09");
    expect(formatClock(Number.NaN)).toBe("0:00");
  });

  it("reads what a person types for a chapter start, and refuses typos", () => {
    expect(parseClock("75")).toBe(75);
    expect(parseClock("1:15")).toBe(75);
    expect(parseClock(" 01:15 ")).toBe(75);
    expect(parseClock("1:02:09")).toBe(3729);
    expect(parseClock("90:00")).toBe(5400);
    expect(parseClock("1:15.5")).toBe(75.5);
    for (const bad of ["", "1:75", "1:2:3:4", "abc", "-5", "1::2", "1:60:00"]) expect(parseClock(bad), bad).toBeNull();
    expect(parseClock(formatClock(3729))).toBe(3729);
  });

  it("finds the chapter or transcript line playing at a time", () => {
    const starts = [{ s: 0 }, { s: 10 }, { s: 20 }];
    expect(indexAt(starts, 15, (x) => x.s)).toBe(1);
    expect(indexAt(starts, 20, (x) => x.s)).toBe(2);
    expect(indexAt(starts, 999, (x) => x.s)).toBe(2);
    expect(indexAt([{ s: 5 }], 1, (x) => x.s)).toBe(-1);
    expect(indexAt([], 1, (x: { s: number }) => x.s)).toBe(-1);
  });
});
