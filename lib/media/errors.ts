// The sentences for "the uploaded photo itself is the problem" (RejectedInputError: the
// worker fails it at once, the upload answers 413/415/422). The person who uploaded the
// file reads `message`, which is why every one is a plain sentence.
import { RejectedInputError } from "@/lib/errors";

export const ACCEPTED_FORMATS_SENTENCE = "Please upload a JPEG, PNG, WebP, GIF, HEIC or AVIF photo.";

/** `what` comes from describeNonImage(), e.g. "a PDF" or "unknown". */
export function notAPhotoError(what: string): RejectedInputError {
  const looksLike = what === "unknown" ? "" : ` (it looks like ${what})`;
  return new RejectedInputError(
    "wrong_type",
    `This file is not a photo we can read${looksLike}. ${ACCEPTED_FORMATS_SENTENCE}`,
  );
}

export function tooLargeError(width: number, height: number, maxPixels: number): RejectedInputError {
  const fmt = (n: number) => n.toLocaleString("en-US");
  const limitMp = maxPixels / 1_000_000;
  const limit =
    maxPixels >= 1_000_000
      ? `${fmt(Math.round(limitMp * 10) / 10)} megapixels`
      : `${fmt(maxPixels)} pixels`;
  return new RejectedInputError(
    "too_large",
    `This image is ${fmt(width)} × ${fmt(height)} pixels; the limit is ${limit}.`,
  );
}

export function tooManyFramesError(frames: number, maxFrames: number): RejectedInputError {
  const fmt = (n: number) => n.toLocaleString("en-US");
  return new RejectedInputError("too_large", `This animation has ${fmt(frames)} frames; the limit is ${fmt(maxFrames)}.`);
}

export function damagedError(cause?: unknown): RejectedInputError {
  return new RejectedInputError(
    "damaged",
    "The image data is damaged or incomplete, so it can't be decoded.",
    { cause },
  );
}
