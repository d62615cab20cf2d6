// Storyboard EXECUTE with Gemini: one caption line per shot and a title, written from
// what the analysis knows about each photo. Held to a JSON schema; a reply with the wrong
// number of lines is repaired from the local writer rather than failed, since it is still
// mostly useful and a retry would cost another paid call.
import { GoogleGenAI, Type, type Schema } from "@google/genai";
import { z } from "zod";
import { AiError } from "@/lib/ai/errors";
import { classifyGeminiError, MalformedReplyError } from "@/lib/ai/gemini-errors";
import type { Fetch } from "@/lib/ai/provider-gate";
import { MAX_CAPTION_CHARS, MAX_TITLE_CHARS, STYLES, type VlogStyle } from "./plan";
import { writeLocalStoryboard, type ShotFacts, type WrittenStoryboard } from "./writer-local";

export interface GeminiWriterConfig {
  apiKey: string;
  model: string;
  baseUrl?: string;
  timeoutMs: number;
  /** Sends every request; the worker's honours Gemini's 429 delays across processes (lib/ai/provider-gate.ts). */
  fetch?: Fetch;
}

const RESPONSE_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: {
    title: { type: Type.STRING },
    captions: { type: Type.ARRAY, items: { type: Type.STRING } },
  },
  required: ["title", "captions"],
  propertyOrdering: ["title", "captions"],
};

const replySchema = z.object({ title: z.string(), captions: z.array(z.string()) });

export function createGeminiWriter(config: GeminiWriterConfig) {
  const client = new GoogleGenAI({
    apiKey: config.apiKey,
    vertexai: false,
    // BullMQ owns retries (see lib/ai/gemini.ts for why the SDK must not retry).
    httpOptions: { baseUrl: config.baseUrl, timeout: config.timeoutMs, retryOptions: { attempts: 1 }, ...(config.fetch ? { fetch: config.fetch } : {}) },
  });
  const name = `gemini:${config.model}`;

  return {
    name,
    async write(shots: readonly ShotFacts[], opts: { style: VlogStyle; title?: string | null }, signal?: AbortSignal): Promise<WrittenStoryboard> {
      const style = STYLES[opts.style];
      const lines = shots.map((s, i) => `${i + 1}. taken ${s.takenAt ?? "at an unknown time"}; described as: ${s.caption}; tags: ${s.tags.join(", ")}`);
      const prompt = [
        `Write the on-screen captions for a short photo vlog in a ${style.label.toLowerCase()} style (${style.description}).`,
        `There are ${shots.length} shots, in this order:`,
        ...lines,
        `Return exactly ${shots.length} captions, one per shot in the same order: each a short line (at most 90 characters) a viewer reads in a few seconds, in the first person plural or plain description; never invent names of people or places.`,
        opts.title ? `The title is fixed: ${JSON.stringify(opts.title)}; return it unchanged.` : `Also return a title of at most 60 characters.`,
      ].join("\n");
      let text: string | undefined;
      try {
        const response = await client.models.generateContent({
          model: config.model,
          contents: [{ role: "user", parts: [{ text: prompt }] }],
          config: { responseMimeType: "application/json", responseSchema: RESPONSE_SCHEMA, abortSignal: signal },
        });
        text = response.text;
        if (!text) throw new MalformedReplyError("no text in the reply");
      } catch (err) {
        if (signal?.aborted) throw new AiError("transient", "Gemini request was cancelled", undefined, { cause: err });
        throw classifyGeminiError(err, { apiKey: config.apiKey, timeoutMs: config.timeoutMs });
      }
      let parsed: z.infer<typeof replySchema>;
      try {
        parsed = replySchema.parse(JSON.parse(text));
      } catch (err) {
        throw classifyGeminiError(new MalformedReplyError("reply is not the JSON asked for", { cause: err }));
      }
      const fallback = writeLocalStoryboard(shots, opts);
      const clean = (s: string, max: number) => {
        const flat = s.replace(/\s+/g, " ").trim();
        return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
      };
      return {
        title: clean(opts.title?.trim() || parsed.title || fallback.title, MAX_TITLE_CHARS),
        captions: shots.map((s, i) => ({ mediaId: s.mediaId, caption: clean(parsed.captions[i] || fallback.captions[i].caption, MAX_CAPTION_CHARS) })),
        writer: name,
      };
    },
  };
}

export type StoryboardWriter = {
  name: string;
  write(shots: readonly ShotFacts[], opts: { style: VlogStyle; title?: string | null }, signal?: AbortSignal): Promise<WrittenStoryboard>;
};

export const localWriter: StoryboardWriter = {
  name: "local",
  write: async (shots, opts) => writeLocalStoryboard(shots, opts),
};
