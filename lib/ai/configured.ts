// Which AI providers this configuration sets up, and how they are named to people. Kept
// apart from the providers themselves (text-providers.ts), which load their SDKs: a page
// that only names the caption provider loads none of them.
import type { Env } from "../env";
import type { ProviderName } from "./generate";

type ProviderKeys = Pick<Env, "AI_PROVIDERS" | "GEMINI_API_KEY" | "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "ANTHROPIC_API_KEY">;

/** A key of only whitespace counts as unset. */
export const configuredKey = (value: string | undefined) => value?.trim() || undefined;

/**
 * The names of the configured providers in AI_PROVIDERS order; unconfigured ones are left
 * out (a fresh machine gets just "local").
 */
export function configuredProviders(env: ProviderKeys): ProviderName[] {
  return env.AI_PROVIDERS.filter((name) => {
    if (name === "gemini") return Boolean(configuredKey(env.GEMINI_API_KEY));
    // A base URL alone is enough: Ollama and llama.cpp take no key.
    if (name === "openai") return Boolean(configuredKey(env.OPENAI_API_KEY) || env.OPENAI_BASE_URL);
    if (name === "anthropic") return Boolean(configuredKey(env.ANTHROPIC_API_KEY));
    return name === "local";
  });
}

/**
 * How the OpenAI-compatible provider is named to people: "OpenAI", or the compatible server
 * it is. Users know the endpoint they configured, so messages name it.
 */
export function openAiLabel(baseUrl: string | undefined): string {
  if (!baseUrl) return "OpenAI";
  const host = new URL(baseUrl).hostname;
  return /(^|\.)openai\.com$/.test(host) ? "OpenAI" : `the OpenAI-compatible server at ${host}`;
}

/**
 * Who writes photo captions, named for the upload page: the first configured provider in
 * AI_PROVIDERS (the photo describer tries it first; a 1024 px copy of each photo goes to it).
 * Null when that is "local": everything happens on this server.
 */
export function captionWriter(env: ProviderKeys): string | null {
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
