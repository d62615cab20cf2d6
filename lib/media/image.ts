// The image step of the analysis pipeline: validate an uploaded photo, decode it once, and
// derive everything later steps need (thumbnail, AI preview, EXIF, colours, fingerprint).
//
// Input is untrusted. The defences, in order: magic-byte sniffing (a PDF named .jpg never
// reaches a decoder), a header-only size check against maxPixels before any pixel is
// decoded, sharp's own limitInputPixels as a backstop, first frame only for animations, and
// failOn "error" so truncated/corrupt data fails instead of yielding a half-grey picture.

import sharp from "sharp";
import exifr from "exifr";
import type { ExifSummary, ImageFeatures } from "@/lib/ai/types";
import { RejectedInputError } from "@/lib/errors";
import { notAPhotoError } from "./errors";
import { checkImageHeader, classifyDecodeError, type HeaderLimits } from "./image-header";
import { describeNonImage, sniffImageType, SNIFF_BYTES, type ImageMime } from "./sniff";

export type ImageStage = "decoding" | "thumbnail" | "exif" | "colours" | "fingerprint";

export type ImageFormat = "jpeg" | "png" | "webp" | "gif" | "heic" | "avif";

export interface ImageAnalysis {
  /** Displayed size, i.e. after applying the EXIF orientation. */
  width: number;
  height: number;
  format: ImageFormat;
  mime: ImageMime;
  features: ImageFeatures;
  /** WebP, long side 512 px (never enlarged), oriented, no metadata. */
  thumbnail: Buffer;
  /** JPEG, long side ≤ 1024 px, oriented, no metadata: what the AI provider sees. */
  preview: Buffer;
  exif: ExifSummary | null;
  /** 64-bit DCT perceptual hash as 16 hex digits; compare with hammingDistance(). */
  phash: string;
}

export type { HeaderLimits } from "./image-header";
export { checkImageHeader } from "./image-header";

export interface AnalyseImageOptions extends HeaderLimits {
  /** Awaited before each stage, for progress reporting (and cancellation by throwing). */
  onStage?: (stage: ImageStage) => void | Promise<void>;
}

const PREVIEW_SIZE = 1024;
const THUMBNAIL_SIZE = 512;
const COLOUR_SAMPLE = 64;

const FORMAT_BY_MIME: Record<ImageMime, ImageFormat> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/heic": "heic",
  "image/avif": "avif",
};

export async function analyseImage(input: Buffer, opts: AnalyseImageOptions): Promise<ImageAnalysis> {
  if (input.length === 0) {
    throw new RejectedInputError("empty", "This file is empty (0 bytes), so there is no photo in it.");
  }
  const head = input.subarray(0, SNIFF_BYTES);
  const sniffed = sniffImageType(head);
  if (!sniffed) throw notAPhotoError(describeNonImage(head));
  const stage = async (s: ImageStage) => {
    await opts.onStage?.(s);
  };

  await stage("decoding");
  const meta = await checkImageHeader(input, opts, sniffed.mime);
  const base = await decodeToPreviewSize(input, opts.maxPixels, sniffed.mime);
  const { width: pw, height: ph } = base.info;
  const raw = { raw: { width: pw, height: ph, channels: 3 as const } };
  // Displayed dimensions: metadata's autoOrient swaps width/height for orientations 5..8.
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;

  await stage("thumbnail");
  // Both derived from the already-decoded ≤1024 px pixels rather than decoding the original
  // again. sharp writes no metadata unless asked, so EXIF (GPS!) never leaks into these.
  const [thumbnail, preview] = await Promise.all([
    sharp(base.data, raw)
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer(),
    sharp(base.data, raw).jpeg({ quality: 85 }).toBuffer(),
  ]);

  await stage("exif");
  const exif = await readExif(meta.exif);

  await stage("colours");
  const sample = await sharp(base.data, raw)
    .resize(COLOUR_SAMPLE, COLOUR_SAMPLE, { fit: "fill" })
    .raw()
    .toBuffer();
  const { brightness, saturation } = lumaAndSaturation(sample);
  const colours = dominantColours(sample);

  await stage("fingerprint");
  const grey = await sharp(base.data, raw).greyscale().resize(32, 32, { fit: "fill" }).raw().toBuffer();
  const phash = dctHash(grey);

  return {
    width,
    height,
    format: FORMAT_BY_MIME[sniffed.mime],
    mime: sniffed.mime,
    features: {
      width,
      height,
      orientation: orientationOf(width, height),
      brightness,
      saturation,
      colours,
      exif,
    },
    thumbnail,
    preview,
    exif,
    phash,
  };
}

/**
 * The one full decode: oriented, alpha flattened onto white (how a transparent PNG looks on
 * a page), converted to 8-bit sRGB, shrunk to preview size. JPEG shrink-on-load means a
 * 12 MP photo is never materialised at full size.
 */
async function decodeToPreviewSize(input: Buffer, maxPixels: number, mime: ImageMime) {
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

// ---------------------------------------------------------------------------------------
// EXIF

const EXIFR_OPTIONS = {
  tiff: true,
  exif: true,
  gps: true,
  ifd1: false, // thumbnail IFD
  interop: false,
  makerNote: false,
  userComment: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  // Keep dates as the raw "YYYY:MM:DD HH:MM:SS" strings: revived Dates would be built in
  // the server's time zone, and EXIF times are the camera's local wall-clock time.
  reviveValues: false,
  translateValues: false,
};

/**
 * Parses the EXIF block libvips already extracted (same for JPEG, PNG, WebP, HEIC, AVIF).
 * Never throws: odd EXIF is common and must not cost the user their photo.
 */
async function readExif(block: Buffer | undefined): Promise<ExifSummary | null> {
  if (!block || block.length < 8) return null;
  // JPEG/WebP/HEIF blocks start with the APP1 "Exif\0\0" prefix; exifr wants the TIFF header.
  const tiff = block.subarray(0, 6).toString("latin1") === "Exif\0\0" ? block.subarray(6) : block;
  let tags: Record<string, unknown> | undefined;
  try {
    tags = await exifr.parse(tiff, EXIFR_OPTIONS);
  } catch {
    return null;
  }
  if (!tags) return null;

  const summary: ExifSummary = {};
  const make = text(tags.Make);
  const model = text(tags.Model);
  const lens = text(tags.LensModel);
  const takenAt = exifDate(tags.DateTimeOriginal, tags.OffsetTimeOriginal) ?? exifDate(tags.CreateDate, tags.OffsetTimeDigitized);
  if (make) summary.cameraMake = make;
  if (model) summary.cameraModel = model;
  if (lens) summary.lens = lens;
  if (takenAt) summary.takenAt = takenAt;
  const lat = num(tags.latitude);
  const lon = num(tags.longitude);
  // 0,0 is what many cameras write when they have no GPS fix.
  if (lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && (lat !== 0 || lon !== 0)) {
    summary.latitude = lat;
    summary.longitude = lon;
  }
  const iso = num(Array.isArray(tags.ISO) ? tags.ISO[0] : tags.ISO);
  const exposureTime = num(tags.ExposureTime);
  const fNumber = num(tags.FNumber);
  const focalLength = num(tags.FocalLength);
  if (iso !== undefined && iso > 0) summary.iso = iso;
  if (exposureTime !== undefined && exposureTime > 0) summary.exposureTime = exposureTime;
  if (fNumber !== undefined && fNumber > 0) summary.fNumber = fNumber;
  if (focalLength !== undefined && focalLength > 0) summary.focalLength = focalLength;
  return Object.keys(summary).length > 0 ? summary : null;
}

function text(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/\u0000/g, "").trim();
  return s || undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** "2024:05:06 07:08:09" (+ "+02:00") → "2024-05-06T07:08:09(+02:00)"; no offset = local time. */
function exifDate(value: unknown, offset: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  if (y === "0000" || +mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +s > 60) return undefined;
  const off = typeof offset === "string" && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : "";
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${off}`;
}

// ---------------------------------------------------------------------------------------
// Pixel statistics

function orientationOf(width: number, height: number): ImageFeatures["orientation"] {
  if (Math.abs(width - height) <= 0.05 * Math.max(width, height)) return "square";
  return width > height ? "landscape" : "portrait";
}

/** Mean Rec. 709 luma of the sRGB-encoded values and mean HSV saturation, both 0..1. */
function lumaAndSaturation(rgb: Uint8Array): { brightness: number; saturation: number } {
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
function dominantColours(rgb: Uint8Array, max = 5): string[] {
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

// ---------------------------------------------------------------------------------------
// Perceptual hash

const DCT_N = 32;
const DCT_K = 8;
// cos((2x+1)uπ / 2N) for the 8 lowest frequencies u, computed once.
const COS = Array.from({ length: DCT_K }, (_, u) =>
  Float64Array.from({ length: DCT_N }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * DCT_N))),
);

/**
 * Classic pHash: 32×32 greyscale → 2-D DCT → top-left 8×8 low frequencies → one bit per
 * coefficient, set when above the median (DC excluded from the median, as it only carries
 * overall brightness). Robust to resizing and recompression, unlike a byte hash.
 */
function dctHash(grey: Uint8Array): string {
  // Rows first (32 rows × 8 frequencies), then columns of that (8 × 8).
  const rows = new Float64Array(DCT_N * DCT_K);
  for (let y = 0; y < DCT_N; y++) {
    for (let u = 0; u < DCT_K; u++) {
      let s = 0;
      for (let x = 0; x < DCT_N; x++) s += grey[y * DCT_N + x] * COS[u][x];
      rows[y * DCT_K + u] = s;
    }
  }
  const coeffs = new Float64Array(DCT_K * DCT_K);
  for (let v = 0; v < DCT_K; v++) {
    for (let u = 0; u < DCT_K; u++) {
      let s = 0;
      for (let y = 0; y < DCT_N; y++) s += rows[y * DCT_K + u] * COS[v][y];
      coeffs[v * DCT_K + u] = s;
    }
  }
  const median = [...coeffs.subarray(1)].sort((a, b) => a - b)[Math.floor((coeffs.length - 1) / 2)];
  // The epsilon keeps flat images stable: their AC coefficients are all ~0 and float noise
  // would otherwise decide the bits.
  const threshold = median + 1e-6;
  let hash = 0n;
  for (let i = 0; i < coeffs.length; i++) {
    hash = (hash << 1n) | (coeffs[i] > threshold ? 1n : 0n);
  }
  return hash.toString(16).padStart(16, "0");
}

/** Number of differing bits between two phashes (0 = same picture, 64 = opposite). */
export function hammingDistance(a: string, b: string): number {
  if (!/^[0-9a-f]{16}$/i.test(a) || !/^[0-9a-f]{16}$/i.test(b)) {
    throw new Error(`hammingDistance expects two 16-digit hex hashes, got "${a}" and "${b}"`);
  }
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let bits = 0;
  while (x) {
    bits += Number(x & 1n);
    x >>= 1n;
  }
  return bits;
}
