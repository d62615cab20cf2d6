import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { makeJpeg } from "@/test/test-images";
import { exposureOf, measureQuality, sharpnessOf } from "./pixels";

const flat = (value: number) =>
  sharp({ create: { width: 400, height: 300, channels: 3, background: { r: value, g: value, b: value } } }).jpeg().toBuffer();

describe("measureQuality (how usable a photo looks for a vlog)", () => {
  it("scores a detailed photo sharper than the same photo out of focus", async () => {
    const photo = await makeJpeg({ width: 800, height: 600, seed: 7 });
    const blurred = await sharp(photo).blur(6).jpeg().toBuffer();
    const [crisp, soft] = await Promise.all([measureQuality(photo), measureQuality(blurred)]);
    expect(crisp.sharpness).toBeGreaterThan(2 * soft.sharpness);
  });

  it("scores a mid-grey frame as well exposed but with nothing in focus", async () => {
    expect(await measureQuality(await flat(128))).toEqual({ sharpness: 0, exposure: expect.closeTo(1, 1) });
  });

  it("scores an all-black or all-white frame as unusable exposure", async () => {
    expect((await measureQuality(await flat(0))).exposure).toBe(0);
    expect((await measureQuality(await flat(255))).exposure).toBe(0);
  });
});

describe("the pixel maths", () => {
  it("sharpness saturates at 1 for strong edges and is 0 for none", () => {
    expect(sharpnessOf(Uint8Array.from({ length: 100 }, (_, i) => (i % 2 ? 0 : 255)))).toBe(1);
    expect(sharpnessOf(new Uint8Array(100).fill(128))).toBe(0);
  });

  it("exposure falls as more of the picture is clipped", () => {
    const half = Uint8Array.from({ length: 100 }, (_, i) => (i < 25 ? 255 : 128));
    expect(exposureOf(half)).toBeLessThan(exposureOf(new Uint8Array(100).fill(128)));
  });
});
