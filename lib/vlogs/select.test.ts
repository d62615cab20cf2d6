import { describe, expect, it } from "vitest";
import { NEAR_DUPLICATE_BITS, selectShots, type Candidate } from "./select";

const base = (over: Partial<Candidate> & { mediaId: string; index: number }): Candidate => ({
  takenAt: null,
  phash: over.index.toString(16).padStart(2, "0").repeat(8),
  sharpness: 0.5,
  exposure: 0.8,
  ...over,
});

describe("selectShots", () => {
  it("orders shots by EXIF capture time, not by selection order", () => {
    const { shots } = selectShots([
      base({ mediaId: "c", index: 0, takenAt: "2024-05-06T18:00:00", phash: "ffffffff00000000" }),
      base({ mediaId: "a", index: 1, takenAt: "2024-05-06T08:00:00", phash: "00000000ffffffff" }),
      base({ mediaId: "b", index: 2, takenAt: "2024-05-06T12:00:00", phash: "0f0f0f0f0f0f0f0f" }),
    ]);
    expect(shots.map((s) => s.mediaId)).toEqual(["a", "b", "c"]);
  });

  it("keeps the sharpest, best-exposed photo of a group of near-duplicates", () => {
    const hash = "ffff0000ffff0000";
    const twin = "ffff0000ffff00ff"; // 8 bits apart
    expect(8).toBeLessThanOrEqual(NEAR_DUPLICATE_BITS);
    const { shots, dropped } = selectShots([
      base({ mediaId: "blurry", index: 0, phash: hash, sharpness: 0.1 }),
      base({ mediaId: "sharp", index: 1, phash: twin, sharpness: 0.9 }),
      base({ mediaId: "other", index: 2, phash: "0000ffff0000ffff" }),
    ]);
    expect(shots.map((s) => s.mediaId)).toEqual(["sharp", "other"]);
    expect(dropped).toEqual([{ mediaId: "blurry", reason: expect.stringMatching(/near-duplicate/) }]);
  });

  it("drops clearly unusable photos only when enough good ones remain", () => {
    const photos = ["0000000000000000", "ffffffffffffffff", "00000000ffffffff", "ffffffff00000000"].map((phash, index) =>
      base({ mediaId: `p${index}`, index, phash, sharpness: index === 3 ? 0 : 0.8, exposure: index === 3 ? 0.1 : 0.8 }),
    );
    expect(selectShots(photos).dropped).toEqual([{ mediaId: "p3", reason: expect.stringMatching(/blurry or badly exposed/) }]);
    expect(selectShots(photos.slice(2)).shots.map((s) => s.mediaId)).toEqual(["p2", "p3"]);
  });

  it("keeps undated photos next to the photo selected before them", () => {
    const { shots } = selectShots([
      base({ mediaId: "late", index: 0, takenAt: "2024-01-02T10:00:00", phash: "ffffffffffffffff" }),
      base({ mediaId: "undated", index: 1, phash: "0000000000000000" }),
      base({ mediaId: "early", index: 2, takenAt: "2024-01-01T10:00:00", phash: "00000000ffffffff" }),
    ]);
    expect(shots.map((s) => s.mediaId)).toEqual(["early", "late", "undated"]);
  });
});
