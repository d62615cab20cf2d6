import { describe, expect, it } from "vitest";
import { describeFeatures } from "../local";
import type { ImageFeatures } from "../types";
import { plural, seenPhrase, seenTags, summarise } from "./describe";
import type { Detections } from "./types";

const features: ImageFeatures = {
  width: 4000,
  height: 3000,
  orientation: "landscape",
  brightness: 0.5,
  saturation: 0.3,
  colours: ["#3a7d2c", "#2a6fd6"],
  exif: { cameraMake: "Canon", cameraModel: "Canon EOS R5", takenAt: "2023-06-01T10:00:00" },
};

const person = (x: number, score = 0.8) => ({ label: "person", score, box: [x, 0.1, 0.2, 0.8] as [number, number, number, number] });
const faceAt = (x: number, score = 0.9) => ({ score, box: [x, 0.15, 0.05, 0.05] as [number, number, number, number] });

describe("what the local vision model saw, in words", () => {
  it("counts each kind of thing above the threshold, most confident first", () => {
    const d: Detections = {
      objects: [
        { label: "dog", score: 0.55, box: [0, 0, 0.1, 0.1] },
        person(0.1),
        person(0.5, 0.7),
        { label: "sheep", score: 0.45, box: [0, 0, 0.1, 0.1] }, // below: not said
      ],
      faces: [],
    };
    const seen = summarise(d);
    expect(seenTags(seen)).toEqual(["person ×2", "dog"]);
    expect(seenPhrase(seen)).toBe("two people and a dog");
  });

  it("counts a face only inside a person (BlazeFace sees faces in dogs and figs)", () => {
    const dogOnly = summarise({ objects: [{ label: "dog", score: 0.6, box: [0, 0, 1, 1] }], faces: [faceAt(0.2)] });
    expect(dogOnly.faces).toBe(0);
    const twoPeople = summarise({ objects: [person(0.1), person(0.5)], faces: [faceAt(0.15), faceAt(0.55), faceAt(0.9)] });
    expect(twoPeople.faces).toBe(2);
    expect(seenTags(twoPeople)).toEqual(["person ×2", "2 faces"]);
    expect(seenPhrase(twoPeople)).toBe("two people (two faces visible)");
  });

  it("leads the caption and the tags with what was recognised, and says who described it", () => {
    const seen = summarise({ objects: [{ label: "wine glass", score: 0.7, box: [0, 0, 0.1, 0.1] }, { label: "bottle", score: 0.6, box: [0, 0, 0.1, 0.1] }], faces: [] });
    const d = describeFeatures(features, { seen, provider: "local:centernet" });
    expect(d.caption).toBe("A wine glass and a bottle, in a landscape-format photo dominated by green and blue — taken on a Canon EOS R5 in 2023.");
    expect(d.tags.slice(0, 2)).toEqual(["wine glass", "bottle"]);
    expect(d.provider).toBe("local:centernet");
  });

  it("falls back to the look of the photo when nothing was recognised", () => {
    const d = describeFeatures(features, { seen: summarise({ objects: [], faces: [] }), provider: "local:centernet" });
    expect(d.caption).toBe(describeFeatures(features).caption);
    expect(d.provider).toBe("local:centernet");
  });

  it("spells COCO's plurals", () => {
    expect(["person", "bus", "wine glass", "knife", "sheep", "toothbrush", "dog"].map(plural)).toEqual([
      "people",
      "buses",
      "wine glasses",
      "knives",
      "sheep",
      "toothbrushes",
      "dogs",
    ]);
  });
});
