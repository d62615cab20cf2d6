// One decode of the whole recording for everything the analyse phase needs from the sound:
// loudness (EBU R128) and pauses (for chapters and "no speech found"). Decoding is the
// expensive part of a four-hour file, so both filters share a single ffmpeg run.
import { RejectedInputError } from "@/lib/errors";
import { runFfmpeg } from "@/lib/ffmpeg/run";
import { createEbur128Collector, EBUR128_FILTER, type LoudnessMeasurement } from "./loudness";
import { createSilenceCollector, isSilenceOnly, silencedetectFilter, type Silence, type SilenceOptions } from "./silence";

export interface AnalyseOptions {
  ffmpeg: string;
  silence?: SilenceOptions;
  /** The probed duration, for progress. */
  durationSeconds?: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface AudioAnalysis {
  /** The encoder reuses this (encodeEpisode's `loudness`), saving a pass. */
  loudness: LoudnessMeasurement;
  silences: Silence[];
  /** Seconds of audio that actually decoded (the real duration). */
  decodedSeconds: number;
  /** Nothing but silence (or sound under the −70 LUFS gate): there is no speech to publish. */
  silenceOnly: boolean;
}

export async function analyseAudio(file: string, opts: AnalyseOptions): Promise<AudioAnalysis> {
  const loud = createEbur128Collector();
  const quiet = createSilenceCollector();
  const { outSeconds } = await runFfmpeg(
    opts.ffmpeg,
    ["-hide_banner", "-nostdin", "-i", file, "-map", "0:a:0", "-af", `${silencedetectFilter(opts.silence)},${EBUR128_FILTER}`, "-progress", "pipe:1", "-nostats", "-f", "null", "-"],
    {
      signal: opts.signal,
      totalSeconds: opts.durationSeconds,
      onProgress: opts.onProgress,
      onStderrLine: (line) => {
        loud.line(line);
        quiet.line(line);
      },
      label: "The audio analysis",
    },
  );
  const loudness = loud.measurement();
  if (!loudness) throw new RejectedInputError("damaged", "This recording could not be analysed; the audio looks damaged.");
  const decodedSeconds = outSeconds ?? opts.durationSeconds ?? 0;
  const silences = quiet.finish(decodedSeconds);
  return {
    loudness,
    silences,
    decodedSeconds,
    silenceOnly: loudness.integratedLufs === null || isSilenceOnly(silences, decodedSeconds),
  };
}
