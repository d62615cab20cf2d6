// Statistics of a photo's pixels: its orientation, brightness, saturation and dominant
// colours (for captions and the library), and how usable it looks for a vlog: sharpness
// (variance of the Laplacian, the usual focus measure) and exposure (mid-toned, little
// clipped). sharp does the decoding and filtering on libuv's thread pool; the sums are ours.
import sharp from "sharp";
import type { ImageFeatures } from "@/lib/ai/types";

export function orientationOf(width: number, height: number): ImageFeatures["orientation"] {
  if (Math.abs(width - height) <= 0.05 * Math.max(width, height)) return "square";
  return width > height ? "landscape" : "portrait";
}

/** Mean Rec. 709 luma of the sRGB-encoded values and mean HSV saturation, both 0..1. */
export function lumaAndSaturation(rgb: Uint8Array): { brightness: number; saturation: number } {
  let luma = 0;
  let sat = 0;
  const n = rgb.length / 3;
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i];
    const g = rgb[i + 1];
    const b = rgb[i + 2];
    luma += 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const max = Math.max(r, g, b);
    if (max > 0) sat += (max - Math.min(r, g, b)) / max;
  }
  return { brightness: round3(luma / n / 255), saturation: round3(sat / n) };
}

const MERGE_DISTANCE = 48; // RGB Euclidean distance under which two buckets are "the same colour"
const MIN_SHARE = 0.02; // ignore colours covering less than 2 % of the picture

/**
 * Histogram bucketing (4 bits per channel) then greedy merging of similar buckets, biggest
 * first. Unlike k-means it needs no random start, is deterministic, and returns a single
 * colour for a flat image instead of five near-identical ones.
 */
export function dominantColours(rgb: Uint8Array, max = 5): string[] {
  const count = new Uint32Array(4096);
  const sums = new Float64Array(4096 * 3);
  for (let i = 0; i < rgb.length; i += 3) {
    const key = ((rgb[i] >> 4) << 8) | ((rgb[i + 1] >> 4) << 4) | (rgb[i + 2] >> 4);
    count[key]++;
    sums[key * 3] += rgb[i];
    sums[key * 3 + 1] += rgb[i + 1];
    sums[key * 3 + 2] += rgb[i + 2];
  }
  const buckets: { n: number; r: number; g: number; b: number }[] = [];
  for (let k = 0; k < 4096; k++) {
    const n = count[k];
    if (n) buckets.push({ n, r: sums[k * 3] / n, g: sums[k * 3 + 1] / n, b: sums[k * 3 + 2] / n });
  }
  buckets.sort((a, b) => b.n - a.n);

  const clusters: { n: number; r: number; g: number; b: number }[] = [];
  for (const bk of buckets) {
    const near = clusters.find((c) => Math.hypot(c.r - bk.r, c.g - bk.g, c.b - bk.b) < MERGE_DISTANCE);
    if (near) {
      const n = near.n + bk.n;
      near.r = (near.r * near.n + bk.r * bk.n) / n;
      near.g = (near.g * near.n + bk.g * bk.n) / n;
      near.b = (near.b * near.n + bk.b * bk.n) / n;
      near.n = n;
    } else {
      clusters.push({ ...bk });
    }
  }
  const total = rgb.length / 3;
  return clusters
    .sort((a, b) => b.n - a.n)
    .filter((c) => c.n / total >= MIN_SHARE)
    .slice(0, max)
    .map((c) => `#${hex2(c.r)}${hex2(c.g)}${hex2(c.b)}`);
}

function hex2(v: number): string {
  return Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, "0");
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Quality is measured on a copy this size (the long side, in px). */
const QUALITY_SIZE = 256;
/** Laplacian standard deviation at which a photo counts as fully sharp. */
const SHARP_STDDEV = 24;

/**
 * Sharpness and exposure of a photo, both 0..1. Measured on a small greyscale copy (the
 * stored thumbnail is plenty), so it costs milliseconds.
 */
export async function measureQuality(image: Buffer): Promise<{ sharpness: number; exposure: number }> {
  const grey = sharp(image, { failOn: "none" }).rotate().resize(QUALITY_SIZE, QUALITY_SIZE, { fit: "inside" }).greyscale();
  const [pixels, edges] = await Promise.all([
    grey.clone().raw().toBuffer(),
    // The Laplacian is signed; offset 128 keeps negative responses instead of clipping them.
    grey.clone().convolve({ width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], offset: 128 }).raw().toBuffer(),
  ]);
  return { sharpness: sharpnessOf(edges), exposure: exposureOf(pixels) };
}

/** 0..1 from a Laplacian-filtered greyscale image (offset 128): the spread of its edges. */
export function sharpnessOf(edges: Uint8Array): number {
  let sum = 0;
  let sumSq = 0;
  for (const v of edges) {
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / edges.length;
  const stddev = Math.sqrt(Math.max(0, sumSq / edges.length - mean * mean));
  return round3(Math.min(1, stddev / SHARP_STDDEV));
}

/** 0..1 from greyscale pixels: 1 for mid-toned with nothing clipped, 0 for all black or white. */
export function exposureOf(grey: Uint8Array): number {
  let total = 0;
  let clipped = 0;
  for (const v of grey) {
    total += v;
    if (v <= 4 || v >= 251) clipped += 1;
  }
  const brightness = total / grey.length / 255;
  return round3(Math.max(0, 1 - Math.abs(brightness - 0.5) * 2) * (1 - Math.min(1, (clipped / grey.length) * 2)));
}
