// Errors that mean "the uploaded file itself is the problem". Retrying can never help, so
// the worker treats these as permanent (UnrecoverableError) and shows `message` to the
// person who uploaded the file — which is why every message is a plain sentence.

export type MediaRejectionReason =
  | "empty" // zero bytes
  | "not_an_image" // magic bytes say PDF, ZIP, text, video, ...
  | "unsupported" // an image, but one we can't decode (e.g. HEVC-coded HEIC without a decoder)
  | "too_large" // width × height (or the frame count) over the configured limit
  | "damaged"; // looked like an image but the data is truncated or corrupt

export class MediaRejectedError extends Error {
  constructor(
    readonly reason: MediaRejectionReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MediaRejectedError";
  }
}

export const ACCEPTED_FORMATS_SENTENCE = "Please upload a JPEG, PNG, WebP, GIF, HEIC or AVIF photo.";

/** `what` comes from describeNonImage(), e.g. "a PDF" or "unknown". */
export function notAPhotoError(what: string): MediaRejectedError {
  const looksLike = what === "unknown" ? "" : ` (it looks like ${what})`;
  return new MediaRejectedError(
    "not_an_image",
    `This file is not a photo we can read${looksLike}. ${ACCEPTED_FORMATS_SENTENCE}`,
  );
}

export function tooLargeError(width: number, height: number, maxPixels: number): MediaRejectedError {
  const fmt = (n: number) => n.toLocaleString("en-US");
  const limitMp = maxPixels / 1_000_000;
  const limit =
    maxPixels >= 1_000_000
      ? `${fmt(Math.round(limitMp * 10) / 10)} megapixels`
      : `${fmt(maxPixels)} pixels`;
  return new MediaRejectedError(
    "too_large",
    `This image is ${fmt(width)} × ${fmt(height)} pixels; the limit is ${limit}.`,
  );
}

export function tooManyFramesError(frames: number, maxFrames: number): MediaRejectedError {
  const fmt = (n: number) => n.toLocaleString("en-US");
  return new MediaRejectedError("too_large", `This animation has ${fmt(frames)} frames; the limit is ${fmt(maxFrames)}.`);
}

export function damagedError(cause?: unknown): MediaRejectedError {
  return new MediaRejectedError(
    "damaged",
    "The image data is damaged or incomplete, so it can't be decoded.",
    { cause },
  );
}
