// Pauses in a recording, found by ffmpeg's silencedetect, and chapters placed where long
// pauses end: the keyless path's only honest way to structure an episode (no words are
// invented; the chapters are just "where the talking starts again"). Also tells a recording
// that is silence only, so the caller can say "no speech found" instead of publishing air.
import { runFfmpeg } from "@/lib/ffmpeg/run";

export interface Silence {
  start: number;
  end: number;
}

export interface SilenceOptions {
  /** Below this level (dBFS, sample amplitude) counts as silence. Default −40. */
  noiseDb?: number;
  /** Shortest pause reported, seconds. Default 2: shorter ones are breaths between sentences. */
  minSilenceSeconds?: number;
}

export const DEFAULT_SILENCE: Required<SilenceOptions> = { noiseDb: -40, minSilenceSeconds: 2 };

export function silencedetectFilter(opts: SilenceOptions = {}): string {
  const { noiseDb, minSilenceSeconds } = { ...DEFAULT_SILENCE, ...opts };
  return `silencedetect=noise=${noiseDb}dB:d=${minSilenceSeconds}`;
}

/**
 * Collects silencedetect's stderr lines (`silence_start: 12.3`, `silence_end: 15.6 | …`).
 * `finish(total)` closes a silence still open at the end of the file.
 */
export function createSilenceCollector() {
  const silences: Silence[] = [];
  let open: number | null = null;
  return {
    line(line: string) {
      const start = /silence_start: (-?[\d.]+)/.exec(line);
      if (start) {
        open = Math.max(0, Number.parseFloat(start[1]));
        return;
      }
      const end = /silence_end: (-?[\d.]+)/.exec(line);
      if (end && open !== null) {
        silences.push({ start: open, end: Number.parseFloat(end[1]) });
        open = null;
      }
    },
    finish(totalSeconds: number): Silence[] {
      if (open !== null && totalSeconds > open) silences.push({ start: open, end: totalSeconds });
      open = null;
      return silences;
    },
  };
}

export interface DetectOptions extends SilenceOptions {
  ffmpeg: string;
  signal?: AbortSignal;
  durationSeconds?: number;
  onProgress?: (fraction: number) => void;
}

/** Silences of a file (one full decode) and the seconds of audio decoded. */
export async function detectSilences(file: string, opts: DetectOptions): Promise<{ silences: Silence[]; decodedSeconds: number }> {
  const collector = createSilenceCollector();
  const { outSeconds } = await runFfmpeg(
    opts.ffmpeg,
    ["-hide_banner", "-nostdin", "-i", file, "-map", "0:a:0", "-af", silencedetectFilter(opts), "-progress", "pipe:1", "-nostats", "-f", "null", "-"],
    { signal: opts.signal, totalSeconds: opts.durationSeconds, onProgress: opts.onProgress, onStderrLine: collector.line, label: "The silence detection" },
  );
  const decodedSeconds = outSeconds ?? opts.durationSeconds ?? 0;
  return { silences: collector.finish(decodedSeconds), decodedSeconds };
}

/** Seconds of the recording that are not silence. */
export function soundSeconds(silences: readonly Silence[], totalSeconds: number): number {
  const silent = silences.reduce((sum, s) => sum + Math.max(0, Math.min(s.end, totalSeconds) - Math.max(0, s.start)), 0);
  return Math.max(0, totalSeconds - silent);
}

/** True when there is less than `minSoundSeconds` (default 0.5) of anything but silence. */
export function isSilenceOnly(silences: readonly Silence[], totalSeconds: number, minSoundSeconds = 0.5): boolean {
  return soundSeconds(silences, totalSeconds) < minSoundSeconds;
}

export interface ChapterPlacement {
  /** Only pauses at least this long start a chapter. Default 2 s. */
  minSilenceSeconds?: number;
  /** No chapter shorter than this (the last one included). Default 120 s. */
  minChapterSeconds?: number;
  /** At most this many chapters. Default 50. */
  maxChapters?: number;
  /** A chapter starts this long before the talking resumes, so no syllable is cut. Default 0.25 s. */
  leadInSeconds?: number;
}

export const DEFAULT_CHAPTERS: Required<ChapterPlacement> = { minSilenceSeconds: 2, minChapterSeconds: 120, maxChapters: 50, leadInSeconds: 0.25 };

/**
 * Chapter start times (seconds, ascending, the first always 0) at the end of long pauses.
 * The longest pauses win: each is taken if it keeps every chapter at least
 * `minChapterSeconds` long, until `maxChapters`.
 */
export function chaptersFromSilences(silences: readonly Silence[], totalSeconds: number, placement: ChapterPlacement = {}): number[] {
  const p = { ...DEFAULT_CHAPTERS, ...placement };
  const starts = [0];
  const candidates = silences
    .filter((s) => s.end - s.start >= p.minSilenceSeconds && s.end < totalSeconds)
    .sort((a, b) => b.end - b.start - (a.end - a.start) || a.end - b.end);
  for (const s of candidates) {
    if (starts.length >= p.maxChapters) break;
    const at = round(Math.max(s.start, s.end - p.leadInSeconds));
    if (totalSeconds - at < p.minChapterSeconds) continue;
    if (starts.some((t) => Math.abs(t - at) < p.minChapterSeconds)) continue;
    starts.push(at);
  }
  return starts.sort((a, b) => a - b);
}

const round = (s: number) => Math.round(s * 1000) / 1000;
