// What an uploaded recording is: ffprobe for the sound (codec, duration, channels, sample
// rate, bitrate) and music-metadata for the tags and embedded cover art, plus a short
// decode to prove the audio really decodes. Refuses, with a sentence a person can act on,
// a file with no audio, audio that does not decode, and a recording over the length limit.
// Memory stays bounded: neither tool's output nor the tags are trusted to be small.
import { open, stat } from "node:fs/promises";
import { parseFile, type IAudioMetadata } from "music-metadata";
import { RejectedInputError } from "@/lib/errors";
import { sniffImageType } from "@/lib/media/sniff";
import { FfmpegError, runCapture, runFfmpeg } from "@/lib/ffmpeg/run";
import { formatDuration } from "./duration";
import { AUDIO_SNIFF_BYTES, notAudioMessage, sniffAudioType, type AudioFormat } from "./sniff";
import { metadataRegionBytes } from "./tag-region";

export interface ProbeOptions {
  ffprobe: string;
  ffmpeg: string;
  /** Longest recording accepted (PODCAST_MAX_MINUTES). */
  maxMinutes: number;
  /** Tags (ID3 tag, MP4 moov, FLAC blocks, …) larger than this are not read. Default 16 MiB. */
  maxTagBytes?: number;
  /** Cover art larger than this is dropped. Default 5 MiB. */
  maxCoverBytes?: number;
  signal?: AbortSignal;
}

export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
  comment?: string;
  year?: number;
}

export interface CoverArt {
  bytes: Uint8Array;
  mime: "image/jpeg" | "image/png" | "image/webp" | "image/gif";
}

export interface AudioProbe {
  /** Container as sniffed from the first bytes. */
  container: AudioFormat;
  /** ffprobe's codec name: mp3, aac, pcm_s16le, flac, opus, vorbis, … */
  codec: string;
  durationSeconds: number;
  /** True when ffprobe could only estimate the duration from the bitrate (VBR MP3 without a header). */
  durationEstimated: boolean;
  channels: number;
  sampleRate: number;
  /** Bits per second of the audio stream (or the whole file), null if unknown. */
  bitRate: number | null;
  sizeBytes: number;
  tags: AudioTags;
  cover: CoverArt | null;
  /** Things worth telling the person that did not stop the file ("the cover art was too large"). */
  notes: string[];
}

const DEFAULT_MAX_TAG_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_COVER_BYTES = 5 * 1024 * 1024;
const DAMAGED = "The audio in this file could not be decoded; it looks damaged or cut short. Please export it again and re-upload.";

export async function probeAudio(file: string, opts: ProbeOptions): Promise<AudioProbe> {
  const { size } = await stat(file);
  if (size === 0) throw new RejectedInputError("empty", "The file is empty.");
  const head = await readHead(file, AUDIO_SNIFF_BYTES);
  const sniffed = sniffAudioType(head);
  if (!sniffed) throw new RejectedInputError("wrong_type", notAudioMessage(head));

  const info = await ffprobe(file, opts);
  const stream = info.streams?.find((s) => s.codec_type === "audio");
  if (!stream) throw new RejectedInputError("unsupported", "This file has no audio track.");
  if (!stream.codec_name || stream.codec_name === "unknown" || stream.codec_name === "none") {
    throw new RejectedInputError("unsupported", "The audio in this file uses a codec that cannot be decoded here. Please export it as MP3, AAC, WAV or FLAC.");
  }

  const bitRate = num(stream.bit_rate) ?? num(info.format?.bit_rate);
  let duration = num(info.format?.duration) ?? num(stream.duration);
  // PCM has an exact byte rate, so a header that claims more audio than the file holds
  // (a WAV "data" size of 4 GB in a 2 MB file) cannot stretch the duration.
  if (duration !== null && stream.codec_name.startsWith("pcm_") && bitRate) duration = Math.min(duration, (size * 8) / bitRate);
  const limitSeconds = opts.maxMinutes * 60;
  if (duration !== null && duration > limitSeconds) throw tooLong(duration, opts.maxMinutes);

  // Decode the start: proves the codec works on this file. Without a duration in the
  // headers, decode up to the limit instead, which measures it.
  const decoded = await decodedSeconds(file, duration === null ? limitSeconds + 1 : Math.min(5, duration), opts);
  if (duration === null) {
    if (decoded > limitSeconds) throw tooLong(decoded, opts.maxMinutes);
    duration = decoded;
  }
  if (decoded <= 0 || (duration > 0.5 && decoded < Math.min(0.5, duration / 2))) throw new RejectedInputError("damaged", DAMAGED);
  const durationEstimated = /Estimating duration from bitrate/i.test(info.stderr);
  // Decode the last seconds too: a truncated upload (its header still giving the full
  // length) fails here, at once, rather than hours later in the encoder. Skipped when the
  // length is only an estimate, which may overshoot the real end.
  if (!durationEstimated && duration > 10) {
    const tail = await decodedSeconds(file, 2, opts, duration - 3);
    if (tail < 0.5) throw new RejectedInputError("damaged", `This file ends early: it says it is ${formatDuration(duration)} long, but the audio stops before that. It looks cut short; please upload it again.`);
  }

  const notes: string[] = [];
  const { tags, cover } = await readTags(file, sniffed.format, info.format?.tags, opts, notes);
  return {
    container: sniffed.format,
    codec: stream.codec_name,
    durationSeconds: duration,
    durationEstimated,
    channels: stream.channels ?? 0,
    sampleRate: num(stream.sample_rate) ?? 0,
    bitRate,
    sizeBytes: size,
    tags,
    cover,
    notes,
  };
}

function tooLong(seconds: number, maxMinutes: number) {
  return new RejectedInputError("too_long", `This recording is ${formatDuration(seconds)}; the limit is ${maxMinutes} minutes.`);
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  channels?: number;
  sample_rate?: string;
  bit_rate?: string;
  duration?: string;
}

interface FfprobeJson {
  streams?: FfprobeStream[];
  format?: { duration?: string; bit_rate?: string; tags?: Record<string, string> };
  stderr: string;
}

async function ffprobe(file: string, opts: ProbeOptions): Promise<FfprobeJson> {
  const args = [
    "-v", "warning", "-hide_banner",
    "-show_entries", "format=duration,bit_rate:format_tags:stream=codec_type,codec_name,channels,sample_rate,bit_rate,duration",
    "-of", "json", file,
  ];
  try {
    // Tags are in the output, so bound it: a file with megabytes of tags is still answered.
    const { stdout, stderr } = await runCapture(opts.ffprobe, args, { signal: opts.signal, maxStdoutBytes: 4 * 1024 * 1024, label: "ffprobe" });
    return { ...(JSON.parse(stdout) as Omit<FfprobeJson, "stderr">), stderr };
  } catch (err) {
    if (err instanceof FfmpegError && err.kind === "permanent" && err.detail !== undefined) throw new RejectedInputError("damaged", DAMAGED, { cause: err });
    if (err instanceof SyntaxError) throw new RejectedInputError("damaged", DAMAGED, { cause: err });
    throw err;
  }
}

/** Seconds of audio that decode from `from` (default the start), up to `limit`. */
async function decodedSeconds(file: string, limit: number, opts: ProbeOptions, from = 0): Promise<number> {
  const seek = from > 0 ? ["-ss", from.toFixed(3)] : [];
  const args = ["-hide_banner", "-nostdin", "-v", "error", ...seek, "-i", file, "-map", "0:a:0", "-t", String(limit), "-progress", "pipe:1", "-nostats", "-f", "null", "-"];
  try {
    const { outSeconds } = await runFfmpeg(opts.ffmpeg, args, { signal: opts.signal, label: "The audio decoder" });
    return outSeconds ?? 0;
  } catch (err) {
    if (err instanceof FfmpegError && err.kind === "permanent" && err.detail !== undefined) throw new RejectedInputError("damaged", DAMAGED, { cause: err });
    throw err;
  }
}

async function readTags(
  file: string,
  format: AudioFormat,
  ffprobeTags: Record<string, string> | undefined,
  opts: ProbeOptions,
  notes: string[],
): Promise<{ tags: AudioTags; cover: CoverArt | null }> {
  const maxTag = opts.maxTagBytes ?? DEFAULT_MAX_TAG_BYTES;
  const region = await metadataRegionBytes(file, format, maxTag);
  if (region > maxTag) {
    // ffprobe already read them in its own process; use its text tags, skip the picture.
    notes.push(`The file's tags take ${mb(region)}, more than the ${mb(maxTag)} read; its cover art was ignored.`);
    return { tags: fromFfprobe(ffprobeTags), cover: null };
  }
  let meta: IAudioMetadata;
  try {
    meta = await parseFile(file, { duration: false });
  } catch {
    notes.push("The file's tags could not be read; only the sound was used.");
    return { tags: fromFfprobe(ffprobeTags), cover: null };
  }
  const c = meta.common;
  // ffprobe's reading fills what music-metadata has no common field for (ffmpeg itself
  // writes an MP3 comment as a TXXX "comment" frame, which only ffprobe maps back).
  const fallback = fromFfprobe(ffprobeTags);
  const tags: AudioTags = {
    ...fallback,
    ...clean({
      title: c.title,
      artist: c.artist ?? c.albumartist,
      album: c.album,
      comment: c.comment?.map((x) => x.text).find((t) => t && t.trim()),
      year: c.year,
    }),
  };
  return { tags, cover: pickCover(meta, opts.maxCoverBytes ?? DEFAULT_MAX_COVER_BYTES, notes) };
}

function pickCover(meta: IAudioMetadata, maxBytes: number, notes: string[]): CoverArt | null {
  const pictures = meta.common.picture ?? [];
  const picture = pictures.find((p) => /front/i.test(p.type ?? "")) ?? pictures[0];
  if (!picture) return null;
  if (picture.data.length > maxBytes) {
    notes.push(`The embedded cover art is ${mb(picture.data.length)}, more than ${mb(maxBytes)}; it was ignored.`);
    return null;
  }
  // The tag's own mime type is whatever the tagging tool wrote: look at the bytes.
  const sniffed = sniffImageType(picture.data.subarray(0, 64));
  if (!sniffed || !["image/jpeg", "image/png", "image/webp", "image/gif"].includes(sniffed.mime)) {
    notes.push("The embedded cover art is not a JPEG, PNG, WebP or GIF image; it was ignored.");
    return null;
  }
  return { bytes: picture.data, mime: sniffed.mime as CoverArt["mime"] };
}

function fromFfprobe(raw: Record<string, string> | undefined): AudioTags {
  if (!raw) return {};
  const get = (...keys: string[]) => {
    for (const [k, v] of Object.entries(raw)) if (keys.includes(k.toLowerCase())) return v;
    return undefined;
  };
  const year = Number.parseInt(get("date", "year", "tyer") ?? "", 10);
  return clean({ title: get("title"), artist: get("artist", "album_artist"), album: get("album"), comment: get("comment", "description"), year: Number.isFinite(year) ? year : undefined });
}

const LIMITS = { title: 300, artist: 300, album: 300, comment: 4000 } as const;

/** Trims, drops control characters and empty values, bounds lengths, sanity-checks the year. */
function clean(t: { title?: string; artist?: string; album?: string; comment?: string; year?: number }): AudioTags {
  const out: AudioTags = {};
  for (const key of ["title", "artist", "album", "comment"] as const) {
    // eslint-disable-next-line no-control-regex
    const v = t[key]?.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim();
    if (v) out[key] = [...v].slice(0, LIMITS[key]).join("");
  }
  if (t.year && t.year >= 1800 && t.year <= 2200) out.year = t.year;
  return out;
}

const num = (v: string | number | undefined): number | null => {
  const n = typeof v === "number" ? v : Number.parseFloat(v ?? "");
  return Number.isFinite(n) && n >= 0 ? n : null;
};

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

async function readHead(file: string, n: number): Promise<Uint8Array> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
