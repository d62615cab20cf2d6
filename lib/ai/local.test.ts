import { describe, expect, it } from "vitest";
import { colourName } from "./colour";
import { cameraLabel, createLocalProvider, describeFeatures } from "./local";
import type { ImageFeatures } from "./types";

const darkPortrait: ImageFeatures = {
  width: 3000,
  height: 4000,
  orientation: "portrait",
  brightness: 0.18,
  saturation: 0.3,
  colours: ["#1a1410", "#5a3a20"],
  exif: null,
};

const blueLandscape: ImageFeatures = {
  width: 6000,
  height: 4000,
  orientation: "landscape",
  brightness: 0.72,
  saturation: 0.62,
  colours: ["#2a6fd6", "#f4f6f8", "#3a7d2c"],
  exif: null,
};

describe("local provider", () => {
  it("describes a dark portrait with no EXIF from its looks alone", async () => {
    const result = await createLocalProvider().describe({ image: Buffer.alloc(0), mime: "image/jpeg", features: darkPortrait });
    expect(result).toEqual({
      caption: "A dark portrait-format photo dominated by black and brown.",
      tags: ["portrait-format", "dark", "black", "brown"],
      provider: "local",
    });
  });

  it("describes a vivid blue landscape, with sky as an impression", () => {
    const result = describeFeatures(blueLandscape);
    expect(result.caption).toBe(
      "A bright, vivid landscape-format photo dominated by blue and white; the colours suggest open sky.",
    );
    expect(result.tags).toEqual(["landscape-format", "bright", "vivid", "blue", "white", "cool tones", "sky"]);
  });

  it("adds camera, year and location from EXIF", () => {
    const result = describeFeatures({
      ...blueLandscape,
      exif: {
        cameraMake: "Canon",
        cameraModel: "Canon EOS R5",
        takenAt: "2024-06-01T10:00:00.000Z",
        latitude: 46.5,
        longitude: 8.1,
        iso: 100,
        exposureTime: 1 / 500,
      },
    });
    expect(result.caption).toBe(
      "A bright, vivid landscape-format photo dominated by blue and white; the colours suggest open sky — taken on a Canon EOS R5 in 2024.",
    );
    expect(result.tags).toEqual(expect.arrayContaining(["sky", "canon", "2024", "geotagged"]));
    expect(result.tags).not.toContain("night");
  });

  it("reads a dark, warm, long exposure as evening light at night", () => {
    const result = describeFeatures({
      width: 4000,
      height: 3000,
      orientation: "landscape",
      brightness: 0.22,
      saturation: 0.45,
      colours: ["#c86414", "#5a3a20"],
      // (0, 0) is a camera with no GPS fix, not a photo taken off the coast of Ghana.
      exif: { cameraMake: "NIKON CORPORATION", cameraModel: "NIKON Z 6", takenAt: "2019-12-31T23:30:00", iso: 6400, exposureTime: 0.5, latitude: 0, longitude: 0 },
    });
    expect(result.caption).toBe(
      "A dark landscape-format photo dominated by orange and brown; the colours suggest evening or lamp light — taken on a Nikon Z 6 in 2019, probably at night.",
    );
    expect(result.tags).toEqual(["landscape-format", "dark", "orange", "brown", "warm tones", "evening light", "night", "nikon", "2019"]);
  });

  it("does not call a bright high-ISO photo a night shot", () => {
    const result = describeFeatures({ ...blueLandscape, exif: { iso: 6400, exposureTime: 1 / 1000 } });
    expect(result.tags).not.toContain("night");
    expect(result.caption).not.toMatch(/night/);
  });

  it("calls greenery only when green dominates, and grey pictures monochrome", () => {
    const green = describeFeatures({ ...blueLandscape, brightness: 0.45, saturation: 0.35, colours: ["#3a8d2c"] });
    expect(green.caption).toBe("A landscape-format photo dominated by green; the colours suggest greenery.");
    expect(green.tags).toEqual(["landscape-format", "green", "greenery"]);

    const mono = describeFeatures({
      ...darkPortrait,
      orientation: "square",
      brightness: 0.5,
      saturation: 0.02,
      colours: ["#777777", "#111111"],
      exif: { cameraMake: "Apple", cameraModel: "iPhone 15 Pro" },
    });
    expect(mono.caption).toBe("A monochrome square photo dominated by grey and black — taken on an Apple iPhone 15 Pro.");
    expect(mono.tags).toEqual(["square", "monochrome", "grey", "black", "apple"]);
  });

  it("copes with no colours and junk EXIF", () => {
    const result = describeFeatures({
      ...blueLandscape,
      brightness: 0.5,
      saturation: 0.3,
      colours: ["not-a-colour"],
      exif: { takenAt: "0000-00-00T00:00:00", latitude: Number.NaN, longitude: 3 },
    });
    expect(result.caption).toBe("A landscape-format photo.");
    expect(result.tags).toEqual(["landscape-format"]);
  });

  it("is deterministic", () => {
    expect(describeFeatures(blueLandscape)).toEqual(describeFeatures(structuredClone(blueLandscape)));
  });
});

describe("colourName", () => {
  it.each([
    ["#2a6fd6", "blue"],
    ["#87ceeb", "blue"],
    ["#008080", "teal"],
    ["#228b22", "green"],
    ["#ffd700", "yellow"],
    ["#ffa500", "orange"],
    ["#8b4513", "brown"],
    ["#dc143c", "red"],
    ["#ff69b4", "pink"],
    ["#800080", "purple"],
    ["#000000", "black"],
    ["#fafafa", "white"],
    ["#808080", "grey"],
    ["#fff", "white"],
  ])("%s is %s", (hex, name) => {
    expect(colourName(hex)).toBe(name);
  });

  it("returns null for anything that is not a hex colour", () => {
    expect(colourName("blue")).toBeNull();
  });
});

describe("cameraLabel", () => {
  it.each([
    [{ cameraMake: "Canon", cameraModel: "Canon EOS R5" }, "Canon EOS R5"],
    [{ cameraMake: "NIKON CORPORATION", cameraModel: "NIKON Z 6" }, "Nikon Z 6"],
    [{ cameraMake: "SONY", cameraModel: "ILCE-7M3" }, "Sony ILCE-7M3"],
    [{ cameraMake: "OLYMPUS IMAGING CORP.", cameraModel: "E-M1MarkII" }, "Olympus E-M1MarkII"],
    [{ cameraMake: "DJI", cameraModel: "FC3582" }, "DJI FC3582"],
    [{ cameraModel: "Pixel 8" }, "Pixel 8"],
    [{ cameraMake: "samsung" }, "Samsung"],
    [{}, undefined],
  ])("%j → %s", (exif, label) => {
    expect(cameraLabel(exif)).toBe(label);
  });
});
