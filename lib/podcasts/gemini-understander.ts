// The Gemini side of the understand step in the shape the step's chooser takes
// (lib/podcasts/understand.ts: `GeminiUnderstand = (input, config) => Promise<Understanding>`):
// the worker builds one with its shared circuit and ffmpeg, and passes it to
// chooseUnderstandProvider(config, createGeminiUnderstand({ circuit, ffmpeg, tmpDir })).
// The types are stated here structurally, so this module does not depend on the chooser.
import type { Circuit } from "@/lib/ai/circuit";
import { understandWithGemini, type GeminiUnderstanding } from "./gemini-understand";

export interface GeminiUnderstandInput {
  /** The recording on local disk. */
  file: string;
  fileName: string;
  mime: string;
  durationSeconds: number;
  /** The show's language (BCP 47), a hint. */
  language?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface GeminiAudioConfig {
  apiKey: string;
  model: string;
  baseUrl?: string;
  /** AI_TIMEOUT_MS: sized for photo captions, so here only a floor (see below). */
  timeoutMs: number;
}

export interface GeminiUnderstanderDeps {
  /** The worker's shared circuit (createCircuit with its Redis and QUEUE_PREFIX). */
  circuit?: Circuit;
  ffmpeg?: string;
  tmpDir?: string;
  chunkSeconds?: number;
  overlapSeconds?: number;
}

/**
 * Hearing a 20-minute piece and writing its transcript takes Gemini a minute or more, far
 * past the 30 s that suits a photo caption; a request is given at least this long (the
 * step's abort signal still ends it at once).
 */
export const AUDIO_TIMEOUT_FLOOR_MS = 5 * 60_000;

export function createGeminiUnderstand(deps: GeminiUnderstanderDeps = {}) {
  return (input: GeminiUnderstandInput, config: GeminiAudioConfig): Promise<GeminiUnderstanding> =>
    understandWithGemini(input.file, {
      apiKey: config.apiKey,
      model: config.model,
      baseUrl: config.baseUrl,
      timeoutMs: Math.max(config.timeoutMs, AUDIO_TIMEOUT_FLOOR_MS),
      durationSeconds: input.durationSeconds,
      mime: input.mime,
      fileName: input.fileName,
      language: input.language,
      signal: input.signal,
      onProgress: input.onProgress,
      circuit: deps.circuit,
      ffmpeg: deps.ffmpeg,
      tmpDir: deps.tmpDir,
      chunkSeconds: deps.chunkSeconds,
      overlapSeconds: deps.overlapSeconds,
    });
}
