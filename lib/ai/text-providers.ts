// Builds the text-generation chain from configuration: the providers named in
// AI_PROVIDERS that are configured, in that order, sharing circuits and caps through Redis.
import type { Redis } from "ioredis";
import type { Env } from "../env";
import { createAnthropicTextProvider } from "./anthropic-text";
import { createAiChain, type AiChain } from "./chain";
import { createCircuit } from "./circuit";
import { configuredKey as key, configuredProviders } from "./configured";
import { createGeminiTextProvider } from "./gemini-text";
import type { TextProvider } from "./generate";
import { createOpenAiTextProvider } from "./openai-text";
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
