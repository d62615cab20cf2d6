// Picks the caption/tag provider for this process: Gemini when an API key is
// configured, otherwise the local describer (with the local vision model when the worker
// passes one), so a fresh machine with no cloud account still gets captions. Also the
// entry point of text generation (the fallback chain of AI jobs).
import type { Env } from "../env";
import type { Circuit } from "./circuit";
import { createGeminiProvider } from "./gemini";
import { createLocalProvider, type LocalProviderOptions } from "./local";
import { gatedFetch } from "./provider-gate";
import type { AiProvider } from "./types";

export type { AiProvider, Description, DescribeInput, ExifSummary, ImageFeatures } from "./types";
export { AiError, type AiErrorKind } from "./errors";
export { classifyGeminiError, createGeminiProvider, type GeminiConfig } from "./gemini";
export { createLocalProvider, describeFeatures, type LocalProviderOptions } from "./local";
export type { Detections, RgbPixels, VisionModel } from "./vision/types";

// Text generation: one interface, four providers, a chain with circuits and a cap.
export type { GenerateRequest, GenerateResult, JsonSchema, ProviderName, RemoteProviderName, TextProvider, Usage } from "./generate";
export { AiChainError, createAiChain, type AiChain, type AiChainConfig, type ChainResult, type LocalGenerate, type Skip } from "./chain";
export { createCircuit, type Circuit, type CircuitState } from "./circuit";
export { createSemaphore, type Semaphore } from "./semaphore";
export { gatedFetch, type Fetch } from "./provider-gate";
export { createAiChainFromEnv, textProvidersFromEnv, type AiChainEnv } from "./text-providers";
export { createGeminiTextProvider } from "./gemini-text";
export { createOpenAiTextProvider } from "./openai-text";
export { createAnthropicTextProvider } from "./anthropic-text";
export { costUsd, DEFAULT_AI_PRICES, priceFor, type ModelPrice, type PriceTable } from "./prices";

export type AiEnv = Pick<Env, "GEMINI_API_KEY" | "GEMINI_MODEL" | "GEMINI_BASE_URL" | "AI_TIMEOUT_MS">;

/**
 * With `circuit` (the worker passes one), Gemini's 429 retry delay is shared with every
 * worker process through Redis (lib/ai/provider-gate.ts): no request goes out before it.
 */
export function createAiProvider(env: AiEnv, options: { circuit?: Circuit } & LocalProviderOptions = {}): AiProvider {
  // A key of only whitespace (a stray `GEMINI_API_KEY= ` line) counts as unset.
  const apiKey = env.GEMINI_API_KEY?.trim();
  if (!apiKey) return createLocalProvider({ vision: options.vision, onVisionError: options.onVisionError });
  return createGeminiProvider({
    apiKey,
    model: env.GEMINI_MODEL,
    baseUrl: env.GEMINI_BASE_URL,
    timeoutMs: env.AI_TIMEOUT_MS,
    fetch: options.circuit ? gatedFetch({ circuit: options.circuit }) : undefined,
  });
}
