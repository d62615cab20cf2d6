// Picks the caption/tag provider for this process: the fallback chain of AI_PROVIDERS
// (lib/ai/describe.ts), with the local describer (and the local vision model when the
// worker passes one) where "local" stands, so a fresh machine with no cloud account still
// gets captions. Also the entry point of text generation (the fallback chain of AI jobs).
import type { Env } from "../env";
import type { AiChain, Skip } from "./chain";
import { createPhotoDescriber } from "./describe";
import { createLocalProvider, type LocalProviderOptions } from "./local";
import type { AiProvider } from "./types";

export type { AiProvider, Description, DescribeInput, ExifSummary, ImageFeatures } from "./types";
export { AiError, type AiErrorKind } from "./errors";
export { classifyGeminiError } from "./gemini";
export { createPhotoDescriber, DESCRIBE_PROMPT, DESCRIPTION_SCHEMA } from "./describe";
export { createLocalProvider, describeFeatures, type LocalProviderOptions } from "./local";
export type { Detections, RgbPixels, VisionModel } from "./vision/types";

// Text generation: one interface, four providers, a chain with circuits and a cap.
export type { GenerateRequest, GenerateResult, ImageInput, JsonSchema, ProviderName, RemoteProviderName, TextProvider, Usage } from "./generate";
export { AiChainError, createAiChain, type AiChain, type AiChainConfig, type ChainResult, type LocalGenerate, type Skip } from "./chain";
export { createCircuit, type Circuit, type CircuitState } from "./circuit";
export { createSemaphore, type Semaphore } from "./semaphore";
export { gatedFetch, type Fetch } from "./provider-gate";
export { captionWriter, configuredProviders } from "./configured";
export { createAiChainFromEnv, textProvidersFromEnv, type AiChainEnv } from "./text-providers";
export { createGeminiTextProvider } from "./gemini-text";
export { createOpenAiTextProvider } from "./openai-text";
export { createAnthropicTextProvider } from "./anthropic-text";
export { costUsd, DEFAULT_AI_PRICES, priceFor, type ModelPrice, type PriceTable } from "./prices";

export type AiEnv = Pick<Env, "AI_TIMEOUT_MS">;

/**
 * `chain` is the process's AI chain (createAiChainFromEnv): photos share its providers,
 * circuits and AI_MAX_CONCURRENT_REQUESTS cap with the AI jobs.
 */
export function createAiProvider(env: AiEnv, options: { chain: AiChain; onPassedOver?: (skipped: Skip[]) => void } & LocalProviderOptions): AiProvider {
  return createPhotoDescriber({
    chain: options.chain,
    onPassedOver: options.onPassedOver,
    local: createLocalProvider({ vision: options.vision, onVisionError: options.onVisionError }),
    timeoutMs: env.AI_TIMEOUT_MS,
  });
}
