import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { DescribeInput } from "@/lib/ai/types";
import { RejectedInputError } from "@/lib/errors";
import { analyzeImage, hammingDistance, type ImageStage } from "./index";
import {
  corruptJpeg,
  makeAvif,
  makeGif,
  makeJpeg,
  makePng,
  makeWebp,
  TEST_EXIF,
} from "@/test/test-images";

const LIMIT = { maxPixels: 50_000_000 };

async function rejection(p: Promise<unknown>): Promise<RejectedInputError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RejectedInputError);
  return err as RejectedInputError;
}

describe("analyzeImage", () => {
  it("reports size, format, orientation and a WebP thumbnail ≤ 512 px", async () => {
    const jpeg = await makeJpeg({ width: 1600, height: 900, seed: 1 });
    const a = await analyzeImage(jpeg, LIMIT);
    expect(a).toMatchObject({ width: 1600, height: 900, format: "jpeg", mime: "image/jpeg" });
    expect(a.features).toMatchObject({ width: 1600, height: 900, orientation: "landscape" });

    const thumb = await sharp(a.thumbnail).metadata();
    expect(thumb.format).toBe("webp");
    expect(Math.max(thumb.width, thumb.height)).toBe(512);
    expect(thumb.width / thumb.height).toBeCloseTo(1600 / 900, 1);
    expect(thumb.exif).toBeUndefined();

    const preview = await sharp(a.preview).metadata();
    expect(preview.format).toBe("jpeg");
    expect(Math.max(preview.width, preview.height)).toBe(1024);
  });

  it("never enlarges small images", async () => {
    const a = await analyzeImage(await makePng({ width: 200, height: 300, seed: 2 }), LIMIT);
    expect(a).toMatchObject({ width: 200, height: 300, format: "png" });
    expect(a.features.orientation).toBe("portrait");
    const thumb = await sharp(a.thumbnail).metadata();
    expect([thumb.width, thumb.height]).toEqual([200, 300]);
  });

  it("reads WebP, AVIF and GIF, and only the first frame of an animation", async () => {
    const webp = await analyzeImage(await makeWebp({ width: 300, height: 300, seed: 3 }), LIMIT);
    expect(webp).toMatchObject({ format: "webp", width: 300, height: 300 });
    expect(webp.features.orientation).toBe("square");

    const avif = await analyzeImage(await makeAvif({ width: 320, height: 240, seed: 4 }), LIMIT);
    expect(avif).toMatchObject({ format: "avif", mime: "image/avif", width: 320, height: 240 });

    const gif = await makeGif({ width: 120, height: 80, seed: 5, frames: 30 });
    expect((await sharp(gif, { pages: -1 }).metadata()).pages).toBe(30);
    const a = await analyzeImage(gif, LIMIT);
    expect(a).toMatchObject({ format: "gif", width: 120, height: 80 });
    const firstFrame = await analyzeImage(await makeGif({ width: 120, height: 80, seed: 5 }), LIMIT);
    expect(hammingDistance(a.phash, firstFrame.phash)).toBeLessThanOrEqual(4);
  });

  it("uses the displayed (EXIF-rotated) dimensions", async () => {
    // Stored 400×300 with orientation 6 (rotate 90°): shown as 300×400 portrait.
    const jpeg = await makeJpeg({ width: 400, height: 300, seed: 6, orientation: 6 });
    const a = await analyzeImage(jpeg, LIMIT);
    expect(a).toMatchObject({ width: 300, height: 400 });
    expect(a.features.orientation).toBe("portrait");
    const thumb = await sharp(a.thumbnail).metadata();
    expect([thumb.width, thumb.height]).toEqual([300, 400]);
    expect(thumb.orientation).toBeUndefined();
  });

  it("extracts EXIF, including GPS and the capture time, and strips it from outputs", async () => {
    const jpeg = await makeJpeg({ width: 640, height: 480, seed: 7, exif: true });
    const a = await analyzeImage(jpeg, LIMIT);
    expect(a.exif).toEqual(TEST_EXIF);
    expect(a.features.exif).toEqual(TEST_EXIF);
    expect((await sharp(a.preview).metadata()).exif).toBeUndefined();
    expect((await sharp(a.thumbnail).metadata()).exif).toBeUndefined();

    // Same EXIF through the WebP and PNG containers.
    const webp = await analyzeImage(await makeWebp({ width: 64, height: 64, exif: true }), LIMIT);
    expect(webp.exif).toMatchObject({ cameraMake: "Framecast", cameraModel: "TestCam 1" });
    const png = await analyzeImage(await makePng({ width: 64, height: 64, exif: true }), LIMIT);
    expect(png.exif?.takenAt).toBe(TEST_EXIF.takenAt);
  });

  it("gives exif: null when there is none", async () => {
    const a = await analyzeImage(await makeJpeg({ width: 64, height: 64 }), LIMIT);
    expect(a.exif).toBeNull();
    expect(a.features.exif).toBeNull();
  });

  it("survives a broken EXIF block (exif becomes null, the photo still works)", async () => {
    const jpeg = await makeJpeg({ width: 64, height: 64, exif: true });
    // Overwrite the TIFF header inside APP1 so the block is unparseable.
    const at = jpeg.indexOf(Buffer.from("Exif\0\0", "latin1")) + 6;
    const broken = Buffer.from(jpeg);
    broken.fill(0xee, at, at + 16);
    const a = await analyzeImage(broken, LIMIT);
    expect(a.exif).toBeNull();
    expect(a.width).toBe(64);
  });

  it("finds solid colours, brightness and saturation", async () => {
    const red = await analyzeImage(await makeJpeg({ width: 100, height: 100, colour: [255, 0, 0] }), LIMIT);
    expect(red.features.colours).toHaveLength(1);
    const [r, g, b] = hexToRgb(red.features.colours[0]);
    expect(r).toBeGreaterThan(230);
    expect(g).toBeLessThan(30);
    expect(b).toBeLessThan(30);
    expect(red.features.saturation).toBeGreaterThan(0.9);

    const black = await analyzeImage(await makeJpeg({ width: 50, height: 50, colour: [0, 0, 0] }), LIMIT);
    expect(black.features.brightness).toBeLessThan(0.02);
    const white = await analyzeImage(await makePng({ width: 50, height: 50, colour: [255, 255, 255] }), LIMIT);
    expect(white.features.brightness).toBeGreaterThan(0.98);
    expect(white.features.saturation).toBeLessThan(0.02);
    expect(white.features.colours).toEqual(["#ffffff"]);
  });

  it("orders colours by share", async () => {
    // Blue background with a large yellow block covering ~1/4 of the picture.
    const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: "#0000ff" } })
      .composite([{ input: { create: { width: 100, height: 100, channels: 3, background: "#ffff00" } }, top: 0, left: 0 }])
      .png()
      .toBuffer();
    const a = await analyzeImage(png, LIMIT);
    const [first, second] = a.features.colours.map(hexToRgb);
    expect(distance(first, [0, 0, 255])).toBeLessThan(8);
    expect(distance(second, [255, 255, 0])).toBeLessThan(8);
    expect(a.features.colours.length).toBeLessThanOrEqual(5);
  });

  it("computes a stable perceptual hash that survives resizing", async () => {
    const one = await makeJpeg({ width: 800, height: 600, seed: 11 });
    const other = await makeJpeg({ width: 800, height: 600, seed: 12 });
    const resized = await sharp(one).resize(720).jpeg({ quality: 75 }).toBuffer();

    const [a, a2, b, c] = await Promise.all([one, one, other, resized].map((x) => analyzeImage(x, LIMIT)));
    expect(a.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(a2.phash).toBe(a.phash);
    expect(hammingDistance(a.phash, c.phash)).toBeLessThanOrEqual(4);
    expect(hammingDistance(a.phash, b.phash)).toBeGreaterThan(12);
  });

  it("reports stages in order, awaiting each callback", async () => {
    const seen: string[] = [];
    await analyzeImage(await makeJpeg({ width: 64, height: 64, seed: 1 }), {
      ...LIMIT,
      onStage: async (s: ImageStage) => {
        await new Promise((r) => setTimeout(r, 5));
        seen.push(s);
      },
    });
    expect(seen).toEqual(["decoding", "thumbnail", "exif", "colours", "fingerprint"]);
  });

  it("hands the provider its input while the thumbnail stage is still open", async () => {
    let handOver: (input: DescribeInput) => void = () => {};
    const handedOver = new Promise<DescribeInput>((resolve) => (handOver = resolve));
    const order: string[] = [];
    const a = await analyzeImage(await makeJpeg({ width: 800, height: 600, seed: 7, exif: true }), {
      ...LIMIT,
      onDescribable: (input) => {
        order.push("describable");
        handOver(input);
      },
      // The thumbnail stage waits for the hand-over: if it came only after the thumbnail
      // (or at the end), this would never finish.
      onStage: async (s) => {
        if (s === "thumbnail") await handedOver;
        order.push(s);
      },
    });
    expect(order).toEqual(["decoding", "describable", "thumbnail", "exif", "colours", "fingerprint"]);
    const input = await handedOver;
    expect(input.image.equals(a.preview)).toBe(true);
    expect(input.features).toEqual(a.features);
    expect(input.pixels).toEqual(a.pixels);
    expect(input.mime).toBe("image/jpeg");
  });

  it("propagates an error thrown by onStage (e.g. cancellation) unchanged", async () => {
    const cancelled = new Error("cancelled");
    const p = analyzeImage(await makeJpeg({ width: 64, height: 64 }), {
      ...LIMIT,
      onStage: (s) => {
        if (s === "exif") throw cancelled;
      },
    });
    await expect(p).rejects.toBe(cancelled);
  });
});

describe("analyzeImage rejections", () => {
  it.each(["truncated", "garbage"] as const)("rejects a %s JPEG as damaged", async (kind) => {
    const err = await rejection(analyzeImage(await corruptJpeg(kind), LIMIT));
    expect(err.reason).toBe("damaged");
    expect(err.message).toBe("The image data is damaged or incomplete, so it can't be decoded.");
  });

  it("rejects images over the pixel limit before decoding, with a readable message", async () => {
    const jpeg = await makeJpeg({ width: 300, height: 200 });
    const err = await rejection(analyzeImage(jpeg, { maxPixels: 50_000 }));
    expect(err.reason).toBe("too_large");
    expect(err.message).toBe("This image is 300 × 200 pixels; the limit is 50,000 pixels.");
    // Exactly at the limit is fine.
    await expect(analyzeImage(jpeg, { maxPixels: 60_000 })).resolves.toMatchObject({ width: 300 });
  });

  it("words large limits in megapixels", async () => {
    // A JPEG whose frame header claims 60,000 × 40,000: rejected from the header alone,
    // nothing decoded (decoding would need 7 GB).
    const fake = Buffer.from(await makeJpeg({ width: 10, height: 10 }));
    const sof = fake.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    fake.writeUInt16BE(40_000, sof + 5);
    fake.writeUInt16BE(60_000, sof + 7);
    const err = await rejection(analyzeImage(fake, { maxPixels: 100_000_000 }));
    expect(err.message).toBe("This image is 60,000 × 40,000 pixels; the limit is 100 megapixels.");
  });

  it("rejects non-images by their content, whatever they are called", async () => {
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n");
    const err = await rejection(analyzeImage(pdf, LIMIT));
    expect(err.reason).toBe("wrong_type");
    expect(err.message).toMatch(/^This file is not a photo we can read \(it looks like a PDF\)\./);

    const text = await rejection(analyzeImage(Buffer.from("definitely a jpeg, trust me\n"), LIMIT));
    expect(text.message).toContain("it looks like a plain text file");

    const svg = await rejection(analyzeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), LIMIT));
    expect(svg.message).toContain("an SVG drawing");

    const empty = await rejection(analyzeImage(Buffer.alloc(0), LIMIT));
    expect(empty.reason).toBe("empty");
  });
});

describe("hammingDistance", () => {
  it("counts differing bits", () => {
    expect(hammingDistance("0000000000000000", "0000000000000000")).toBe(0);
    expect(hammingDistance("0000000000000000", "ffffffffffffffff")).toBe(64);
    expect(hammingDistance("8000000000000001", "0000000000000000")).toBe(2);
    expect(hammingDistance("ABCDEF0123456789", "abcdef0123456789")).toBe(0);
  });

  it("refuses malformed hashes", () => {
    expect(() => hammingDistance("abc", "0000000000000000")).toThrow(/16-digit/);
  });
});

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function distance(a: number[], b: number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
