import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { RejectedInputError } from "@/lib/errors";
import { corruptJpeg, makeJpeg, makePng, makeWebp } from "@/test/test-images";
import { makeArtwork } from "./artwork";

const opts = { maxPixels: 100_000_000 };

/** Mean colour of a region of an encoded image. */
async function meanColour(img: Buffer, region?: { left: number; top: number; width: number; height: number }) {
  // stats() reads its input, ignoring operations, so the region is cut out first.
  const part = region ? await sharp(img).extract(region).png().toBuffer() : img;
  const { channels } = await sharp(part).stats();
  return channels.slice(0, 3).map((c) => Math.round(c.mean));
}

/** A width × height PNG of equal vertical bands of the given colours, left to right. */
function bands(width: number, height: number, colours: [number, number, number][]): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colours[Math.floor((x * colours.length) / width)];
      pixels.set(c, (y * width + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

async function rejection(input: Buffer, o = opts): Promise<RejectedInputError> {
  const err = await makeArtwork(input, o).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RejectedInputError);
  return err as RejectedInputError;
}

describe("makeArtwork", () => {
  it("makes a small upload a 1400 px square JPEG, saying it was enlarged", async () => {
    const art = await makeArtwork(await makePng({ width: 800, height: 600, seed: 1 }), opts);
    const meta = await sharp(art.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 1400, 1400]);
    expect(art).toMatchObject({ side: 1400, contentType: "image/jpeg", upscaled: true });
  });

  it("keeps a mid-sized upload at its shorter side, and caps a huge one at 3000 px", async () => {
    const mid = await makeArtwork(await makeJpeg({ width: 2000, height: 1600, seed: 2 }), opts);
    expect([mid.side, mid.upscaled]).toEqual([1600, false]);
    expect((await sharp(mid.data).metadata()).width).toBe(1600);
    const huge = await makeArtwork(await makeJpeg({ width: 4200, height: 3600, seed: 3 }), opts);
    const meta = await sharp(huge.data).metadata();
    expect([meta.width, meta.height, huge.upscaled]).toEqual([3000, 3000, false]);
  });

  it("crops the centre of a wide picture", async () => {
    // Three bands: red | green | blue. The square crop is the green middle.
    const wide = await bands(3000, 1500, [[255, 0, 0], [0, 255, 0], [0, 0, 255]]);
    const art = await makeArtwork(wide, opts);
    expect(art.side).toBe(1500);
    // Well inside the crop: pure green; at the edges a sliver of red/blue at most.
    const [r, g, b] = await meanColour(art.data, { left: 300, top: 300, width: 900, height: 900 });
    expect(g).toBeGreaterThan(240);
    expect(r).toBeLessThan(15);
    expect(b).toBeLessThan(15);
  });

  it("writes sRGB with the profile attached and no EXIF (no GPS leaks into the feed)", async () => {
    const withExif = await makeJpeg({ width: 1500, height: 1500, seed: 4, exif: true });
    expect((await sharp(withExif).metadata()).exif).toBeDefined();
    const art = await makeArtwork(withExif, opts);
    const meta = await sharp(art.data).metadata();
    expect(meta.space).toBe("srgb");
    expect(meta.channels).toBe(3);
    expect(meta.icc).toBeDefined();
    expect(meta.exif).toBeUndefined();
  });

  it("converts a CMYK JPEG to sRGB", async () => {
    const cmyk = await sharp({ create: { width: 1500, height: 1500, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .toColourspace("cmyk")
      .jpeg()
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
    const art = await makeArtwork(cmyk, opts);
    expect((await sharp(art.data).metadata()).space).toBe("srgb");
    const [r, g, b] = await meanColour(art.data);
    expect(r).toBeGreaterThan(g + 100); // still red, not inverted or grey
    expect(r).toBeGreaterThan(b + 100);
  });

  it("puts transparency on white, not black", async () => {
    const clear = await sharp({ create: { width: 1400, height: 1400, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    expect(await meanColour((await makeArtwork(clear, opts)).data)).toEqual([255, 255, 255]);
  });

  it("applies the EXIF orientation before cropping", async () => {
    // Stored as red | green | blue columns, 3000 × 1500, tagged orientation 6 ("rotate 90°
    // clockwise to display"): as displayed, red is on top and the square crop keeps a red
    // strip along its top edge. Ignoring the tag would put red on the left instead.
    const stored = await bands(3000, 1500, [[255, 0, 0], [0, 255, 0], [0, 0, 255]]);
    const tagged = await sharp(stored).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const art = await makeArtwork(tagged, opts);
    expect(art.side).toBe(1500);
    const [r, g] = await meanColour(art.data, { left: 600, top: 20, width: 300, height: 100 });
    expect(r).toBeGreaterThan(230);
    expect(g).toBeLessThan(30);
  });

  it("accepts WebP", async () => {
    const art = await makeArtwork(await makeWebp({ width: 1600, height: 1600, seed: 6 }), opts);
    expect((await sharp(art.data).metadata()).format).toBe("jpeg");
  });

  it("refuses what is not an image, saying what it looks like", async () => {
    const pdf = await rejection(Buffer.from("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"));
    expect(pdf.reason).toBe("wrong_type");
    expect(pdf.message).toBe(
      "This file is not a picture we can use as artwork (it looks like a PDF). Please upload a JPEG, PNG or WebP image.",
    );
    const text = await rejection(Buffer.from("just some words, not a picture"));
    expect(text.message).toMatch(/looks like a plain text file/);
    expect((await rejection(Buffer.alloc(0))).reason).toBe("empty");
  });

  it("refuses a damaged image instead of producing a grey square", async () => {
    const err = await rejection(await corruptJpeg("truncated"));
    expect(err.reason).toBe("damaged");
    expect(err.message).toMatch(/damaged or incomplete/);
  });

  it("refuses more pixels than allowed from the header, before decoding", async () => {
    const big = await makePng({ width: 3000, height: 2000 });
    const err = await rejection(big, { maxPixels: 5_000_000 });
    expect(err.reason).toBe("too_large");
    expect(err.message).toBe("This image is 3,000 × 2,000 pixels; artwork may have at most 5,000,000 pixels.");
  });
});
