// The understand step's choice of who writes an episode's title, summary, show notes,
// keywords, chapters and transcript: Gemini audio when GEMINI_API_KEY is set (the worker
// passes createGeminiUnderstand from gemini-understander.ts, in the GeminiUnderstand shape,
// see worker/processors/workflows.ts), otherwise the keyless local path (local-understand.ts:
// tags or file name, chapters from pauses, no invented text). A recording that is silence
// only is never sent to a model.
import { understandLocally, type Understanding } from "./local-understand";
import type { AudioTags } from "./probe";
import type { Silence } from "./silence";

export type { Understanding } from "./local-understand";

export interface UnderstandInput {
  /** The recording on local disk (the uploaded file, as received). */
  file: string;
  /** The name it was uploaded with. */
  fileName: string;
  mime: string;
  tags: AudioTags;
  durationSeconds: number;
  silences: readonly Silence[];
  silenceOnly: boolean;
  /** The show's language (BCP 47), a hint for transcription. */
  language: string;
  signal?: AbortSignal;
  /** 0..1 */
  onProgress?: (fraction: number) => void;
}

export interface GeminiAudioConfig {
  apiKey: string;
  model: string;
  baseUrl?: string;
  timeoutMs: number;
}

/**
 * What a Gemini implementation provides: structured JSON from the audio (Files API above
 * 20 MB, long audio in overlapping chunks merged by time), mapped to an Understanding
 * with `model: "gemini:<model>"`. Throws lib/errors classes (RateLimitedError with the
 * provider's delay, UnavailableError, RejectedInputError for a malformed reply…).
 */
export type GeminiUnderstand = (input: UnderstandInput, config: GeminiAudioConfig) => Promise<Understanding>;

export interface UnderstandProvider {
  /** "local" or "gemini:<model>". */
  name: string;
  understand(input: UnderstandInput): Promise<Understanding>;
}

export const localProvider: UnderstandProvider = {
  name: "local",
  understand: async (input) =>
    understandLocally({
      fileName: input.fileName,
      tags: input.tags,
      durationSeconds: input.durationSeconds,
      silences: input.silences,
      silenceOnly: input.silenceOnly,
    }),
};

export interface ProviderConfig {
  GEMINI_API_KEY?: string;
  GEMINI_MODEL: string;
  GEMINI_BASE_URL?: string;
  AI_TIMEOUT_MS: number;
}

/** Gemini when a key is set and an implementation is plugged in; otherwise the local path. */
export function chooseUnderstandProvider(config: ProviderConfig, gemini?: GeminiUnderstand): UnderstandProvider {
  const apiKey = config.GEMINI_API_KEY?.trim();
  if (!apiKey || !gemini) return localProvider;
  const geminiConfig: GeminiAudioConfig = { apiKey, model: config.GEMINI_MODEL, baseUrl: config.GEMINI_BASE_URL, timeoutMs: config.AI_TIMEOUT_MS };
  return {
    name: `gemini:${config.GEMINI_MODEL}`,
    // Silence has nothing to transcribe: the local path says so without a paid call.
    understand: (input) => (input.silenceOnly ? localProvider.understand(input) : gemini(input, geminiConfig)),
  };
}
