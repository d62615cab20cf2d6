// Text generation with Anthropic's Messages API through the official SDK (the seed's
// Claude step); a base URL lets it point at a proxy or, in tests, a stub on 127.0.0.1.
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages/messages";
import { AiError, MalformedReplyError } from "./errors";
import { assertJson } from "./gemini-text";
import type { GenerateRequest, GenerateResult, TextProvider } from "./generate";
import { classifyHttpFailure, clip, networkCode, redact, safeCause, type LabelContext } from "./http-errors";
import { costUsd, type PriceTable } from "./prices";

export interface AnthropicTextConfig {
  apiKey: string;
  baseUrl?: string;
  model: string;
  timeoutMs: number;
  prices: PriceTable;
}

/** The Messages API requires max_tokens; this is used when the caller names none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

export function createAnthropicTextProvider(config: AnthropicTextConfig): TextProvider {
  const client = new Anthropic({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    timeout: config.timeoutMs,
    // The chain and BullMQ own retries: a silent SDK retry would hide each 429's delay.
    maxRetries: 0,
  });
  const ctx: LabelContext = { label: "Anthropic", apiKey: config.apiKey };

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    const { signal } = request;
    const body: MessageCreateParamsNonStreaming = {
      model: config.model,
      max_tokens: request.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: [
        {
          role: "user",
          content: request.images?.length
            ? [
                // Images before the text, as Anthropic's vision guide advises.
                ...request.images.map((i) => ({
                  type: "image" as const,
                  source: { type: "base64" as const, media_type: anthropicImageType(i.mimeType), data: i.data.toString("base64") },
                })),
                { type: "text" as const, text: request.prompt },
              ]
            : request.prompt,
        },
      ],
      ...(request.system ? { system: request.system } : {}),
      ...(request.json ? { output_config: { format: { type: "json_schema" as const, schema: request.json } } } : {}),
    };
    try {
      const message = await client.messages.create(body, { signal, ...(request.timeoutMs ? { timeout: request.timeoutMs } : {}) });
      if (message.stop_reason === "refusal") throw new AiError("permanent", "Anthropic declined to answer (refusal)");
      const text = (message.content ?? [])
        .filter((block): block is Anthropic.TextBlock => block.type === "text")
        .map((block) => block.text)
        .join("");
      if (!text) throw new MalformedReplyError("no text in the reply", { provider: "Anthropic" });
      if (request.json) assertJson(text, "Anthropic");
      const usage = message.usage;
      // Cached prompt tokens are input too (billed at other rates; the estimate ignores that).
      const inputTokens = (usage?.input_tokens ?? 0) + (usage?.cache_creation_input_tokens ?? 0) + (usage?.cache_read_input_tokens ?? 0);
      const outputTokens = usage?.output_tokens ?? 0;
      const model = message.model || config.model;
      return {
        text,
        provider: "anthropic",
        model,
        usage: { inputTokens, outputTokens, costUsd: costUsd(config.prices, [model, config.model], inputTokens, outputTokens) },
      };
    } catch (err) {
      throw classifyAnthropicError(err, { ...ctx, timeoutMs: request.timeoutMs ?? config.timeoutMs }, signal);
    }
  }

  return { name: "anthropic", model: config.model, generate };
}

/** The Messages API takes these four image types; anything else is refused before sending. */
type AnthropicImageType = "image/jpeg" | "image/png" | "image/gif" | "image/webp";
function anthropicImageType(mimeType: string): AnthropicImageType {
  if (["image/jpeg", "image/png", "image/gif", "image/webp"].includes(mimeType)) return mimeType as AnthropicImageType;
  throw new AiError("permanent", `Anthropic takes JPEG, PNG, GIF or WebP images, not ${mimeType}`);
}

export function classifyAnthropicError(err: unknown, ctx: LabelContext & { timeoutMs?: number }, signal?: AbortSignal): AiError {
  if (err instanceof AiError) return err;
  const opts = { cause: safeCause(err, ctx.apiKey) };
  if (signal?.aborted || err instanceof APIUserAbortError) {
    return new AiError("transient", "Anthropic request was cancelled", undefined, opts);
  }
  if (err instanceof MalformedReplyError || err instanceof SyntaxError) {
    return new AiError("transient", "Anthropic returned a malformed reply", undefined, { cause: err });
  }
  if (err instanceof APIConnectionTimeoutError) {
    return new AiError("transient", `Anthropic did not answer within ${ctx.timeoutMs} ms`, undefined, opts);
  }
  if (err instanceof APIConnectionError) {
    const code = networkCode(err);
    return new AiError("transient", `Could not reach Anthropic${code ? ` (${code})` : ""}`, undefined, opts);
  }
  if (err instanceof APIError && typeof err.status === "number") {
    return classifyHttpFailure({ status: err.status, headers: err.headers, serverMessage: err.apiMessage, code: err.type }, ctx, err);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AiError("transient", `Anthropic call failed: ${clip(redact(message, ctx.apiKey))}`, undefined, opts);
}
