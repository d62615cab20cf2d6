import { describe, expect, it } from "vitest";
import { minuteSeries } from "./throughput";

const minute = (m: number) => m * 60_000;
const NOW = minute(1_000_000) + 30_000; // half-way through minute 1 000 000

describe("minuteSeries", () => {
  it("puts the open minute last and the finished minutes before it, newest first in BullMQ's list", () => {
    // Last job finished in the current minute; 2 so far in it. The minutes before: 5, 0, 7.
    const s = minuteSeries({ meta: { count: 14, prevCount: 12, prevTS: minute(1_000_000) + 1_000 }, data: [5, 0, 7], count: 3 }, NOW);
    expect(s.points).toHaveLength(60);
    expect(s.points.slice(-4)).toEqual([7, 0, 5, 2]);
    expect(s.points.slice(0, 56).every((p) => p === 0)).toBe(true);
    expect(s.total).toBe(14);
    expect(s.endMinute).toBe(1_000_000);
  });

  it("shows zeros for the quiet minutes since the last finished job", () => {
    // Last job 10 minutes ago: its minute had 3 jobs, the one before 4.
    const s = minuteSeries({ meta: { count: 7, prevCount: 4, prevTS: minute(999_990) + 5_000 }, data: [4], count: 1 }, NOW);
    expect(s.points.slice(-13)).toEqual([0, 4, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.total).toBe(7);
  });

  it("drops what is older than an hour and is all zeros for a queue that never finished a job", () => {
    const old = minuteSeries({ meta: { count: 9, prevCount: 0, prevTS: minute(999_000) }, data: [], count: 0 }, NOW);
    expect(old.total).toBe(0);
    const none = minuteSeries({ meta: { count: 0, prevCount: 0, prevTS: 0 }, data: [], count: 0 }, NOW);
    expect(none.points.every((p) => p === 0)).toBe(true);
  });
});
