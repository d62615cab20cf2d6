// The image step of the analysis pipeline: validate an uploaded photo, decode it once, and
// derive everything later steps need (thumbnail, AI preview, EXIF, colours, fingerprint).
// Each concern has its module beside this one: decode, exif, pixels, phash.
//
// Input is untrusted. The defences, in order: magic-byte sniffing (a PDF named .jpg never
// reaches a decoder), a header-only size check against maxPixels before any pixel is
// decoded, then the decoder's own limits (decode.ts).

import type { DescribeInput, ExifSummary, ImageFeatures } from "@/lib/ai/types";
import type { RgbPixels } from "@/lib/ai/vision/types";
import { RejectedInputError } from "@/lib/errors";
import { notAPhotoError } from "../errors";
import { checkImageHeader, type HeaderLimits } from "../image-header";
import { describeNonImage, sniffImageType, SNIFF_BYTES, type ImageMime } from "../sniff";
import { colourSample, decodeToPreviewSize, encodePreview, encodeThumbnail, hashSample, modelPixels, smallCopy } from "./decode";
import { readExif } from "./exif";
import { dctHash } from "./phash";
import { dominantColours, lumaAndSaturation, orientationOf } from "./pixels";

export { hammingDistance } from "./phash";
export { measureQuality } from "./pixels";

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
  /** RGB, long side ≤ 512 px, oriented: what a local vision model sees. */
  pixels: RgbPixels;
  exif: ExifSummary | null;
  /** 64-bit DCT perceptual hash as 16 hex digits; compare with hammingDistance(). */
  phash: string;
}

export type { HeaderLimits } from "../image-header";
export { checkImageHeader } from "../image-header";

export interface AnalyzeImageOptions extends HeaderLimits {
  /** Awaited before each stage, for progress reporting (and cancellation by throwing). */
  onStage?: (stage: ImageStage) => void | Promise<void>;
  /**
   * Called once, as soon as everything a caption provider is given exists (the preview,
   * the features, the model's pixels) — before the thumbnail and the fingerprint, which
   * are made while the provider works. Not awaited: start the call and return.
   */
  onDescribable?: (input: DescribeInput) => void;
}

const COLOUR_SAMPLE = 64;

const FORMAT_BY_MIME: Record<ImageMime, ImageFormat> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/heic": "heic",
  "image/avif": "avif",
};

export async function analyzeImage(input: Buffer, opts: AnalyzeImageOptions): Promise<ImageAnalysis> {
  if (input.length === 0) {
    throw new RejectedInputError("empty", "This file is empty (0 bytes), so there is no photo in it.");
  }
  const head = input.subarray(0, SNIFF_BYTES);
  const sniffed = sniffImageType(head);
  if (!sniffed) throw notAPhotoError(describeNonImage(head));
  const stage = async (s: ImageStage) => {
    await opts.onStage?.(s);
  };

  // The decode starts beside the "decoding" report (a database write and an announcement,
  // milliseconds each on a busy worker) rather than after it: both are on the way to the
  // caption call. The header check still comes before any pixel is decoded.
  const header = checkImageHeader(input, opts, sniffed.mime);
  const decoded = header.then(() => decodeToPreviewSize(input, opts.maxPixels, sniffed.mime));
  // A report that throws (cancellation) leaves both unobserved; awaited, they still throw.
  for (const p of [header, decoded]) p.catch(() => {});
  await stage("decoding");
  const meta = await header;
  const base = await decoded;
  // Displayed dimensions: metadata's autoOrient swaps width/height for orientations 5..8.
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;

  // Every copy comes from the one decode: the preview at its size, the rest from one small
  // copy of it (the thumbnail's size), a quarter of the pixels to shrink again. What a
  // caption provider needs is queued first (sharp's thread pool is first come, first
  // served) and handed over as soon as it exists, so the provider's wait — the longest step
  // by far — overlaps the slowest CPU step, the WebP thumbnail, instead of following it.
  // The stages below still report in their order; each awaits its own piece.
  const preview = encodePreview(base);
  const small = smallCopy(base);
  const pixels = small.then(modelPixels);
  const features = Promise.all([readExif(meta.exif), small.then((s) => colourSample(s, COLOUR_SAMPLE))]).then(([exif, sample]): ImageFeatures => {
    const { brightness, saturation } = lumaAndSaturation(sample);
    return { width, height, orientation: orientationOf(width, height), brightness, saturation, colours: dominantColours(sample), exif };
  });
  const thumbnail = small.then(encodeThumbnail);
  const phash = small.then(hashSample).then(dctHash);
  // Called before this function returns (awaited below), so the caller can rely on it.
  const handedOver = Promise.all([preview, features, pixels]).then(([image, f, px]) =>
    opts.onDescribable?.({ image, mime: "image/jpeg", features: f, pixels: px }),
  );
  // A stage callback that throws (cancellation) leaves these running: their failures are
  // not news then, and must not surface as unhandled rejections. Awaited, they still throw.
  for (const p of [preview, small, pixels, features, thumbnail, phash, handedOver]) p.catch(() => {});

  await stage("thumbnail");
  await Promise.all([thumbnail, preview, pixels]);
  await stage("exif");
  const { exif } = await features;
  await stage("colours");
  await features;
  await stage("fingerprint");
  await handedOver;

  return {
    width,
    height,
    format: FORMAT_BY_MIME[sniffed.mime],
    mime: sniffed.mime,
    features: await features,
    thumbnail: await thumbnail,
    preview: await preview,
    pixels: await pixels,
    exif,
    phash: await phash,
  };
}
