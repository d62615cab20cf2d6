// Picks the caption/tag provider for this process: Gemini when an API key is
// configured, otherwise the local heuristic describer, so a fresh machine with no
// cloud account still gets captions.
import type { Env } from "../env";
import { createGeminiProvider } from "./gemini";
import { createLocalProvider } from "./local";
import type { AiProvider } from "./types";

export type { AiProvider, Description, DescribeInput, ExifSummary, ImageFeatures } from "./types";
export { AiError, type AiErrorKind } from "./errors";
export { classifyGeminiError, createGeminiProvider, type GeminiConfig } from "./gemini";
export { createLocalProvider, describeFeatures } from "./local";

export type AiEnv = Pick<Env, "GEMINI_API_KEY" | "GEMINI_MODEL" | "GEMINI_BASE_URL" | "AI_TIMEOUT_MS">;

export function createAiProvider(env: AiEnv): AiProvider {
  // A key of only whitespace (a stray `GEMINI_API_KEY= ` line) counts as unset.
  const apiKey = env.GEMINI_API_KEY?.trim();
  if (!apiKey) return createLocalProvider();
  return createGeminiProvider({
    apiKey,
    model: env.GEMINI_MODEL,
    baseUrl: env.GEMINI_BASE_URL,
    timeoutMs: env.AI_TIMEOUT_MS,
  });
}
