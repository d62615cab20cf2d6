// How the upload reader (lib/http/upload.ts) takes audio for episodes: sniffed by its first
// bytes (a text file named .mp3 is refused, 415, saying what it looks like), at most
// MAX_AUDIO_BYTES (413), and — read from its headers only, so it costs milliseconds — not
// longer than PODCAST_MAX_MINUTES (422). The worker's probe checks everything again.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Env } from "@/lib/env";
import { RejectedInputError } from "@/lib/errors";
import { runCapture } from "@/lib/ffmpeg/run";
import { formatDuration } from "./duration";
import { AUDIO_SNIFF_BYTES, notAudioMessage, sniffAudioType } from "./sniff";

export const audioAcceptance = {
  sniffBytes: AUDIO_SNIFF_BYTES,
  sniff: (head: Uint8Array) => sniffAudioType(head),
  refusal: (name: string, head: Uint8Array) => `${name}: ${notAudioMessage(head)}`,
  plural: "audio files",
  field: "file",
};

/** The reader's policy for episode uploads. One file per request is what the page sends; a few are allowed. */
export function audioUploadPolicy(config: Pick<Env, "DATA_DIR" | "MAX_AUDIO_BYTES" | "MAX_FILES_PER_REQUEST" | "PODCAST_MAX_MINUTES" | "FFPROBE_PATH">) {
  return {
    tempDir: path.join(config.DATA_DIR, "tmp"),
    limits: {
      maxFileBytes: config.MAX_AUDIO_BYTES,
      // Room for one file of the largest size plus the form around it.
      maxRequestBytes: config.MAX_AUDIO_BYTES + 1024 * 1024,
      maxFiles: config.MAX_FILES_PER_REQUEST,
    },
    accept: audioAcceptance,
    inspect: durationCheck(config.FFPROBE_PATH, config.PODCAST_MAX_MINUTES),
  };
}

/** Refuses a recording whose headers say it is longer than the limit; anything unreadable is left to the worker. */
export function durationCheck(ffprobe: string, maxMinutes: number) {
  return async ({ tempPath }: { tempPath: string }): Promise<RejectedInputError | null> => {
    let seconds: number;
    try {
      const args = ["-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name,bit_rate", "-of", "json", tempPath];
      const { stdout } = await runCapture(ffprobe, args, { maxStdoutBytes: 64 * 1024, label: "ffprobe", signal: AbortSignal.timeout(10_000) });
      const info = JSON.parse(stdout) as { format?: { duration?: string }; streams?: { codec_type?: string; codec_name?: string; bit_rate?: string }[] };
      seconds = Number(info.format?.duration);
      // PCM has an exact byte rate: a WAV header claiming 4 GB cannot stretch a 2 MB file.
      const audio = info.streams?.find((s) => s.codec_type === "audio");
      const bitRate = Number(audio?.bit_rate);
      if (audio?.codec_name?.startsWith("pcm_") && bitRate > 0) seconds = Math.min(seconds, ((await stat(tempPath)).size * 8) / bitRate);
    } catch {
      return null;
    }
    if (!Number.isFinite(seconds) || seconds <= maxMinutes * 60) return null;
    return new RejectedInputError("too_long", `This recording is ${formatDuration(seconds)}; the limit is ${maxMinutes} minutes.`);
  };
}
