import { describe, expect, it } from "vitest";
import { applyStoryboardPatch, draftStoryboard, liveShots, markPhotoDeleted, PHOTO_DELETED, storyboardPatchSchema, type StoryboardDoc } from "./storyboard";
import { writeLocalStoryboard } from "./writer-local";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";
const C = "00000000-0000-4000-8000-00000000000c";
const doc: StoryboardDoc = {
  title: "Trip",
  style: "calm",
  writer: "local",
  dropped: [{ mediaId: C, reason: "A near-duplicate." }],
  shots: [
    { mediaId: A, caption: "First", duration: 5 },
    { mediaId: B, caption: "Second", duration: 5 },
  ],
};

describe("storyboard edits", () => {
  it("reorders, re-captions, re-times and drops shots, recording who edited", () => {
    const patch = storyboardPatchSchema.parse({ shots: [{ mediaId: B, caption: "  Now   first ", duration: 3.04 }] });
    const next = applyStoryboardPatch(doc, patch, [A, B, C]);
    expect(next.shots).toEqual([{ mediaId: B, caption: "Now first", duration: 3 }]);
    expect(next.dropped.map((d) => d.mediaId)).toEqual([C, A]);
    expect(next.writer).toBe("edited (local)");
  });

  it("brings a left-out photo back, but never a photo outside the selection or one twice", () => {
    const back = applyStoryboardPatch(doc, storyboardPatchSchema.parse({ shots: [...doc.shots, { mediaId: C, caption: "Back" }] }), [A, B, C]);
    expect(back.shots.map((s) => s.mediaId)).toEqual([A, B, C]);
    expect(back.dropped).toEqual([]);
    expect(() => applyStoryboardPatch(doc, storyboardPatchSchema.parse({ shots: [{ mediaId: C, caption: "" }] }), [A, B])).toThrow(/not part of this vlog/);
    expect(() => applyStoryboardPatch(doc, storyboardPatchSchema.parse({ shots: [doc.shots[0], doc.shots[0]] }), [A, B])).toThrow(/only once/);
  });

  it("rejects shots that are too short or long, captions that are too long, and an empty storyboard", () => {
    expect(storyboardPatchSchema.safeParse({ shots: [{ mediaId: A, caption: "x", duration: 0.5 }] }).success).toBe(false);
    expect(storyboardPatchSchema.safeParse({ shots: [{ mediaId: A, caption: "x".repeat(141) }] }).success).toBe(false);
    expect(storyboardPatchSchema.safeParse({ shots: [] }).success).toBe(false);
  });
});

describe("local storyboard writer", () => {
  it("writes a line per shot from EXIF time and the analysis, and a title from the dates", () => {
    const out = writeLocalStoryboard(
      [
        { mediaId: A, takenAt: "2024-05-06T07:08:09", caption: "A bright photo", tags: ["landscape-format", "sky"], provider: "local" },
        { mediaId: B, takenAt: "2024-05-08T19:30:00", caption: "A harbour at dusk with boats; calm water.", tags: [], provider: "gemini:gemini-2.5-flash" },
        { mediaId: C, takenAt: null, caption: "", tags: ["greenery"], provider: "local" },
      ],
      { style: "calm" },
    );
    expect(out.title).toBe("6–8 May 2024");
    expect(out.captions.map((c) => c.caption)).toEqual(["6 May, morning — Open sky", "8 May, evening — A harbour at dusk with boats", "Greenery all around"]);
    expect(writeLocalStoryboard([], { style: "upbeat", title: " Mine " }).title).toBe("Mine");
  });

  it("does not repeat the same line for similar photos when the analysis offers another", () => {
    const similar = (mediaId: string, colours: string[]) => ({ mediaId, takenAt: "2024-05-06T09:00:00", caption: "", tags: ["vivid", ...colours], provider: "local" });
    const out = writeLocalStoryboard([similar(A, ["pink", "green"]), similar(B, ["purple", "yellow"])], { style: "calm" });
    expect(out.captions.map((c) => c.caption)).toEqual(["Morning — Vivid colours", "Morning — Purple and yellow tones"]);
  });
});

describe("the first draft", () => {
  it("keeps the chosen order, gives each shot its written caption and the style's time, and lists what was left out", () => {
    const selection = {
      shots: [B, A].map((mediaId) => ({ mediaId, takenAt: null, score: 1, sharpness: 1, exposure: 1 })),
      dropped: [{ mediaId: C, reason: "A near-duplicate." }],
    };
    const written = { title: "Trip", writer: "local", captions: [{ mediaId: A, caption: "Sea" }] };
    const draft = draftStoryboard(selection, written, "calm");
    expect(draft.shots).toEqual([
      { mediaId: B, caption: "", duration: 5 },
      { mediaId: A, caption: "Sea", duration: 5 },
    ]);
    expect(draft).toMatchObject({ title: "Trip", style: "calm", writer: "local", dropped: selection.dropped });
    expect(draftStoryboard(selection, written, "retired-style").style).toBe("cinematic");
  });
});

describe("a photo deleted after the storyboard was written", () => {
  it("marks its shot removed (kept in the list), and a new render leaves it out", () => {
    const next = markPhotoDeleted(doc, A);
    expect(next.shots).toEqual([{ mediaId: A, caption: "First", duration: 5, removed: true }, doc.shots[1]]);
    expect(liveShots(next).map((s) => s.mediaId)).toEqual([B]);
    // A left-out photo that is deleted can no longer be added back.
    expect(markPhotoDeleted(doc, C).dropped).toEqual([{ mediaId: C, reason: PHOTO_DELETED, removed: true }]);
  });

  it("the next edit drops the removed shot as deleted, and refuses to bring it back", () => {
    const marked = markPhotoDeleted(doc, A);
    const edited = applyStoryboardPatch(marked, storyboardPatchSchema.parse({ shots: [{ mediaId: B, caption: "Only" }] }), [B, C]);
    expect(edited.shots.map((s) => s.mediaId)).toEqual([B]);
    expect(edited.dropped).toContainEqual({ mediaId: A, reason: PHOTO_DELETED, removed: true });
    expect(() => applyStoryboardPatch(marked, storyboardPatchSchema.parse({ shots: [{ mediaId: A, caption: "x" }] }), [A, B, C])).toThrow(/deleted/);
  });
});
