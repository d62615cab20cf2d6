// The one decode of an uploaded photo, and the smaller copies made from it. Input is
// untrusted: sharp's own limitInputPixels backs up the header check made before, only
// the first frame of an animation is decoded, and failOn "error" makes truncated or
// corrupt data fail instead of yielding a half-grey picture.
import sharp from "sharp";
import { classifyDecodeError } from "../image-header";
import type { ImageMime } from "../sniff";

export const PREVIEW_SIZE = 1024;

/** Decoded pixels: 8-bit sRGB, 3 channels, no alpha. */
export interface Pixels {
  data: Buffer;
  info: { width: number; height: number };
}

/**
 * The one full decode: oriented, alpha flattened onto white (how a transparent PNG looks on
 * a page), converted to 8-bit sRGB, shrunk to preview size. JPEG shrink-on-load means a
 * 12 MP photo is never materialised at full size.
 */
export async function decodeToPreviewSize(input: Buffer, maxPixels: number, mime: ImageMime): Promise<Pixels> {
  try {
    const out = await sharp(input, {
      limitInputPixels: maxPixels,
      failOn: "error", // "warning" would reject many real camera JPEGs with harmless quirks
      pages: 1, // first frame only: a 5,000-frame GIF costs the same as a still
      autoOrient: true,
    })
      .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (out.info.channels !== 3) throw new Error(`unexpected ${out.info.channels} channels after decode`);
    return out;
  } catch (err) {
    throw classifyDecodeError(err, mime);
  }
}

const raw = (p: Pixels) => ({ raw: { width: p.info.width, height: p.info.height, channels: 3 as const } });

// The smaller copies are made from the decoded pixels rather than a second decode of the
// original. sharp writes no metadata unless asked, so EXIF (GPS!) never leaks into them.

/** The JPEG preview the AI provider sees, at the decoded size (long side ≤ 1024 px). */
export function encodePreview(pixels: Pixels): Promise<Buffer> {
  return sharp(pixels.data, raw(pixels)).jpeg({ quality: 85 }).toBuffer();
}

/**
 * Long side of the small copy: the WebP thumbnail, and what a local vision model sees
 * (CenterNet works at 512 × 512).
 */
export const SMALL_SIZE = 512;

/**
 * The small copy (RGB, long side ≤ SMALL_SIZE, aspect kept), shrunk once from the decode.
 * The thumbnail, the model's pixels and the colour and fingerprint samples are all made
 * from it: a quarter of the preview's pixels to resample for each (docs/performance.md,
 * "Analysis").
 */
export async function smallCopy(pixels: Pixels): Promise<Pixels> {
  return sharp(pixels.data, raw(pixels))
    .resize(SMALL_SIZE, SMALL_SIZE, { fit: "inside", withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
}

/** The WebP thumbnail: the small copy, encoded. */
export function encodeThumbnail(small: Pixels): Promise<Buffer> {
  return sharp(small.data, raw(small)).webp({ quality: 80 }).toBuffer();
}

/** The local vision model's input: the small copy's pixels as they are. */
export function modelPixels(small: Pixels): { data: Uint8Array; width: number; height: number } {
  return { data: new Uint8Array(small.data.buffer, small.data.byteOffset, small.data.byteLength), width: small.info.width, height: small.info.height };
}

/** RGB samples of the whole picture, squeezed to size × size, for colour statistics. */
export function colourSample(small: Pixels, size: number): Promise<Buffer> {
  return sharp(small.data, raw(small)).resize(size, size, { fit: "fill" }).raw().toBuffer();
}

/** The 32×32 greyscale copy the perceptual hash is computed from. */
export function hashSample(small: Pixels): Promise<Buffer> {
  return sharp(small.data, raw(small)).greyscale().resize(32, 32, { fit: "fill" }).raw().toBuffer();
}
