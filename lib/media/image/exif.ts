// EXIF of an uploaded photo: the camera, lens, capture time, GPS and exposure a person
// would want to see, read from the block libvips already extracted. Odd EXIF is common,
// so nothing here throws: a photo with a broken block simply has none.
import exifr from "exifr";
import type { ExifSummary } from "@/lib/ai/types";

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
export async function readExif(block: Buffer | undefined): Promise<ExifSummary | null> {
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
  // eslint-disable-next-line no-control-regex -- cameras pad EXIF strings with NULs; removing them is the point
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
