// Test fixtures generated on the fly with sharp, so no binary files live in the repo and
// every test can ask for exactly the size/colour/EXIF it needs. Deterministic: the same
// options give the same bytes (same sharp/libvips build), which the phash tests rely on.

import sharp, { type Sharp } from "sharp";
import type { ExifSummary } from "@/lib/ai/types";

export type Rgb = [number, number, number];

export interface TestImageOptions {
  width: number;
  height: number;
  /** Background colour; default mid grey. */
  colour?: Rgb;
  /**
   * Without a seed the image is one flat colour (handy for colour/brightness tests). With a
   * seed, a gradient and a few shapes derived from it are drawn on top, so different seeds
   * give visibly different images (and different perceptual hashes).
   */
  seed?: number;
  /** JPEG/WebP/PNG/AVIF: embed the EXIF described by TEST_EXIF. */
  exif?: boolean;
  /** EXIF Orientation tag (1..8); 6 means "rotate 90° clockwise to display". */
  orientation?: number;
}

/**
 * What `exif: true` writes, in the shape analyzeImage() reports it. GPS is included: sharp
 * 0.35 writes IFD3 (GPS) tags from rational strings, and exifr reads them back as decimals.
 * takenAt has no offset because none is written (EXIF DateTimeOriginal is local time).
 */
export const TEST_EXIF: Required<ExifSummary> = {
  cameraMake: "Framecast",
  cameraModel: "TestCam 1",
  lens: "TestLens 35mm F2",
  takenAt: "2024-05-06T07:08:09",
  latitude: 51.5,
  longitude: -0.125,
  iso: 200,
  exposureTime: 1 / 250,
  fNumber: 2.8,
  focalLength: 35,
};

const EXIF_TAGS = {
  IFD0: { Make: TEST_EXIF.cameraMake, Model: TEST_EXIF.cameraModel, DateTime: "2024:05:06 07:08:09" },
  // libvips numbers the EXIF sub-IFD as IFD2 and GPS as IFD3.
  IFD2: {
    DateTimeOriginal: "2024:05:06 07:08:09",
    ISOSpeedRatings: "200",
    ExposureTime: "1/250",
    FNumber: "28/10",
    FocalLength: "35/1",
    LensModel: TEST_EXIF.lens,
  },
  IFD3: {
    GPSLatitudeRef: "N",
    GPSLatitude: "51/1 30/1 0/1",
    GPSLongitudeRef: "W",
    GPSLongitude: "0/1 7/1 30/1",
  },
};

/** A sharp pipeline for the picture itself, before choosing an output format. */
function draw(opts: TestImageOptions): Sharp {
  const { width, height } = opts;
  const [r, g, b] = opts.colour ?? [128, 128, 128];
  let img = sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
  if (opts.seed !== undefined) {
    img = img.composite([{ input: Buffer.from(patternSvg(width, height, opts.seed)) }]);
  }
  if (opts.exif) img = img.withExif(EXIF_TAGS);
  if (opts.orientation) img = img.withMetadata({ orientation: opts.orientation });
  return img;
}

/**
 * A gradient plus a handful of shapes. Large shapes, so the low frequencies a perceptual
 * hash looks at change from seed to seed, but small resizes leave them alone.
 */
function patternSvg(width: number, height: number, seed: number): string {
  const rand = mulberry32(seed);
  const colour = () => `rgb(${Math.floor(rand() * 256)},${Math.floor(rand() * 256)},${Math.floor(rand() * 256)})`;
  const angle = Math.floor(rand() * 4);
  const [x2, y2] = [[1, 0], [0, 1], [1, 1], [0, 0]][angle];
  const shapes: string[] = [];
  const count = 3 + Math.floor(rand() * 4);
  for (let i = 0; i < count; i++) {
    const cx = Math.round(rand() * width);
    const cy = Math.round(rand() * height);
    const size = Math.round((0.15 + rand() * 0.35) * Math.min(width, height));
    shapes.push(
      rand() < 0.5
        ? `<circle cx="${cx}" cy="${cy}" r="${size / 2}" fill="${colour()}"/>`
        : `<rect x="${cx - size / 2}" y="${cy - size / 2}" width="${size}" height="${size * (0.5 + rand())}" fill="${colour()}"/>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="g" x1="0" y1="${angle === 3 ? 1 : 0}" x2="${x2}" y2="${y2}">
<stop offset="0" stop-color="${colour()}" stop-opacity="0.8"/><stop offset="1" stop-color="${colour()}" stop-opacity="0.8"/>
</linearGradient></defs>
<rect width="100%" height="100%" fill="url(#g)"/>
${shapes.join("\n")}
</svg>`;
}

/** Small, fast, deterministic PRNG (no Math.random: fixtures must be reproducible). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeJpeg(opts: TestImageOptions): Promise<Buffer> {
  return draw(opts).jpeg({ quality: 90 }).toBuffer();
}

export function makePng(opts: TestImageOptions): Promise<Buffer> {
  return draw(opts).png().toBuffer();
}

export function makeWebp(opts: TestImageOptions): Promise<Buffer> {
  return draw(opts).webp({ quality: 90 }).toBuffer();
}

export function makeAvif(opts: TestImageOptions): Promise<Buffer> {
  return draw(opts).avif({ quality: 60, effort: 0 }).toBuffer();
}

/**
 * A GIF; with `frames` > 1 an animation whose frame i uses seed (seed ?? 0) + i, for
 * checking that only the first frame is decoded.
 */
export async function makeGif(opts: TestImageOptions & { frames?: number }): Promise<Buffer> {
  const frames = opts.frames ?? 1;
  if (frames <= 1) return draw({ ...opts, exif: false }).gif().toBuffer();
  const pngs = await Promise.all(
    Array.from({ length: frames }, (_, i) => makePng({ ...opts, exif: false, orientation: undefined, seed: (opts.seed ?? 0) + i })),
  );
  return sharp(pngs, { join: { animated: true } }).gif({ delay: 100, loop: 0 }).toBuffer();
}

/**
 * A JPEG that can't be decoded. "truncated": a real JPEG cut off partway through its scan
 * data, as an interrupted upload leaves it. "garbage": real JPEG headers (so sniffing and
 * metadata succeed) followed by noise instead of entropy-coded data and no end marker.
 * The noise avoids 0xFF on purpose: with markers (or a final FF D9) in it, libjpeg reports
 * only warnings and, at failOn "error", decodes a glitched picture instead of failing.
 */
export async function corruptJpeg(kind: "truncated" | "garbage" = "truncated"): Promise<Buffer> {
  const jpeg = await makeJpeg({ width: 256, height: 192, seed: 7 });
  if (kind === "truncated") return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
  // Keep everything up to and including the start-of-scan segment header.
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const sosEnd = sos + 2 + jpeg.readUInt16BE(sos + 2);
  const rand = mulberry32(99);
  const noise = Buffer.from(Array.from({ length: 2048 }, () => Math.floor(rand() * 255)));
  return Buffer.concat([jpeg.subarray(0, sosEnd), noise]);
}
