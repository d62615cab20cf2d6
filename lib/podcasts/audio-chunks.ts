// Long recordings go to a model in overlapping pieces: where the pieces fall, and the
// compact copy of each piece that is sent. Gemini hears audio at about 16 kbps mono
// whatever is uploaded, so each piece is re-encoded to mono 16 kHz MP3 at 32 kbps: a
// 20-minute piece is under 5 MB (a WAV original would be over 200 MB) and nothing the
// model could use is lost. MP3 because every Gemini model lists it among its inputs.
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
  /** Seconds from the start; with `seconds`, only that piece is encoded. */
  start?: number;
  seconds?: number;
  signal?: AbortSignal;
}

/** Writes the compact copy (mono 16 kHz MP3, 32 kbps) of `input`, or of one piece of it, to `output`. */
export async function writeCompactAudio(input: string, output: string, opts: CompactOptions): Promise<void> {
  // -ss before -i seeks the input (fast on a four-hour file); since the audio is decoded
  // and re-encoded, the cut is sample accurate all the same.
  const seek = opts.start ? ["-ss", opts.start.toFixed(3)] : [];
  const length = opts.seconds !== undefined ? ["-t", opts.seconds.toFixed(3)] : [];
  await runFfmpeg(
    opts.ffmpeg,
    ["-hide_banner", "-nostdin", "-v", "error", "-y", ...seek, ...length, "-i", input, "-map", "0:a:0", "-vn", "-map_metadata", "-1", "-ac", "1", "-ar", "16000", "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", output],
    { signal: opts.signal, label: "Preparing the audio for the model" },
  );
}
