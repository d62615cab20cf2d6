// Text generation with Gemini through the official SDK (the same client settings as photo
// captions: no SDK retries, explicit endpoint), with token usage from usageMetadata.
import { GoogleGenAI } from "@google/genai";
import { AiError, MalformedReplyError } from "./errors";
import { GEMINI_REFUSALS } from "./gemini";
import { classifyGeminiError } from "./gemini-errors";
import type { GenerateRequest, GenerateResult, TextProvider } from "./generate";
import { costUsd, type PriceTable } from "./prices";
import type { Fetch } from "./provider-gate";

export interface GeminiTextConfig {
  apiKey: string;
  model: string;
  baseUrl?: string;
  timeoutMs: number;
  prices: PriceTable;
  /** Sends every request; the worker's honours Gemini's 429 delays across processes (provider-gate.ts). */
  fetch?: Fetch;
}

export function createGeminiTextProvider(config: GeminiTextConfig): TextProvider {
  const client = new GoogleGenAI({
    apiKey: config.apiKey,
    vertexai: false,
    // The chain and BullMQ own retries (see lib/ai/gemini.ts).
    httpOptions: { baseUrl: config.baseUrl, timeout: config.timeoutMs, retryOptions: { attempts: 1 }, ...(config.fetch ? { fetch: config.fetch } : {}) },
  });

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    const { signal } = request;
    try {
      const response = await client.models.generateContent({
        model: config.model,
        contents: [{ role: "user", parts: [{ text: request.prompt }] }],
        config: {
          systemInstruction: request.system,
          maxOutputTokens: request.maxOutputTokens,
          // A caller's schema is JSON Schema, which responseJsonSchema takes as it is.
          ...(request.json ? { responseMimeType: "application/json", responseJsonSchema: request.json } : {}),
          abortSignal: signal,
        },
      });
      const refusal = response.promptFeedback?.blockReason ?? response.candidates?.[0]?.finishReason;
      if (refusal && GEMINI_REFUSALS.has(refusal)) {
        throw new AiError("permanent", `Gemini declined to answer (${refusal})`);
      }
      const text = response.text;
      if (!text) throw new MalformedReplyError("no text in the reply");
      if (request.json) assertJson(text, "Gemini");
      const meta = response.usageMetadata ?? {};
      const inputTokens = meta.promptTokenCount ?? 0;
      // Thinking tokens are billed as output.
      const outputTokens = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
      const model = response.modelVersion || config.model;
      return {
        text,
        provider: "gemini",
        model,
        usage: { inputTokens, outputTokens, costUsd: costUsd(config.prices, [model, config.model], inputTokens, outputTokens) },
      };
    } catch (err) {
      if (signal?.aborted) throw new AiError("transient", "Gemini request was cancelled", undefined, { cause: err });
      throw classifyGeminiError(err, { apiKey: config.apiKey, timeoutMs: config.timeoutMs });
    }
  }

  return { name: "gemini", model: config.model, generate };
}

/** A reply asked to be JSON that does not parse would fail the caller anyway. */
export function assertJson(text: string, provider: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new MalformedReplyError("reply is not JSON", { cause: err, provider });
  }
}
