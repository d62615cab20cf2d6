// A show's (or episode's) cover art as podcast directories want it: square, JPEG, sRGB,
// 1400–3000 px on a side (Apple's rule). The upload is untrusted: sniffed by its bytes,
// its pixel count checked from the header before anything is decoded, sharp's
// limitInputPixels as a backstop, and a truncated file fails instead of coming out grey.
import sharp from "sharp";
import { RejectedInputError } from "@/lib/errors";
import { describeNonImage, sniffImageType, SNIFF_BYTES } from "@/lib/media/sniff";

export const ARTWORK_MIN_SIDE = 1400;
export const ARTWORK_MAX_SIDE = 3000;
export const ARTWORK_CONTENT_TYPE = "image/jpeg";

/** Good enough to look sharp in every app, small enough (typically 0.3–1.5 MB) for feeds. */
const JPEG_QUALITY = 85;

export interface ArtworkOptions {
  /** Largest width × height decoded (env MAX_PIXELS); bigger uploads are refused unread. */
  maxPixels: number;
}

export interface Artwork {
  /** Baseline JPEG, sRGB with the profile attached, no EXIF/GPS. */
  data: Buffer;
  /** Width and height in pixels (square). */
  side: number;
  contentType: typeof ARTWORK_CONTENT_TYPE;
  /** The upload's shorter side was below 1400 px: it was enlarged and may look soft. */
  upscaled: boolean;
}

/**
 * Centre-crops the picture to a square (its shorter side, after EXIF orientation), scales
 * it into 1400–3000 px, flattens transparency onto white and encodes a JPEG.
 * Throws RejectedInputError (empty, wrong_type, too_large, unsupported, damaged).
 */
export async function makeArtwork(input: Buffer, opts: ArtworkOptions): Promise<Artwork> {
  if (input.length === 0) throw new RejectedInputError("empty", "This file is empty (0 bytes), so there is no picture in it.");
  const head = input.subarray(0, SNIFF_BYTES);
  const sniffed = sniffImageType(head);
  if (!sniffed) {
    const what = describeNonImage(head);
    throw new RejectedInputError(
      "wrong_type",
      `This file is not a picture we can use as artwork${what === "unknown" ? "" : ` (it looks like ${what})`}. ` +
        "Please upload a JPEG, PNG or WebP image.",
    );
  }

  const meta = await decodeStep(() => sharp(input, { limitInputPixels: false, failOn: "error", pages: 1 }).metadata());
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw damaged();
  if (width * height > opts.maxPixels) {
    const fmt = (n: number) => n.toLocaleString("en-US");
    throw new RejectedInputError(
      "too_large",
      `This image is ${fmt(width)} × ${fmt(height)} pixels; artwork may have at most ${fmt(opts.maxPixels)} pixels.`,
    );
  }

  const shorter = Math.min(width, height);
  const side = Math.min(ARTWORK_MAX_SIDE, Math.max(ARTWORK_MIN_SIDE, shorter));
  const data = await decodeStep(() =>
    sharp(input, { limitInputPixels: opts.maxPixels, failOn: "error", pages: 1 })
      .autoOrient()
      .resize(side, side, { fit: "cover", position: "centre" })
      // JPEG has no alpha; unflattened transparency would come out black.
      .flatten({ background: "#ffffff" })
      // Converts from whatever profile the upload had (Display P3, CMYK…) and tags the
      // result as sRGB, which is what Apple asks for.
      .toColourspace("srgb")
      .withIccProfile("srgb")
      .jpeg({ quality: JPEG_QUALITY })
      .toBuffer(),
  );
  return { data, side, contentType: ARTWORK_CONTENT_TYPE, upscaled: shorter < ARTWORK_MIN_SIDE };
}

async function decodeStep<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/exceeds pixel limit/i.test(msg)) {
      throw new RejectedInputError("too_large", "This image has more pixels than artwork may have.", { cause: err });
    }
    if (/unsupported (?:codec|compression|feature)|no decoding plugin|not supported/i.test(msg)) {
      throw new RejectedInputError(
        "unsupported",
        "This image uses a variant of its format that we can't decode. Please convert it to JPEG or PNG and upload it again.",
        { cause: err },
      );
    }
    throw damaged(err);
  }
}

function damaged(cause?: unknown): RejectedInputError {
  return new RejectedInputError("damaged", "The image data is damaged or incomplete, so it can't be used as artwork.", { cause });
}
