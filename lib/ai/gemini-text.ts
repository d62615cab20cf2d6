// Gemini through the official SDK for the AI chain (AI jobs and photo captions): text
// generation (with images, for captions) with token usage from usageMetadata, text embeddings (models.embedContent → batchEmbedContents) and speech
// (generateContent with responseModalities AUDIO: inline 16-bit PCM, 24 kHz unless its MIME
// type says otherwise).
import { GoogleGenAI, Modality } from "@google/genai";
import { AiError, MalformedReplyError } from "./errors";
import { GEMINI_REFUSALS } from "./gemini";
import { classifyGeminiError } from "./gemini-errors";
import type { EmbedRequest, EmbedResult, GenerateRequest, GenerateResult, SpeakRequest, SpeakResult, TextProvider } from "./generate";
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
  /** GEMINI_EMBEDDING_MODEL; default gemini-embedding-001. */
  embeddingModel?: string;
  /** GEMINI_TTS_MODEL; default gemini-2.5-flash-preview-tts. */
  ttsModel?: string;
  /** GEMINI_TTS_VOICE: a prebuilt voice; default Kore. */
  ttsVoice?: string;
}

export const DEFAULT_GEMINI_EMBEDDING_MODEL = "gemini-embedding-001";
export const DEFAULT_GEMINI_TTS_MODEL = "gemini-2.5-flash-preview-tts";
export const DEFAULT_GEMINI_TTS_VOICE = "Kore";

/** Gemini TTS's prebuilt voices (a `voice` naming one of them, in any case, is used as it is). */
export const GEMINI_VOICES = [
  "Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda", "Orus", "Aoede", "Callirrhoe", "Autonoe",
  "Enceladus", "Iapetus", "Umbriel", "Algieba", "Despina", "Erinome", "Algenib", "Rasalgethi", "Laomedeia", "Achernar",
  "Alnilam", "Schedar", "Gacrux", "Pulcherrima", "Achird", "Zubenelgenubi", "Vindemiatrix", "Sadachbia", "Sadaltager", "Sulafat",
] as const;

/** The prebuilt voice `name` refers to, or undefined (an espeak-ng code such as "en-us" is not one). */
export function geminiVoice(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return GEMINI_VOICES.find((v) => v.toLowerCase() === name.toLowerCase());
}

/** Texts per batchEmbedContents request (the API takes at most 100). */
export const EMBED_BATCH = 100;

/** PCM's sample rate from a MIME type such as "audio/L16;codec=pcm;rate=24000" (Gemini TTS's). */
export function pcmRate(mimeType: string | undefined): number {
  const rate = Number(/rate=(\d+)/i.exec(mimeType ?? "")?.[1]);
  return Number.isFinite(rate) && rate > 0 ? rate : 24_000;
}

export function createGeminiTextProvider(config: GeminiTextConfig): TextProvider {
  const client = new GoogleGenAI({
    apiKey: config.apiKey,
    // Explicit, so a stray GOOGLE_GENAI_USE_VERTEXAI in the environment cannot send this key
    // to Vertex AI. No SDK-level retries: the chain and BullMQ own retries and backoff and
    // must see each 429/5xx to classify it (a silent SDK retry loop would also stretch one
    // call far past its timeout, which applies per attempt); attempts: 1 keeps it so if the
    // SDK's default ever changes.
    vertexai: false,
    httpOptions: { baseUrl: config.baseUrl, timeout: config.timeoutMs, retryOptions: { attempts: 1 }, ...(config.fetch ? { fetch: config.fetch } : {}) },
  });

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    const { signal } = request;
    try {
      const response = await client.models.generateContent({
        model: config.model,
        contents: [
          {
            role: "user",
            // Images before the text: Google's guidance for image prompts.
            parts: [...(request.images ?? []).map((i) => ({ inlineData: { mimeType: i.mimeType, data: i.data.toString("base64") } })), { text: request.prompt }],
          },
        ],
        config: {
          systemInstruction: request.system,
          ...(request.timeoutMs ? { httpOptions: { timeout: request.timeoutMs } } : {}),
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
      throw classifyGeminiError(err, { apiKey: config.apiKey, timeoutMs: request.timeoutMs ?? config.timeoutMs });
    }
  }

  const fail = (err: unknown, signal: AbortSignal | undefined, what: string) => {
    if (signal?.aborted) return new AiError("transient", `Gemini ${what} request was cancelled`, undefined, { cause: err });
    return err instanceof AiError ? err : classifyGeminiError(err, { apiKey: config.apiKey, timeoutMs: config.timeoutMs });
  };

  async function embed(request: EmbedRequest): Promise<EmbedResult> {
    const { signal } = request;
    const model = config.embeddingModel ?? DEFAULT_GEMINI_EMBEDDING_MODEL;
    try {
      const vectors: number[][] = [];
      for (let i = 0; i < request.texts.length; i += EMBED_BATCH) {
        const texts = request.texts.slice(i, i + EMBED_BATCH);
        const response = await client.models.embedContent({ model, contents: texts, config: { abortSignal: signal } });
        const got = response.embeddings ?? [];
        if (got.length !== texts.length || got.some((e) => !e.values?.length)) {
          throw new MalformedReplyError(`asked for ${texts.length} embeddings, got ${got.filter((e) => e.values?.length).length}`);
        }
        vectors.push(...got.map((e) => e.values!));
      }
      // The Gemini API does not report tokens for embeddings: estimated at 4 characters a
      // token, so the job's cost is an estimate too (docs/jobs.md).
      const inputTokens = Math.ceil(request.texts.reduce((n, t) => n + t.length, 0) / 4);
      return {
        vectors,
        provider: "gemini",
        model,
        usage: { inputTokens, outputTokens: 0, costUsd: costUsd(config.prices, [model], inputTokens, 0), estimated: true },
      };
    } catch (err) {
      throw fail(err, signal, "embedding");
    }
  }

  async function speak(request: SpeakRequest): Promise<SpeakResult> {
    const { signal } = request;
    const model = config.ttsModel ?? DEFAULT_GEMINI_TTS_MODEL;
    const voice = geminiVoice(request.voice) ?? config.ttsVoice ?? DEFAULT_GEMINI_TTS_VOICE;
    try {
      const response = await client.models.generateContent({
        model,
        contents: [{ role: "user", parts: [{ text: request.text }] }],
        config: {
          responseModalities: [Modality.AUDIO],
          speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: voice } } },
          abortSignal: signal,
        },
      });
      const refusal = response.promptFeedback?.blockReason ?? response.candidates?.[0]?.finishReason;
      if (refusal && GEMINI_REFUSALS.has(refusal)) throw new AiError("permanent", `Gemini declined to read this text aloud (${refusal})`);
      const parts = (response.candidates?.[0]?.content?.parts ?? []).filter((p) => p.inlineData?.data && p.inlineData.mimeType?.startsWith("audio/"));
      if (parts.length === 0) throw new MalformedReplyError("no audio in the reply");
      const mime = parts[0].inlineData!.mimeType;
      if (!/^audio\/(L16|pcm)\b/i.test(mime ?? "")) throw new MalformedReplyError(`audio in an unexpected format (${mime})`);
      const pcm = Buffer.concat(parts.map((p) => Buffer.from(p.inlineData!.data!, "base64")));
      const meta = response.usageMetadata ?? {};
      const inputTokens = meta.promptTokenCount ?? 0;
      const outputTokens = meta.candidatesTokenCount ?? 0;
      const answered = response.modelVersion || model;
      return {
        pcm,
        sampleRate: pcmRate(mime),
        provider: "gemini",
        model: answered,
        voice,
        usage: { inputTokens, outputTokens, costUsd: costUsd(config.prices, [answered, model], inputTokens, outputTokens) },
      };
    } catch (err) {
      throw fail(err, signal, "speech");
    }
  }

  return { name: "gemini", model: config.model, generate, embed, speak };
}

/** A reply asked to be JSON that does not parse would fail the caller anyway. */
export function assertJson(text: string, provider: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new MalformedReplyError("reply is not JSON", { cause: err, provider });
  }
}
