// What a call costs, estimated from token counts and a per-model price table (USD per
// million tokens). Defaults are list prices for common models; AI_PRICES overrides or adds
// entries (a self-hosted model can be priced at 0). An unknown model costs null, not 0:
// a missing price must not look like a free call.

export interface ModelPrice {
  /** USD per million input (prompt) tokens. */
  input: number;
  /** USD per million output tokens (thinking tokens are billed as output). */
  output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** List prices in USD per million tokens, standard tier, short prompts (checked 2025). */
export const DEFAULT_AI_PRICES: PriceTable = {
  "gemini-2.5-pro": { input: 1.25, output: 10 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5 },
  "gemini-2.5-flash-lite": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash-lite": { input: 0.075, output: 0.3 },
  // Embeddings: input only. Speech: text in, audio out (as audio tokens).
  "gemini-embedding-001": { input: 0.15, output: 0 },
  "gemini-2.5-flash-preview-tts": { input: 0.5, output: 10 },
  "gemini-2.5-pro-preview-tts": { input: 1, output: 20 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  // Groq (OpenAI-compatible), the seed's first choice.
  "llama-3.3-70b-versatile": { input: 0.59, output: 0.79 },
  "llama-3.1-8b-instant": { input: 0.05, output: 0.08 },
  "claude-opus-4-5": { input: 5, output: 25 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-sonnet-4": { input: 3, output: 15 },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "claude-3-5-haiku": { input: 0.8, output: 4 },
};

/**
 * The price of a model: an exact entry, else the longest entry the name starts with
 * followed by "-" (dated or preview names: "gpt-4.1-mini-2025-04-14" → "gpt-4.1-mini",
 * "claude-haiku-4-5-20251001" → "claude-haiku-4-5"). Vendor prefixes such as "models/"
 * or "openai/" are ignored for the prefix match.
 */
export function priceFor(prices: PriceTable, model: string): ModelPrice | undefined {
  if (prices[model]) return prices[model];
  const bare = model.replace(/^.*\//, "");
  if (prices[bare]) return prices[bare];
  let best: string | undefined;
  for (const key of Object.keys(prices)) {
    if (bare.startsWith(`${key}-`) && (!best || key.length > best.length)) best = key;
  }
  return best ? prices[best] : undefined;
}

/** Rounded to a millionth of a dollar so sums of many calls stay readable. */
export function costUsd(prices: PriceTable, models: readonly string[], inputTokens: number, outputTokens: number): number | null {
  for (const model of models) {
    const price = priceFor(prices, model);
    if (price) return Math.round(((inputTokens * price.input + outputTokens * price.output) / 1_000_000) * 1e6) / 1e6;
  }
  return null;
}
