// Long recordings go to a model in overlapping pieces: where the pieces fall, and the
// compact audio that is sent. Gemini hears audio at about 16 kbps mono whatever is
// uploaded, so the recording is re-encoded once to mono 16 kHz MP3 at 32 kbps (a
// 20-minute piece is under 5 MB, where a WAV original would be over 200 MB, and nothing
// the model could use is lost) and the pieces are copied out of that. MP3 because every
// Gemini model lists it among its inputs.
import { runFfmpeg } from "@/lib/ffmpeg/run";

export interface ChunkPlan {
  index: number;
  /** Seconds from the start of the recording. */
  start: number;
  end: number;
}

/** What a compact piece is sent as. */
export const COMPACT_MIME = "audio/mp3";

/**
 * Pieces of at most `chunkSeconds`, each overlapping the next by `overlapSeconds`, all of
 * the same length: the fewest pieces that fit, spread evenly, so there is never a short
 * tail piece with too little speech for the model to label speakers or find a topic.
 * A recording that fits in one piece is one piece.
 */
export function planChunks(durationSeconds: number, chunkSeconds: number, overlapSeconds: number): ChunkPlan[] {
  if (!(chunkSeconds > 0)) throw new RangeError("chunkSeconds must be positive");
  if (!(overlapSeconds >= 0 && overlapSeconds < chunkSeconds / 2)) throw new RangeError("overlapSeconds must be under half of chunkSeconds");
  const duration = Math.max(0, durationSeconds);
  if (duration <= chunkSeconds) return [{ index: 0, start: 0, end: duration }];
  const count = Math.ceil((duration - overlapSeconds) / (chunkSeconds - overlapSeconds));
  const step = (duration - overlapSeconds) / count;
  const round = (s: number) => Math.round(s * 1000) / 1000;
  return Array.from({ length: count }, (_, index) => ({
    index,
    start: round(index * step),
    end: index === count - 1 ? duration : round(index * step + step + overlapSeconds),
  }));
}

export interface CompactOptions {
  ffmpeg: string;
  signal?: AbortSignal;
  /** The recording's duration, for progress. */
  durationSeconds?: number;
  onProgress?: (fraction: number) => void;
}

/**
 * Writes the compact copy (mono 16 kHz MP3, constant 32 kbps) of the whole of `input`.
 * Pieces are cut from this copy, not from the upload: seeking in a variable-bitrate MP3
 * lands only roughly where asked (ffmpeg estimates the place from the bitrate or a coarse
 * table of contents) and every piece's times would be off by as much, while in a
 * constant-bitrate file the place of every frame is exact.
 */
export async function writeCompactAudio(input: string, output: string, opts: CompactOptions): Promise<void> {
  await runFfmpeg(
    opts.ffmpeg,
    // The Info frame ffmpeg writes (as for every MP3) carries the encoder delay, so the
    // copy's timeline starts exactly where the recording's does (without it: 70 ms late).
    ["-hide_banner", "-nostdin", "-v", "error", "-y", "-i", input, "-map", "0:a:0", "-vn", "-map_metadata", "-1", "-ac", "1", "-ar", "16000", "-c:a", "libmp3lame", "-b:a", "32k", "-progress", "pipe:1", "-nostats", "-f", "mp3", output],
    { signal: opts.signal, totalSeconds: opts.durationSeconds, onProgress: opts.onProgress, label: "Preparing the audio for the model" },
  );
}

/**
 * Copies `seconds` of the compact copy from `start` into `output`, without re-encoding:
 * exact to one MP3 frame (36 ms at 16 kHz), and instant however long the recording.
 */
export async function cutCompactPiece(compact: string, output: string, opts: { ffmpeg: string; start: number; seconds: number; signal?: AbortSignal }): Promise<void> {
  await runFfmpeg(
    opts.ffmpeg,
    ["-hide_banner", "-nostdin", "-v", "error", "-y", "-ss", opts.start.toFixed(3), "-t", opts.seconds.toFixed(3), "-i", compact, "-map", "0:a:0", "-c:a", "copy", "-f", "mp3", output],
    { signal: opts.signal, label: "Cutting the audio into pieces" },
  );
}
