import { describe, expect, it } from "vitest";
import { totalsText, uploadTotals, withKept, type UploadTone } from "./upload-list";

describe("upload list totals", () => {
  it("counts every row by its tone, not only the rows drawn", () => {
    const tones: UploadTone[] = [...Array<UploadTone>(377).fill("active"), ...Array<UploadTone>(120).fill("done"), ...Array<UploadTone>(3).fill("failed")];
    expect(uploadTotals(tones)).toEqual({ total: 500, done: 120, failed: 3, going: 377 });
    expect(uploadTotals([])).toEqual({ total: 0, done: 0, failed: 0, going: 0 });
  });

  it("says done always, failed and to go only when there are any", () => {
    expect(totalsText({ total: 500, done: 120, failed: 3, going: 377 }, "photos")).toBe("500 photos · 120 done · 3 failed · 377 to go");
    expect(totalsText({ total: 120, done: 0, failed: 0, going: 120 }, "photos")).toBe("120 photos · 0 done · 120 to go");
    expect(totalsText({ total: 60, done: 58, failed: 2, going: 0 }, "files")).toBe("60 files · 58 done · 2 failed");
  });
});

describe("rows kept in a windowed list", () => {
  it("adds the focused row, in order, when it has scrolled out of the window", () => {
    expect(withKept([40, 41, 42, 43], 3)).toEqual([3, 40, 41, 42, 43]);
    expect(withKept([0, 1, 2], 250)).toEqual([0, 1, 2, 250]);
  });

  it("leaves the window as it is when the focused row is in it, or nothing has the focus", () => {
    const window = [10, 11, 12];
    expect(withKept(window, 11)).toBe(window);
    expect(withKept(window, -1)).toBe(window);
  });
});
