// Decide whether an upload is audio from its first bytes, never from its name or the
// browser's Content-Type (a text file named episode.mp3 is still text). Recognising the
// container here is only the door: probe.ts then asks ffprobe whether the audio decodes.
import { describeNonImage, sniffImageType } from "@/lib/media/sniff";
import { ascii, ftypBrands, isMpegAudioFrame, startsWith } from "@/lib/media/sniff-bytes";

export type AudioFormat = "mp3" | "m4a" | "aac" | "wav" | "flac" | "ogg" | "opus" | "aiff";

export type AudioMime = "audio/mpeg" | "audio/mp4" | "audio/aac" | "audio/wav" | "audio/flac" | "audio/ogg" | "audio/aiff";

export interface SniffedAudio {
  format: AudioFormat;
  mime: AudioMime;
  ext: string;
}

/** Leading bytes sniffAudioType()/describeNonAudio() look at (room for an ftyp brand list). */
export const AUDIO_SNIFF_BYTES = 64;

// ISO-BMFF brands of audio files. The generic MP4 brands (isom, mp42, …) are accepted too:
// phones and recorders often write AAC audio under them, and whether the file really has an
// audio track is for ffprobe to say. QuickTime, HEIF/AVIF and the like are not.
const M4A_BRANDS = new Set(["M4A ", "M4B ", "M4P ", "F4A ", "F4B "]);
const GENERIC_MP4_BRANDS = new Set(["isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "dash", "3gp4", "3gp5", "3gp6", "3g2a", "MSNV"]);

export function sniffAudioType(head: Uint8Array): SniffedAudio | null {
  if (ascii(head, 0, 3) === "ID3") return { format: "mp3", mime: "audio/mpeg", ext: "mp3" };
  if (isAdtsFrame(head)) return { format: "aac", mime: "audio/aac", ext: "aac" };
  if (isMpegAudioFrame(head)) return { format: "mp3", mime: "audio/mpeg", ext: "mp3" };
  const riff = ascii(head, 0, 4);
  if ((riff === "RIFF" || riff === "RF64" || riff === "BW64") && ascii(head, 8, 12) === "WAVE") {
    return { format: "wav", mime: "audio/wav", ext: "wav" };
  }
  if (ascii(head, 0, 4) === "fLaC") return { format: "flac", mime: "audio/flac", ext: "flac" };
  if (ascii(head, 0, 4) === "FORM" && (ascii(head, 8, 12) === "AIFF" || ascii(head, 8, 12) === "AIFC")) {
    return { format: "aiff", mime: "audio/aiff", ext: "aiff" };
  }
  const ogg = oggCodec(head);
  if (ogg === "opus") return { format: "opus", mime: "audio/ogg", ext: "opus" };
  if (ogg === "vorbis" || ogg === "flac" || ogg === "speex") return { format: "ogg", mime: "audio/ogg", ext: "ogg" };
  const brands = ftypBrands(head);
  if (brands.length > 0 && brands[0] !== "qt  ") {
    if (brands.some((b) => M4A_BRANDS.has(b)) || GENERIC_MP4_BRANDS.has(brands[0])) {
      return { format: "m4a", mime: "audio/mp4", ext: "m4a" };
    }
  }
  return null;
}

/**
 * A short human name for what a non-audio file appears to be, with its article, for the
 * rejection message ("it looks like a PDF"). "unknown" when nothing matches.
 */
export function describeNonAudio(head: Uint8Array): string {
  const image = sniffImageType(head);
  if (image) return IMAGE_NAMES[image.mime];
  const ogg = oggCodec(head);
  if (ogg === "theora") return "an Ogg video";
  if (ogg === "other") return "an Ogg file without audio we recognise";
  return describeNonImage(head);
}

/** The sentence for an upload that is not audio we take, naming what it looks like. */
export function notAudioMessage(head: Uint8Array): string {
  const what = describeNonAudio(head);
  if (what === "an empty file") return "The file is empty.";
  const formats = "MP3, M4A/AAC, WAV, FLAC or Ogg/Opus";
  return what === "unknown" ? `This file is not audio in a format we take (${formats}).` : `This is not an audio file: it looks like ${what}. Please upload ${formats}.`;
}

const IMAGE_NAMES: Record<NonNullable<ReturnType<typeof sniffImageType>>["mime"], string> = {
  "image/jpeg": "a JPEG image",
  "image/png": "a PNG image",
  "image/webp": "a WebP image",
  "image/gif": "a GIF image",
  "image/heic": "a HEIC photo",
  "image/avif": "an AVIF image",
};

/**
 * An ADTS frame header (raw AAC, as some recorders and streams write it): 12-bit sync, layer
 * 00, a sampling frequency index that exists, and a non-zero channel configuration or PCE.
 */
function isAdtsFrame(head: Uint8Array): boolean {
  if (head.length < 7 || head[0] !== 0xff || (head[1] & 0xf6) !== 0xf0) return false;
  const frequencyIndex = (head[2] >> 2) & 0x0f;
  const frameLength = ((head[3] & 0x03) << 11) | (head[4] << 3) | (head[5] >> 5);
  return frequencyIndex <= 12 && frameLength >= 7;
}

type OggCodec = "vorbis" | "opus" | "flac" | "speex" | "theora" | "other";

/** The codec of an Ogg stream, from the first packet of its first page; null if not Ogg. */
function oggCodec(head: Uint8Array): OggCodec | null {
  if (ascii(head, 0, 4) !== "OggS" || head.length < 28) return null;
  const segments = head[26];
  const packet = 27 + segments;
  if (startsWith(head.subarray(packet), [0x01, ...bytes("vorbis")])) return "vorbis";
  if (ascii(head, packet, packet + 8) === "OpusHead") return "opus";
  if (startsWith(head.subarray(packet), [0x7f, ...bytes("FLAC")])) return "flac";
  if (ascii(head, packet, packet + 8) === "Speex   ") return "speex";
  if (startsWith(head.subarray(packet), [0x80, ...bytes("theora")])) return "theora";
  return "other";
}

const bytes = (s: string) => [...s].map((c) => c.charCodeAt(0));
