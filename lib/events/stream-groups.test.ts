import { describe, expect, it } from "vitest";
import { groupsOf, nextCarried } from "./stream-groups";

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `id${from + i}`);

describe("live stream groups", () => {
  it("keeps the same list (no stream reopens) while no id is new, finished ones included", () => {
    const carried = nextCarried([], ids(0, 5), 100);
    expect(nextCarried(carried, ids(0, 5), 100)).toBe(carried);
    expect(nextCarried(carried, ids(2, 5), 100)).toBe(carried);
  });

  it("cuts 500 ids into groups of the kind's limit, in the order they came", () => {
    const carried = nextCarried([], ids(0, 500), 100);
    const groups = groupsOf(carried, 100);
    expect(groups).toHaveLength(5);
    expect(groups.every((g) => g.split(",").length === 100)).toBe(true);
    expect(groups[0].split(",")[0]).toBe("id0");
  });

  it("adds a new id to the last group only: the other groups' streams stay open", () => {
    const before = groupsOf(nextCarried([], ids(0, 150), 100), 100);
    const after = groupsOf(nextCarried(nextCarried([], ids(0, 150), 100), [...ids(0, 150), "new"], 100), 100);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(`${before[1]},new`);
  });

  it("lets go of leading groups whose ids all finished, when new ids come", () => {
    const carried = nextCarried([], ids(0, 250), 100);
    const next = nextCarried(carried, [...ids(120, 250), "new"], 100);
    expect(next[0]).toBe("id100");
    expect(groupsOf(next, 100)).toEqual(groupsOf(carried, 100).slice(1).map((g, i, all) => (i === all.length - 1 ? `${g},new` : g)));
  });

  it("empties when nothing is followed", () => {
    expect(nextCarried(nextCarried([], ids(0, 3), 100), [], 100)).toEqual([]);
    const empty: string[] = [];
    expect(nextCarried(empty, [], 100)).toBe(empty);
  });
});
