import { describe, expect, it } from "vitest";
import { failedJobInfo, groupFailed, NO_MESSAGE } from "./failed";

const MEDIA = "0b7c2d4e-1111-4222-8333-444455556666";

const job = (id: string, reason: string | undefined, finishedOn: number, data: unknown = { mediaId: MEDIA }) =>
  failedJobInfo("media-analysis", { id, name: "analyze-media", failedReason: reason, attemptsMade: 3, finishedOn, data });

describe("groupFailed", () => {
  it("groups by message, biggest group first, newest jobs first within a group", () => {
    const groups = groupFailed(
      [
        job("a", "The file is damaged", 1),
        job("b", "Quota used up", 5),
        job("c", "The file is damaged", 3),
        job("d", "The file is damaged", 2),
        job("e", "  Quota used up ", 4),
      ],
      2,
    );
    expect(groups.map((g) => [g.message, g.count])).toEqual([
      ["The file is damaged", 3],
      ["Quota used up", 2],
    ]);
    expect(groups[0].jobs.map((j) => j.id)).toEqual(["c", "d"]);
    expect(groups[0].lastFailedAt).toBe(3);
  });

  it("keeps the photo id only when the payload has a real one, and names an empty message", () => {
    expect(job("a", "x", 1).mediaId).toBe(MEDIA);
    expect(job("b", "x", 1, { mediaId: "../../etc/passwd" }).mediaId).toBeNull();
    expect(job("c", "x", 1, null).mediaId).toBeNull();
    expect(job("d", undefined, 1).message).toBe(NO_MESSAGE);
  });
});
