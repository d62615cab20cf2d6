// Builds the text-generation chain from configuration: the providers named in
// AI_PROVIDERS that are configured, in that order, sharing circuits and caps through Redis.
import type { Redis } from "ioredis";
import type { Env } from "../env";
import { createAnthropicTextProvider } from "./anthropic-text";
import { createAiChain, type AiChain } from "./chain";
import { createCircuit } from "./circuit";
import { createGeminiTextProvider } from "./gemini-text";
import type { ProviderName, TextProvider } from "./generate";
import { createOpenAiTextProvider, openAiLabel } from "./openai-text";
import { gatedFetch, type Fetch } from "./provider-gate";

export type AiChainEnv = Pick<
  Env,
  | "QUEUE_PREFIX"
  | "AI_PROVIDERS"
  | "AI_FALLBACK_ENABLED"
  | "AI_CIRCUIT_OPEN_MS"
  | "AI_MAX_CONCURRENT_REQUESTS"
  | "AI_REQUEST_TIMEOUT"
  | "AI_PRICES"
  | "GEMINI_API_KEY"
  | "GEMINI_MODEL"
  | "GEMINI_BASE_URL"
  | "OPENAI_API_KEY"
  | "OPENAI_BASE_URL"
  | "OPENAI_MODEL"
  | "ANTHROPIC_API_KEY"
  | "ANTHROPIC_BASE_URL"
  | "ANTHROPIC_MODEL"
> &
  // Gemini's embedding and speech settings (their defaults when absent).
  Partial<Pick<Env, "GEMINI_EMBEDDING_MODEL" | "GEMINI_TTS_MODEL" | "GEMINI_TTS_VOICE">>;

type ProvidersEnv = Omit<AiChainEnv, "QUEUE_PREFIX" | "AI_FALLBACK_ENABLED" | "AI_CIRCUIT_OPEN_MS" | "AI_MAX_CONCURRENT_REQUESTS">;

const key = (value: string | undefined) => value?.trim() || undefined;

/**
 * The names of the configured providers in AI_PROVIDERS order; unconfigured ones are left
 * out (a fresh machine gets just "local"). Keys of only whitespace count as unset.
 */
export function configuredProviders(env: Pick<ProvidersEnv, "AI_PROVIDERS" | "GEMINI_API_KEY" | "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "ANTHROPIC_API_KEY">): ProviderName[] {
  return env.AI_PROVIDERS.filter((name) => {
    if (name === "gemini") return Boolean(key(env.GEMINI_API_KEY));
    // A base URL alone is enough: Ollama and llama.cpp take no key.
    if (name === "openai") return Boolean(key(env.OPENAI_API_KEY) || env.OPENAI_BASE_URL);
    if (name === "anthropic") return Boolean(key(env.ANTHROPIC_API_KEY));
    return name === "local";
  });
}

/**
 * Who writes photo captions, named for the upload page: the first configured provider in
 * AI_PROVIDERS (the photo describer tries it first; a 1024 px copy of each photo goes to it).
 * Null when that is "local": everything happens on this server.
 */
export function captionWriter(env: Parameters<typeof configuredProviders>[0]): string | null {
  switch (configuredProviders(env)[0]) {
    case "gemini":
      return "Gemini";
    case "anthropic":
      return "Anthropic";
    case "openai":
      return openAiLabel(env.OPENAI_BASE_URL);
    default:
      return null;
  }
}

/** The configured providers in AI_PROVIDERS order, built ("local" where it stands). */
export function textProvidersFromEnv(env: ProvidersEnv, options: { geminiFetch?: Fetch } = {}): Array<TextProvider | "local"> {
  const common = { timeoutMs: env.AI_REQUEST_TIMEOUT, prices: env.AI_PRICES };
  return configuredProviders(env).map((name) => {
    switch (name) {
      case "local":
        return "local";
      case "gemini":
        return createGeminiTextProvider({
          apiKey: key(env.GEMINI_API_KEY)!,
          model: env.GEMINI_MODEL,
          baseUrl: env.GEMINI_BASE_URL,
          fetch: options.geminiFetch,
          embeddingModel: env.GEMINI_EMBEDDING_MODEL,
          ttsModel: env.GEMINI_TTS_MODEL,
          ttsVoice: env.GEMINI_TTS_VOICE,
          ...common,
        });
      case "openai":
        return createOpenAiTextProvider({ apiKey: key(env.OPENAI_API_KEY), baseUrl: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL, ...common });
      case "anthropic":
        return createAnthropicTextProvider({ apiKey: key(env.ANTHROPIC_API_KEY)!, baseUrl: env.ANTHROPIC_BASE_URL, model: env.ANTHROPIC_MODEL, ...common });
    }
  });
}

/** One per process; `redis` may be shared (the chain only runs short commands on it). */
export function createAiChainFromEnv(env: AiChainEnv, redis: Redis): AiChain {
  // Gemini's 429 delay holds every Gemini client of every process, not only this chain.
  const circuit = createCircuit({ redis, prefix: env.QUEUE_PREFIX, openMs: env.AI_CIRCUIT_OPEN_MS });
  return createAiChain({
    providers: textProvidersFromEnv(env, { geminiFetch: gatedFetch({ circuit }) }),
    redis,
    prefix: env.QUEUE_PREFIX,
    fallbackEnabled: env.AI_FALLBACK_ENABLED,
    circuitOpenMs: env.AI_CIRCUIT_OPEN_MS,
    maxConcurrent: env.AI_MAX_CONCURRENT_REQUESTS,
  });
}
