// Decide what a file is from its first bytes, never from its name or the browser's
// Content-Type: both are chosen by the uploader and are routinely wrong ("photo.jpg" that
// is really a PDF). Only the formats listed here are accepted for analysis.

import { ascii, asText, ftypBrands, isMpegAudioFrame, startsWith } from "./sniff-bytes";

export type ImageMime =
  | "image/jpeg"
  | "image/png"
  | "image/webp"
  | "image/gif"
  | "image/heic"
  | "image/avif";

export interface SniffedImage {
  mime: ImageMime;
  ext: string;
}

/**
 * How many leading bytes sniffImageType()/describeNonImage() look at. 64 rather than the
 * bare minimum so an ISO-BMFF `ftyp` box can list a few compatible brands (AVIF files often
 * say `mif1` first and `avif` only later) and an XML prolog can reach its `<svg` tag.
 */
export const SNIFF_BYTES = 64;

const HEIC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]);
const AVIF_BRANDS = new Set(["avif", "avis"]);

export function sniffImageType(head: Uint8Array): SniffedImage | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { mime: "image/jpeg", ext: "jpg" };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { mime: "image/png", ext: "png" };
  }
  if (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a") {
    return { mime: "image/gif", ext: "gif" };
  }
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") {
    return { mime: "image/webp", ext: "webp" };
  }
  const brands = ftypBrands(head);
  // AVIF first: AVIF files commonly carry the generic HEIF brand `mif1` as well.
  if (brands.some((b) => AVIF_BRANDS.has(b))) return { mime: "image/avif", ext: "avif" };
  if (brands.some((b) => HEIC_BRANDS.has(b))) return { mime: "image/heic", ext: "heic" };
  return null;
}

/**
 * A short human name for what a non-image file appears to be, with its article, for the
 * rejection message ("it looks like a PDF"). Returns "unknown" when nothing matches.
 */
export function describeNonImage(head: Uint8Array): string {
  if (head.length === 0) return "an empty file";
  if (ascii(head, 0, 5) === "%PDF-") return "a PDF";
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    return "a ZIP archive"; // also .docx/.xlsx/.epub, which are ZIPs
  }
  if (startsWith(head, [0x1f, 0x8b])) return "a gzip archive";
  if (ascii(head, 0, 6) === "Rar!\x1a\x07") return "a RAR archive";
  if (ascii(head, 0, 4) === "RIFF") {
    const kind = ascii(head, 8, 12);
    if (kind === "WAVE") return "a WAV audio file";
    if (kind === "AVI ") return "an AVI video";
  }
  if (ascii(head, 0, 3) === "ID3" || isMpegAudioFrame(head)) {
    return "an MP3 audio file"; // ID3 tag, or a bare MPEG audio frame header
  }
  if (ascii(head, 0, 4) === "fLaC") return "a FLAC audio file";
  if (ascii(head, 0, 4) === "OggS") return "an Ogg audio file";
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return "a WebM or MKV video";
  const brands = ftypBrands(head);
  if (brands.length > 0) {
    if (brands[0] === "qt  ") return "a QuickTime (MOV) video";
    if (brands.some((b) => b.startsWith("M4A"))) return "an M4A audio file";
    return "an MP4 video"; // isom, mp41, mp42, avc1, 3gp*, ...
  }
  // Images we deliberately don't accept: name them so the message isn't baffling.
  if (ascii(head, 0, 4) === "II*\0" || ascii(head, 0, 4) === "MM\0*") return "a TIFF image";
  if (ascii(head, 0, 2) === "BM") return "a BMP image";
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00])) return "an ICO icon";
  if (startsWith(head, [0xff, 0x0a]) || ascii(head, 4, 12) === "JXL \r\n\x87\n") return "a JPEG XL image";

  const text = asText(head);
  if (text !== null) {
    const t = text.replace(/^\uFEFF/, "").trimStart().toLowerCase();
    if (t.startsWith("<svg") || (t.startsWith("<?xml") && t.includes("<svg"))) return "an SVG drawing";
    if (t.startsWith("<!doctype html") || t.startsWith("<html") || t.startsWith("<head")) return "an HTML page";
    if (t.startsWith("<?xml") || t.startsWith("<!doctype")) return "an XML document";
    if (t.startsWith("{") || t.startsWith("[")) return "a JSON or text file";
    return "a plain text file";
  }
  return "unknown";
}
