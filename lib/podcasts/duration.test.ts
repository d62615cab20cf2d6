import { describe, expect, it } from "vitest";
import { formatDuration } from "./duration";

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [45.4, "45 s"],
    [60, "1 min"],
    [723, "12 min 3 s"],
    [4 * 3600 + 12 * 60 + 29, "4 h 12 min"],
    [7200, "2 h"],
  ])("%s seconds → %s", (s, text) => expect(formatDuration(s)).toBe(text));
});
