// Describes photos with Google Gemini through the official SDK: the JPEG goes inline
// with a short prompt, and the model is held to a JSON schema so the reply can be
// checked instead of scraped out of prose.
import { GoogleGenAI, Type, type GenerateContentResponse, type Schema } from "@google/genai";
import { z } from "zod";
import { AiError } from "./errors";
import { classifyGeminiError, MalformedReplyError } from "./gemini-errors";
import { clipCaption, MAX_TAGS, normaliseTags } from "./normalise";
import type { Fetch } from "./provider-gate";
import type { AiProvider, Description, DescribeInput } from "./types";

export { classifyGeminiError } from "./gemini-errors";

export interface GeminiConfig {
  apiKey: string;
  model: string;
  /** Overrides the endpoint (tests point it at a stub on 127.0.0.1). */
  baseUrl?: string;
  /** Per request, covering both the wait for headers and the body. */
  timeoutMs: number;
  /** Sends every request (the worker's: lib/ai/provider-gate.ts, which honours 429 delays across processes). */
  fetch?: Fetch;
}

const PROMPT = [
  "Describe this photo for a personal photo library.",
  "caption: one plain sentence (at most 200 characters) saying what is visible; do not guess names of people or places.",
  `tags: 3 to ${MAX_TAGS} short lowercase keywords for search (subjects, setting, activity, mood).`,
].join("\n");

// OpenAPI-style `responseSchema` rather than `responseJsonSchema`: it is accepted by
// every current Gemini model, while JSON Schema support depends on the model version.
const RESPONSE_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: {
    caption: { type: Type.STRING },
    tags: { type: Type.ARRAY, items: { type: Type.STRING }, minItems: "1", maxItems: String(MAX_TAGS) },
  },
  required: ["caption", "tags"],
  propertyOrdering: ["caption", "tags"],
};

// Over-long captions and too many tags are trimmed rather than rejected: the reply is
// still useful and a retry would cost another paid call. Empty ones are rejected.
const replySchema = z.object({
  caption: z.string().transform(clipCaption).pipe(z.string().min(1)),
  tags: z.array(z.string()).transform(normaliseTags).pipe(z.array(z.string()).min(1)),
});

// Finish/block reasons that mean Gemini will not describe this photo however often we
// ask; retrying would only spend quota, so these fail the photo for good.
export const GEMINI_REFUSALS: ReadonlySet<string> = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

export function createGeminiProvider(config: GeminiConfig): AiProvider {
  const name = `gemini:${config.model}`;
  const client = new GoogleGenAI({
    apiKey: config.apiKey,
    // Explicit, so a stray GOOGLE_GENAI_USE_VERTEXAI in the environment cannot send
    // this key to Vertex AI instead.
    vertexai: false,
    httpOptions: {
      baseUrl: config.baseUrl,
      timeout: config.timeoutMs,
      // No SDK-level retries: BullMQ owns retries and backoff, and needs to see each
      // 429/5xx to classify it (a silent SDK retry loop would also stretch one job far
      // past AI_TIMEOUT_MS, since the timeout applies per attempt). The SDK does not
      // retry without retryOptions today; attempts: 1 keeps it that way if its default
      // ever changes.
      retryOptions: { attempts: 1 },
      ...(config.fetch ? { fetch: config.fetch } : {}),
    },
  });

  async function describe(input: DescribeInput, signal?: AbortSignal): Promise<Description> {
    try {
      const response = await client.models.generateContent({
        model: config.model,
        contents: [
          {
            role: "user",
            parts: [
              // Image before text: Google's guidance for single-image prompts.
              { inlineData: { mimeType: input.mime, data: input.image.toString("base64") } },
              { text: PROMPT },
            ],
          },
        ],
        config: {
          responseMimeType: "application/json",
          responseSchema: RESPONSE_SCHEMA,
          abortSignal: signal,
        },
      });
      const reply = parseReply(response);
      return { ...reply, provider: name };
    } catch (err) {
      // The caller (worker shutdown, job cancel) gave up, not Gemini: say so plainly.
      if (signal?.aborted) {
        throw new AiError("transient", "Gemini request was cancelled", undefined, { cause: err });
      }
      throw classifyGeminiError(err, { apiKey: config.apiKey, timeoutMs: config.timeoutMs });
    }
  }

  return { name, describe };
}

function parseReply(response: GenerateContentResponse): { caption: string; tags: string[] } {
  const refusal = response.promptFeedback?.blockReason ?? response.candidates?.[0]?.finishReason;
  if (refusal && GEMINI_REFUSALS.has(refusal)) {
    // classifyGeminiError passes AiErrors through unchanged.
    throw new AiError("permanent", `Gemini declined to describe this photo (${refusal})`);
  }
  const text = response.text;
  if (!text) throw new MalformedReplyError("no text in the reply");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MalformedReplyError("reply is not JSON", { cause: err });
  }
  const parsed = replySchema.safeParse(json);
  if (!parsed.success) {
    throw new MalformedReplyError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }
  return parsed.data;
}
