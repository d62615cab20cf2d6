// Header-only checks of an uploaded image, cheap enough for the upload request and run
// again by the worker before it decodes anything: the pixel count and frame count come
// from the header, so a 50,000 × 50,000 PNG or a 5,000-frame GIF is refused without a
// single pixel being decoded. Also maps decoder errors to messages a person can act on.
// Kept apart from image.ts so the web process loads sharp but not the analysis code.
import sharp, { type Metadata } from "sharp";
import { RejectedInputError } from "@/lib/errors";
import { damagedError, tooLargeError, tooManyFramesError } from "./errors";
import type { ImageMime } from "./sniff";

export interface HeaderLimits {
  /** Largest width × height accepted; checked before decoding. */
  maxPixels: number;
  /** Most frames an animation may have (only the first is ever decoded). */
  maxFrames?: number;
}

/**
 * Reads only the header (a file path or bytes) and refuses what is too big to decode:
 * width × height over maxPixels, or more frames than maxFrames. Cheap enough to run in the
 * upload request, so a 50,000 × 50,000 PNG is turned away there, and the worker runs it
 * again before decoding. Throws RejectedInputError.
 */
export async function checkImageHeader(input: Buffer | string, limits: HeaderLimits, mime?: ImageMime): Promise<Metadata> {
  return withinLimits(await readMetadata(input, mime), limits);
}

/**
 * How many leading bytes of an uploaded file `checkFileHeader` wants in memory. A JPEG's
 * header — every marker up to its first scan, EXIF, colour profile and XMP included —
 * fits in this for all but a few (extended XMP, say, as in some phones' depth maps).
 */
export const HEADER_BYTES = 256 * 1024;

/**
 * `checkImageHeader` for a file on disk whose first bytes are at hand. A JPEG's header is
 * read from those bytes: sharp does that for ~0.5 ms of CPU against 1.0–1.4 ms to open and
 * read the file itself — the largest cost of an upload after its bytes (docs/performance.md,
 * "Session 10"). A JPEG whose header runs past them, or any other format (the frame count of
 * a GIF or WebP needs the whole file), is read from the file, as is any head sharp cannot
 * read, so the verdict is always the whole file's.
 */
export async function checkFileHeader(file: { path: string; head: Buffer }, limits: HeaderLimits, mime: ImageMime): Promise<Metadata> {
  if (mime === "image/jpeg" && file.head.length > 0) {
    const meta = await readMetadata(file.head, mime).catch(() => null);
    if (meta) return withinLimits(meta, limits);
  }
  return checkImageHeader(file.path, limits, mime);
}

function withinLimits(meta: Metadata, limits: HeaderLimits): Metadata {
  if (meta.width * meta.height > limits.maxPixels) throw tooLargeError(meta.width, meta.height, limits.maxPixels);
  const frames = meta.pages ?? 1;
  if (limits.maxFrames !== undefined && frames > limits.maxFrames) throw tooManyFramesError(frames, limits.maxFrames);
  return meta;
}

/** Header-only read. No pixel limit here on purpose: we need the size to say what's wrong. */
async function readMetadata(input: Buffer | string, mime?: ImageMime): Promise<Metadata> {
  try {
    const meta = await sharp(input, { limitInputPixels: false, failOn: "error", pages: 1 }).metadata();
    if (!meta.width || !meta.height) throw new Error("image has no dimensions");
    return meta;
  } catch (err) {
    throw classifyDecodeError(err, mime);
  }
}

export function classifyDecodeError(err: unknown, mime?: ImageMime): RejectedInputError {
  if (err instanceof RejectedInputError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  // Backstop only: the header check above normally catches this with exact numbers.
  if (/exceeds pixel limit/i.test(msg)) {
    return new RejectedInputError("too_large", "This image has more pixels than we accept.", { cause: err });
  }
  // libheif without an HEVC decoder (sharp's prebuilt binaries ship AV1 only) and similar.
  if (/unsupported (?:codec|compression|feature)|no decoding plugin|not supported/i.test(msg)) {
    const message =
      mime === "image/heic"
        ? "This HEIC photo uses a compression we can't decode. Please export it as JPEG and upload it again."
        : "This image uses a variant of its format that we can't decode. Please convert it to JPEG or PNG and upload it again.";
    return new RejectedInputError("unsupported", message, { cause: err });
  }
  return damagedError(err);
}

