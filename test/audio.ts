// Test audio made on the fly with espeak-ng (speech whose words are known, so a word error
// rate can be computed) and ffmpeg (formats, tags, cover art, silence, tones, joins), so no
// binary fixtures live in the repository. Files go to one temporary folder per test process,
// removed when it exits. Also the hostile audio of the upload corpus: a huge ID3 tag, a WAV
// header that claims 4 GB, a truncated file.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { open, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type AudioFormat = "mp3" | "m4a" | "wav" | "flac" | "opus" | "ogg";

export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
  comment?: string;
  date?: string;
}

export interface AudioOptions {
  format?: AudioFormat;
  /** Exact length: speech is repeated (or cut) to fill it. */
  seconds?: number;
  channels?: 1 | 2;
  sampleRate?: number;
  tags?: AudioTags;
  /** A JPEG or PNG file embedded as cover art (mp3, m4a, flac). */
  cover?: string;
  /** Gain in dB applied before encoding (make a quiet or a loud recording). */
  gainDb?: number;
  /** File name inside the scratch folder; default a fresh one. */
  name?: string;
}

let scratch: string | null = null;
let counter = 0;

/** The per-process scratch folder (created on first use, removed at exit). */
export function audioDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "framecast-audio-"));
    scratch = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

function target(opts: AudioOptions): string {
  return path.join(audioDir(), opts.name ?? `a${++counter}.${opts.format ?? "wav"}`);
}

const CODEC: Record<AudioFormat, string[]> = {
  mp3: ["-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "3"],
  m4a: ["-c:a", "aac", "-b:a", "96k"],
  wav: ["-c:a", "pcm_s16le"],
  flac: ["-c:a", "flac"],
  opus: ["-c:a", "libopus", "-b:a", "48k"],
  ogg: ["-c:a", "libvorbis", "-q:a", "3"],
};

/**
 * Encodes ffmpeg input arguments (one audio source first) into `opts.format`, with tags and
 * cover art. Returns the output path.
 */
async function encode(inputArgs: string[], opts: AudioOptions): Promise<string> {
  const format = opts.format ?? "wav";
  const out = target(opts);
  const args = ["-hide_banner", "-nostdin", "-v", "error", "-y", ...inputArgs];
  const coverIndex = opts.cover ? inputArgs.filter((a) => a === "-i").length : -1;
  if (opts.cover) args.push("-i", opts.cover);
  args.push("-map", "0:a");
  if (opts.cover) args.push("-map", `${coverIndex}:v`, "-c:v", "copy", "-disposition:v", "attached_pic");
  const filters: string[] = [];
  if (opts.gainDb) filters.push(`volume=${opts.gainDb}dB`);
  if (filters.length) args.push("-af", filters.join(","));
  if (opts.seconds !== undefined) args.push("-t", String(opts.seconds));
  // Opus only runs at 48 kHz (and a few lower rates).
  const rate = opts.sampleRate ?? (format === "opus" ? 48000 : 44100);
  args.push("-ac", String(opts.channels ?? 1), "-ar", String(rate), ...CODEC[format]);
  for (const [key, value] of Object.entries(opts.tags ?? {})) if (value !== undefined) args.push("-metadata", `${key}=${value}`);
  args.push(out);
  await run("ffmpeg", args);
  return out;
}

/**
 * Speech of `text` by espeak-ng (American English, 150 words a minute). With `seconds`, the
 * speech is looped (with a short pause between repeats) to exactly that length.
 */
export async function makeSpeech(text: string, opts: AudioOptions = {}): Promise<string> {
  const wav = path.join(audioDir(), `speech${++counter}.wav`);
  await run("espeak-ng", ["-v", "en-us", "-s", "150", "-w", wav, text]);
  if (opts.seconds === undefined) return encode(["-i", wav], opts);
  // Half a second of silence after each repeat, so the loop sounds like sentences.
  const padded = path.join(audioDir(), `speech${++counter}.wav`);
  await run("ffmpeg", ["-v", "error", "-y", "-i", wav, "-af", "apad=pad_dur=0.5", padded]);
  return encode(["-stream_loop", "-1", "-i", padded], opts);
}

/** Digital silence (or, with `noiseDb`, quiet white noise at that level). */
export function makeSilence(seconds: number, opts: AudioOptions & { noiseDb?: number } = {}): Promise<string> {
  const source =
    opts.noiseDb === undefined
      ? `anullsrc=r=${opts.sampleRate ?? 44100}:cl=mono`
      : `anoisesrc=r=${opts.sampleRate ?? 44100}:a=${Math.pow(10, opts.noiseDb / 20)}:c=white`;
  return encode(["-f", "lavfi", "-t", String(seconds), "-i", source], { ...opts, seconds });
}

/** A sine tone (default 440 Hz at −12 dBFS). */
export function makeTone(seconds: number, opts: AudioOptions & { frequency?: number; levelDb?: number } = {}): Promise<string> {
  const amp = Math.pow(10, (opts.levelDb ?? -12) / 20);
  const src = `aevalsrc=${amp.toFixed(5)}*sin(2*PI*${opts.frequency ?? 440}*t):s=${opts.sampleRate ?? 44100}:d=${seconds}`;
  return encode(["-f", "lavfi", "-i", src], { ...opts, seconds });
}

/** Plays the given audio files one after the other, into one file. */
export async function joinAudio(parts: string[], opts: AudioOptions = {}): Promise<string> {
  const inputs = parts.flatMap((p) => ["-i", p]);
  const graph = parts.map((_, i) => `[${i}:a]aformat=sample_rates=44100:channel_layouts=mono[a${i}]`).join(";");
  const concat = `${graph};${parts.map((_, i) => `[a${i}]`).join("")}concat=n=${parts.length}:v=0:a=1[out]`;
  const format = opts.format ?? "wav";
  const out = target(opts);
  const rate = format === "opus" ? ["-ar", "48000"] : [];
  await run("ffmpeg", ["-v", "error", "-y", ...inputs, "-filter_complex", concat, "-map", "[out]", "-ac", String(opts.channels ?? 1), ...rate, ...CODEC[format], out]);
  return out;
}

/** A small JPEG (a test card) for cover art, `size` pixels square. */
export async function makeCoverJpeg(size = 64): Promise<string> {
  const out = path.join(audioDir(), `cover${++counter}.jpg`);
  await run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", `testsrc2=s=${size}x${size}:d=1`, "-frames:v", "1", out]);
  return out;
}

// --- hostile audio -----------------------------------------------------------------------

/** An ID3v2.3 tag of `size` bytes: a title frame, then zero padding (legal, and huge). */
export function id3Tag(size: number, title = "Padded"): Buffer {
  const text = Buffer.concat([Buffer.from([0]), Buffer.from(title, "latin1")]);
  const frame = Buffer.alloc(10);
  frame.write("TIT2", 0, "latin1");
  frame.writeUInt32BE(text.length, 4);
  const body = Buffer.alloc(size);
  Buffer.concat([frame, text]).copy(body);
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  // Sizes are "syncsafe": 7 bits a byte.
  for (let i = 0; i < 4; i++) header[6 + i] = (size >> (7 * (3 - i))) & 0x7f;
  return Buffer.concat([header, body]);
}

/** The MP3 at `mp3` with its tags replaced by an ID3v2 tag of `tagBytes` bytes. */
export async function withHugeId3(mp3: string, tagBytes: number): Promise<string> {
  const bare = path.join(audioDir(), `bare${++counter}.mp3`);
  await run("ffmpeg", ["-v", "error", "-y", "-i", mp3, "-map", "0:a", "-map_metadata", "-1", "-c", "copy", "-id3v2_version", "0", "-write_xing", "0", bare]);
  const out = path.join(audioDir(), `huge-id3-${++counter}.mp3`);
  await writeFile(out, Buffer.concat([id3Tag(tagBytes), await readFile(bare)]));
  return out;
}

/** A copy of the WAV at `wav` whose RIFF and data sizes claim about 4 GB. */
export async function withLyingWavHeader(wav: string): Promise<string> {
  const bytes = Buffer.from(await readFile(wav));
  const data = bytes.indexOf("data", 12, "latin1");
  if (data < 0) throw new Error("no data chunk");
  bytes.writeUInt32LE(0xfffffff0, 4);
  bytes.writeUInt32LE(0xffffffe0, data + 4);
  const out = path.join(audioDir(), `lying${++counter}.wav`);
  await writeFile(out, bytes);
  return out;
}

/** A copy of `file` cut to `fraction` of its bytes (a broken upload). */
export async function truncated(file: string, fraction: number): Promise<string> {
  const { size } = await stat(file);
  const out = path.join(audioDir(), `cut${++counter}${path.extname(file)}`);
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(Math.floor(size * fraction));
    await fh.read(buf, 0, buf.length, 0);
    await writeFile(out, buf);
  } finally {
    await fh.close();
  }
  return out;
}

/** The first `n` bytes of a file (what an upload sniffer sees). */
export async function headOf(file: string, n = 64): Promise<Uint8Array> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Word error rate of `hypothesis` against `reference`: word-level edit distance / words. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const words = (s: string) => s.toLowerCase().replace(/[^a-z0-9' ]+/g, " ").split(/\s+/).filter(Boolean);
  const ref = words(reference);
  const hyp = words(hypothesis);
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hyp.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return ref.length === 0 ? (hyp.length === 0 ? 0 : 1) : prev[hyp.length] / ref.length;
}

/** A copy of a FLAC file whose STREAMINFO claims `seconds` of audio (the data stays short). */
export async function withClaimedFlacDuration(flac: string, seconds: number): Promise<string> {
  const bytes = Buffer.from(await readFile(flac));
  if (bytes.toString("latin1", 0, 4) !== "fLaC") throw new Error("not FLAC");
  // STREAMINFO starts at 8; its bytes 10..18 hold sample rate (20 bits), channels (3),
  // bits per sample (5) and the total sample count (36 bits).
  const packed = bytes.readBigUInt64BE(18);
  const rate = Number(packed >> 44n);
  const total = BigInt(Math.round(seconds * rate));
  bytes.writeBigUInt64BE((packed & ~((1n << 36n) - 1n)) | total, 18);
  const out = path.join(audioDir(), `claimed${++counter}.flac`);
  await writeFile(out, bytes);
  return out;
}
