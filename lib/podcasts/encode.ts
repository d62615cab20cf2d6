// The published episode: loudness-normalised MP3 (−16 LUFS integrated, true peak ≤ −1 dBTP,
// LRA 11; CBR 128 kbps stereo or 64 kbps mono at 44.1 kHz) with ID3v2.3 tags and chapters.
//
// Loudness is ffmpeg's loudnorm in two passes: measure (the analysis phase's measurement is
// reused), then normalise with the measured values, which lets loudnorm apply one exact
// gain ("linear"; applied here with `volume`, see planNormalization). That only works when
// the gain does not push peaks over the limit. Speech often has peaks 18–20 dB above its
// loudness (synthetic speech always does); loudnorm then falls back to its dynamic mode,
// which on such material undershoots by 1–2 LU. So in that case the peaks are tamed by an
// oversampled limiter after the gain, and the loudness the limiter takes away (measured
// once, through the same chain) is added to the gain. MP3 encoding itself moves loudness and
// true peak a little, so the published file is measured, and encoded once more with
// corrected targets if it missed (more than 1 LU off, or a true peak over the limit).
import { rename, rm, stat, writeFile } from "node:fs/promises";
import { runFfmpeg } from "@/lib/ffmpeg/run";
import { measureLoudness, PODCAST_LOUDNESS, type LoudnessMeasurement, type LoudnessTargets } from "./loudness";

export interface EpisodeTags {
  title: string;
  /** The show's author. */
  artist?: string;
  /** The show's title. */
  album?: string;
  comment?: string;
  /** e.g. "2025" or "2025-06-01" (ID3v2.3 keeps the year). */
  date?: string;
  /** Default "Podcast". */
  genre?: string;
}

export interface EncodeChapter {
  /** Seconds from the start. */
  startTime: number;
  title: string;
}

export interface EncodeOptions {
  ffmpeg: string;
  input: string;
  /** Written atomically: a partial file never appears under this name. */
  output: string;
  /** The recording's length (from the probe), for progress and the last chapter's end. */
  durationSeconds: number;
  /** Channels of the input: 1 gives a mono 64 kbps file, anything more stereo 128 kbps. */
  channels: number;
  /** The analysis phase's measurement of the input; measured again when absent. */
  loudness?: LoudnessMeasurement | null;
  /** Default PODCAST_LOUDNESS (−16 LUFS, −1 dBTP, 11 LU). */
  targets?: LoudnessTargets;
  tags: EpisodeTags;
  chapters?: readonly EncodeChapter[];
  /** A JPEG or PNG to embed as the front cover (APIC). */
  coverFile?: string;
  signal?: AbortSignal;
  /** 0..1 over all passes. */
  onProgress?: (fraction: number) => void;
}

export type NormalizationMode = "linear" | "dynamic" | "limited" | "none";

export interface EncodeResult {
  bytes: number;
  durationSeconds: number;
  channels: 1 | 2;
  bitrateKbps: 64 | 128;
  sampleRate: 44100;
  /** The input's loudness. */
  loudnessBefore: LoudnessMeasurement;
  /** The published MP3's loudness, measured on the file itself. */
  loudnessAfter: LoudnessMeasurement;
  /** How loudness was reached: one gain, loudnorm's dynamic mode, a gain through a true-peak limiter, or not at all (silence). */
  normalization: NormalizationMode;
  /** Encodes run: 2 when the first missed the targets and was corrected. */
  attempts: number;
}

export const SAMPLE_RATE = 44100;

/**
 * How much lower than the allowed true peak the limiter (or loudnorm) aims, because MP3
 * encoding lifts true peaks a little: 0.4–1.0 dB measured here at 64 kbps mono on synthetic
 * speech. With 0.5 dB, a 10-minute recording came out at −0.8 dBTP and was encoded twice.
 */
export const TRUE_PEAK_HEADROOM_DB = 1;

/**
 * A miss larger than this (LU) is corrected by a second encode. ±1 LU is what the spec and
 * podcast apps allow around −16 LUFS, and about the smallest loudness step a listener hears;
 * a tighter check (0.5 LU until session 14) re-encoded most speech for no audible gain,
 * doubling the publish step (docs/decisions.md, "Loudness within ±1 LU").
 */
const LOUDNESS_TOLERANCE = 1;

export async function encodeEpisode(opts: EncodeOptions): Promise<EncodeResult> {
  const spec = opts.targets ?? PODCAST_LOUDNESS;
  const stereo = opts.channels >= 2;
  const given = opts.loudness ?? null;
  // Passes: [measure] [measure limited] encode, verify — the count grows if more are needed.
  const passes = new PassProgress(opts.onProgress, given ? 2 : 3);
  const measure = (file: string, preFilter?: string) =>
    measureLoudness(file, { ffmpeg: opts.ffmpeg, preFilter, signal: opts.signal, durationSeconds: opts.durationSeconds, onProgress: passes.next() });

  const before = given ?? (await measure(opts.input));
  let aim: LoudnessTargets = { ...spec, truePeakDbtp: spec.truePeakDbtp - TRUE_PEAK_HEADROOM_DB };
  const plan = await planNormalization(before, aim, async (limiter) => {
    passes.add(1);
    return measure(opts.input, limiter);
  });

  let attempts = 0;
  let after: LoudnessMeasurement;
  const mode = plan.mode;
  for (;;) {
    attempts++;
    await encodePass(opts, plan.filter(aim), stereo, passes.next());
    after = await measure(opts.output);
    if (mode === "none" || after.integratedLufs === null || attempts >= 2) break;
    const off = spec.integratedLufs - after.integratedLufs;
    const peakOver = (after.truePeakDbtp ?? -Infinity) - spec.truePeakDbtp;
    if (Math.abs(off) <= LOUDNESS_TOLERANCE && peakOver <= 0) break;
    // Aim off by what was missed (bounded), and lower the peak target by any overshoot.
    aim = {
      ...aim,
      integratedLufs: aim.integratedLufs + Math.max(-2, Math.min(2, off)),
      truePeakDbtp: aim.truePeakDbtp - Math.max(0, peakOver + 0.2),
    };
    passes.add(2);
  }
  passes.done();
  return {
    bytes: (await stat(opts.output)).size,
    durationSeconds: opts.durationSeconds,
    channels: stereo ? 2 : 1,
    bitrateKbps: stereo ? 128 : 64,
    sampleRate: SAMPLE_RATE,
    loudnessBefore: before,
    loudnessAfter: after,
    normalization: mode,
    attempts,
  };
}

interface Plan {
  mode: NormalizationMode;
  /** The filter chain (ending with a comma, or empty) for the given aim. */
  filter(aim: LoudnessTargets): string;
}

/**
 * Decides how to reach `aim` from `m`; `measureLimited` measures the input through a limiter.
 * When one gain does it, that gain is applied with `volume`: exactly what loudnorm's linear
 * mode does, without its 192 kHz processing (five times the CPU of the MP3 encoder).
 */
export async function planNormalization(m: LoudnessMeasurement, aim: LoudnessTargets, measureLimited: (limiter: string) => Promise<LoudnessMeasurement>): Promise<Plan> {
  if (m.integratedLufs === null || m.truePeakDbtp === null) return { mode: "none", filter: () => "" }; // silence
  const integrated = m.integratedLufs;
  const peak = m.truePeakDbtp;
  const gain = aim.integratedLufs - integrated;
  const peaksFit = peak + gain <= aim.truePeakDbtp;
  if (peaksFit && m.lra <= aim.lra) {
    // A corrected aim may ask for more than the peaks allow: the peaks win.
    return { mode: "linear", filter: (a) => `volume=${Math.min(a.integratedLufs - integrated, a.truePeakDbtp - peak).toFixed(2)}dB,` };
  }
  if (peaksFit || m.lra > aim.lra) return { mode: "dynamic", filter: (a) => loudnormApplyFilter(a, m) + "," };
  // Gain, then an oversampled (≈ true peak) limiter at the peak target. The limiter lowers
  // the loudness by what it shaves off the peaks: measure that once and add it to the gain.
  // (loudnorm after the limiter, tried first, lands no closer and costs twice the CPU: its
  // dynamic mode runs again at 192 kHz; docs/performance.md, session 14.)
  const limiter = (gainDb: number, peakDbtp: number) => `aresample=192000,volume=${gainDb.toFixed(2)}dB,alimiter=limit=${dbToLinear(peakDbtp).toFixed(4)}:level=disabled,`;
  const limited = await measureLimited(limiter(gain, aim.truePeakDbtp));
  const limiterLoss = limited.integratedLufs === null ? 0 : Math.max(0, aim.integratedLufs - limited.integratedLufs);
  return { mode: "limited", filter: (a) => limiter(a.integratedLufs - integrated + limiterLoss, a.truePeakDbtp) };
}

/** The final pass: normalise, encode, tag. */
async function encodePass(opts: EncodeOptions, filter: string, stereo: boolean, onProgress: (f: number) => void): Promise<void> {
  const part = `${opts.output}.part`;
  const metaFile = `${opts.output}.ffmeta`;
  await writeFile(metaFile, buildFfmetadata(opts.tags, opts.chapters ?? [], opts.durationSeconds));
  const args = ["-hide_banner", "-nostdin", "-y", "-i", opts.input, "-i", metaFile];
  if (opts.coverFile) args.push("-i", opts.coverFile);
  args.push("-map", "0:a:0", "-map_metadata", "1", "-map_chapters", "1");
  if (opts.coverFile) {
    args.push("-map", "2:v:0", "-c:v", "copy", "-disposition:v:0", "attached_pic", "-metadata:s:v:0", "title=Cover", "-metadata:s:v:0", "comment=Cover (front)");
  }
  args.push(
    "-af", `${filter}aresample=${SAMPLE_RATE}`,
    "-ar", String(SAMPLE_RATE),
    "-ac", stereo ? "2" : "1",
    "-c:a", "libmp3lame", "-b:a", stereo ? "128k" : "64k",
    "-id3v2_version", "3", "-write_id3v1", "0",
    "-progress", "pipe:1", "-nostats",
    "-f", "mp3", part,
  );
  try {
    await runFfmpeg(opts.ffmpeg, args, {
      signal: opts.signal,
      totalSeconds: opts.durationSeconds,
      onProgress,
      label: "The audio encoder",
    });
    await rename(part, opts.output);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  } finally {
    await rm(metaFile, { force: true });
  }
}

/** loudnorm's second pass with measured values (it goes linear whenever it can). */
export function loudnormApplyFilter(targets: LoudnessTargets, m: LoudnessMeasurement): string {
  return [
    `loudnorm=I=${targets.integratedLufs}:TP=${targets.truePeakDbtp}:LRA=${targets.lra}`,
    `measured_I=${m.integratedLufs}:measured_TP=${m.truePeakDbtp}:measured_LRA=${m.lra}:measured_thresh=${m.thresholdLufs}`,
    "linear=true:print_format=json",
  ].join(":");
}

const dbToLinear = (db: number) => Math.pow(10, db / 20);

/**
 * An FFMETADATA1 file: global tags, then one [CHAPTER] per chapter (ends at the next start,
 * the last at `durationSeconds`). ffmpeg writes the chapters as ID3 CHAP/CTOC frames.
 */
export function buildFfmetadata(tags: EpisodeTags, chapters: readonly EncodeChapter[], durationSeconds: number): string {
  const lines = [";FFMETADATA1"];
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== "") lines.push(`${key}=${escapeFfmetadata(value)}`);
  };
  put("title", tags.title);
  put("artist", tags.artist);
  put("album", tags.album);
  put("comment", tags.comment);
  put("date", tags.date);
  put("genre", tags.genre ?? "Podcast");
  const endMs = Math.round(durationSeconds * 1000);
  const starts = [...chapters]
    .map((c) => ({ ms: Math.max(0, Math.round(c.startTime * 1000)), title: c.title }))
    .filter((c) => c.ms < endMs)
    .sort((a, b) => a.ms - b.ms)
    .filter((c, i, all) => i === 0 || c.ms > all[i - 1].ms);
  starts.forEach((c, i) => {
    lines.push("", "[CHAPTER]", "TIMEBASE=1/1000", `START=${c.ms}`, `END=${i + 1 < starts.length ? starts[i + 1].ms : endMs}`);
    put("title", c.title);
  });
  return lines.join("\n") + "\n";
}

/** FFMETADATA escapes `=`, `;`, `#`, `\` and line breaks with a backslash. */
export function escapeFfmetadata(value: string): string {
  return value.replace(/\r\n?/g, "\n").replace(/[=;#\\\n]/g, (c) => `\\${c}`);
}

/** Maps each pass's 0..1 onto its share of the whole, never going backwards. */
class PassProgress {
  private index = 0;
  private last = 0;
  constructor(
    private readonly report: ((fraction: number) => void) | undefined,
    public total: number,
  ) {}
  add(passes: number) {
    this.total += passes;
  }
  next(): (fraction: number) => void {
    const i = this.index++;
    return (f) => {
      // Below 1 until done(): a correction may still add passes.
      const overall = Math.min(0.99, (i + f) / this.total);
      if (overall > this.last) {
        this.last = overall;
        this.report?.(overall);
      }
    };
  }
  done() {
    if (this.last < 1) this.report?.(1);
    this.last = 1;
  }
}
