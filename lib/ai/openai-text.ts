// Text generation with any OpenAI-compatible chat completions endpoint through the
// official `openai` SDK: OpenAI itself, Groq (the seed's first choice), or a self-hoster's
// Ollama, llama.cpp or vLLM server — only the base URL, key and model differ.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { openAiLabel } from "./configured";
import { AiError, MalformedReplyError } from "./errors";
import { assertJson } from "./gemini-text";
import type { GenerateRequest, GenerateResult, TextProvider } from "./generate";
import { cap, classifyHttpFailure, clip, networkCode, redact, safeCause, type LabelContext } from "./http-errors";
import { costUsd, type PriceTable } from "./prices";

export interface OpenAiTextConfig {
  /** Optional for servers that take none (Ollama, llama.cpp); a placeholder is sent then. */
  apiKey?: string;
  /** E.g. https://api.groq.com/openai/v1 or http://127.0.0.1:11434/v1; unset = OpenAI. */
  baseUrl?: string;
  model: string;
  timeoutMs: number;
  prices: PriceTable;
}

export function createOpenAiTextProvider(config: OpenAiTextConfig): TextProvider {
  const client = new OpenAI({
    // The SDK refuses to start without a key; local servers ignore whatever is sent.
    apiKey: config.apiKey || "no-key",
    baseURL: config.baseUrl,
    timeout: config.timeoutMs,
    // The chain and BullMQ own retries: a silent SDK retry would hide each 429's delay.
    maxRetries: 0,
  });
  const ctx: LabelContext = { label: openAiLabel(config.baseUrl), apiKey: config.apiKey };
  // OpenAI's own API wants max_completion_tokens (its reasoning models reject max_tokens);
  // compatible servers (Ollama, llama.cpp, older vLLM) know only max_tokens.
  const officialApi = !config.baseUrl || /(^|\.)api\.openai\.com$/.test(new URL(config.baseUrl).hostname);

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    const { signal } = request;
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: config.model,
      messages: [
        ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
        {
          role: "user" as const,
          // Text alone stays a plain string (what every compatible server takes); pictures
          // go as data: URLs, which OpenAI and the vision models of Ollama/vLLM accept.
          content: request.images?.length
            ? [
                ...request.images.map((i) => ({ type: "image_url" as const, image_url: { url: `data:${i.mimeType};base64,${i.data.toString("base64")}` } })),
                { type: "text" as const, text: request.prompt },
              ]
            : request.prompt,
        },
      ],
    };
    if (request.maxOutputTokens) {
      if (officialApi) body.max_completion_tokens = request.maxOutputTokens;
      else body.max_tokens = request.maxOutputTokens;
    }
    if (request.json) body.response_format = { type: "json_schema", json_schema: { name: "reply", schema: request.json } };
    try {
      const completion = await client.chat.completions.create(body, { signal, ...(request.timeoutMs ? { timeout: request.timeoutMs } : {}) });
      const choice = completion.choices?.[0];
      if (choice?.finish_reason === "content_filter" || choice?.message?.refusal) {
        const why = choice.message?.refusal ? `: ${clip(choice.message.refusal)}` : " (content filter)";
        throw new AiError("permanent", `${cap(ctx.label)} declined to answer${why}`);
      }
      const text = choice?.message?.content;
      if (!text) throw new MalformedReplyError("no text in the reply", { provider: cap(ctx.label) });
      if (request.json) assertJson(text, cap(ctx.label));
      const inputTokens = completion.usage?.prompt_tokens ?? 0;
      const outputTokens = completion.usage?.completion_tokens ?? 0;
      const model = completion.model || config.model;
      return {
        text,
        provider: "openai",
        model,
        usage: { inputTokens, outputTokens, costUsd: costUsd(config.prices, [model, config.model], inputTokens, outputTokens) },
      };
    } catch (err) {
      throw classifyOpenAiError(err, { ...ctx, timeoutMs: request.timeoutMs ?? config.timeoutMs }, signal);
    }
  }

  return { name: "openai", model: config.model, generate };
}

export function classifyOpenAiError(err: unknown, ctx: LabelContext & { timeoutMs?: number }, signal?: AbortSignal): AiError {
  if (err instanceof AiError) return err;
  const opts = { cause: safeCause(err, ctx.apiKey) };
  if (signal?.aborted || err instanceof APIUserAbortError) {
    return new AiError("transient", `${cap(ctx.label)} request was cancelled`, undefined, opts);
  }
  if (err instanceof MalformedReplyError || err instanceof SyntaxError) {
    return new AiError("transient", `${cap(ctx.label)} returned a malformed reply`, undefined, { cause: err });
  }
  if (err instanceof APIConnectionTimeoutError) {
    return new AiError("transient", `${cap(ctx.label)} did not answer within ${ctx.timeoutMs} ms`, undefined, opts);
  }
  if (err instanceof APIConnectionError) {
    const code = networkCode(err);
    return new AiError("transient", `Could not reach ${ctx.label}${code ? ` (${code})` : ""}`, undefined, opts);
  }
  if (err instanceof APIError && typeof err.status === "number") {
    const body = (err.error ?? {}) as { message?: unknown };
    return classifyHttpFailure(
      { status: err.status, headers: err.headers, serverMessage: typeof body.message === "string" ? body.message : null, code: err.code ?? err.type },
      ctx,
      err,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AiError("transient", `${cap(ctx.label)} call failed: ${clip(redact(message, ctx.apiKey))}`, undefined, opts);
}
