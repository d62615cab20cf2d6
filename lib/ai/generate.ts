// The contract between text-generating AI work (summaries, judgements, scripts) and any
// provider that can do it: one request shape, one result shape with usage and cost, so
// the fallback chain can swap providers without the caller noticing.

/** Remote providers the chain knows, plus "local": the caller's own no-network path. */
export const PROVIDER_NAMES = ["gemini", "openai", "anthropic", "local"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
export type RemoteProviderName = Exclude<ProviderName, "local">;

/** A JSON Schema object (draft 2020-12 subset every provider accepts: type, properties, items, required, enum). */
export type JsonSchema = Record<string, unknown>;

/** A picture sent with the prompt (photo captions send the downscaled JPEG). */
export interface ImageInput {
  mimeType: string;
  data: Buffer;
}

export interface GenerateRequest {
  system?: string;
  prompt: string;
  /** Pictures the prompt is about; each provider sends them the way its API takes images. */
  images?: ImageInput[];
  /** Ask for JSON that follows this schema; the reply text is then a JSON document. */
  json?: JsonSchema;
  maxOutputTokens?: number;
  /** This request's timeout instead of the provider's (AI_REQUEST_TIMEOUT); photo captions use AI_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Aborting it closes the HTTP request to the provider. */
  signal?: AbortSignal;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Estimated from the price table; null when the model has no price there. */
  costUsd: number | null;
}

export interface GenerateResult {
  text: string;
  provider: ProviderName;
  /** The model that answered, as the provider reported it (or as configured). */
  model: string;
  usage: Usage;
}

/** Texts to turn into embedding vectors (for similarity). */
export interface EmbedRequest {
  texts: string[];
  signal?: AbortSignal;
}

export interface EmbedResult {
  /** One vector per text, in order. */
  vectors: number[][];
  provider: ProviderName;
  model: string;
  /** Input tokens; `estimated` when the provider does not report them (counted as characters / 4). */
  usage: Usage & { estimated?: boolean };
}

/** A text to read aloud. */
export interface SpeakRequest {
  text: string;
  /** A voice name of the provider's; its configured voice when absent or unknown to it. */
  voice?: string;
  signal?: AbortSignal;
}

export interface SpeakResult {
  /** Raw 16-bit little-endian mono PCM. */
  pcm: Buffer;
  sampleRate: number;
  provider: ProviderName;
  model: string;
  /** The voice that spoke. */
  voice: string;
  usage: Usage;
}

/**
 * One remote provider. Throws only AiError (lib/ai/errors.ts), already classified.
 * `embed` and `speak` are there where this provider offers them through Framecast (today:
 * Gemini); the chain skips a provider without the capability asked for.
 */
export interface TextProvider {
  readonly name: RemoteProviderName;
  readonly model: string;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  embed?(request: EmbedRequest): Promise<EmbedResult>;
  speak?(request: SpeakRequest): Promise<SpeakResult>;
}
