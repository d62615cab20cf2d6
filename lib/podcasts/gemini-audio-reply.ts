// What Gemini is asked to return about a piece of audio, and the check of what it did
// return. The model is held to a schema (responseSchema, as photos do); the reply is still
// checked, because a schema guides the model but does not bind it. Times come back as
// "MM:SS" text (the form Google documents for audio timestamps) or as seconds; both are read.
// Nothing is made up where the reply is silent: an empty summary stays null.
import { Type, type GenerateContentResponse, type Schema } from "@google/genai";
import { z } from "zod";
import { AiError, MalformedReplyError } from "@/lib/ai/errors";
import { GEMINI_REFUSALS } from "@/lib/ai/gemini";
import type { Chapter } from "./chapters";
import type { TranscriptSegment } from "./transcript";

/** One piece's reply; times in seconds from the start of that piece. */
export interface AudioReply {
  title: string;
  summary: string | null;
  showNotes: string | null;
  keywords: string[];
  chapters: Chapter[];
  transcript: TranscriptSegment[];
  language: string | null;
}

/** The text-only reply that writes the episode's texts from a merged transcript. */
export type TextsReply = Pick<AudioReply, "title" | "summary" | "showNotes" | "keywords">;

const STRING: Schema = { type: Type.STRING };

const TEXT_PROPERTIES: Record<string, Schema> = {
  title: STRING,
  summary: STRING,
  showNotes: STRING,
  keywords: { type: Type.ARRAY, items: STRING },
};

export const AUDIO_RESPONSE_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: {
    ...TEXT_PROPERTIES,
    language: STRING,
    chapters: {
      type: Type.ARRAY,
      items: { type: Type.OBJECT, properties: { startTime: STRING, title: STRING }, required: ["startTime", "title"], propertyOrdering: ["startTime", "title"] },
    },
    transcript: {
      type: Type.ARRAY,
      items: {
        type: Type.OBJECT,
        properties: { start: STRING, end: STRING, speaker: STRING, text: STRING },
        required: ["start", "end", "text"],
        propertyOrdering: ["start", "end", "speaker", "text"],
      },
    },
  },
  required: ["title", "summary", "showNotes", "keywords", "chapters", "transcript", "language"],
  // The transcript first: the texts about the episode are then written having "heard" it.
  propertyOrdering: ["language", "transcript", "chapters", "title", "summary", "showNotes", "keywords"],
};

export const TEXTS_RESPONSE_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: TEXT_PROPERTIES,
  required: ["title", "summary", "showNotes", "keywords"],
  propertyOrdering: ["title", "summary", "showNotes", "keywords"],
};

/**
 * Seconds from "H:MM:SS", "MM:SS" or "SS" (each with optional fractions, "," or "."), or
 * from a number; NaN for anything else.
 */
export function parseTimestamp(value: unknown): number {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : NaN;
  if (typeof value !== "string") return NaN;
  const text = value.trim().replace(",", ".");
  const m = /^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)s?$/.exec(text);
  if (!m) return NaN;
  const [hours, minutes, seconds] = [Number(m[1] ?? 0), Number(m[2] ?? 0), Number(m[3])];
  if (m[2] !== undefined && seconds >= 60) return NaN;
  return hours * 3600 + minutes * 60 + seconds;
}

const text = z.string().nullish().transform((s) => s?.trim() ?? "");
const time = z.union([z.string(), z.number()]).nullish();

const textsSchema = z.object({
  title: text,
  summary: text,
  showNotes: text,
  keywords: z.array(z.string()).nullish().transform((k) => (k ?? []).map((s) => s.replace(/\s+/g, " ").trim()).filter(Boolean)),
});

const audioSchema = textsSchema.extend({
  language: text,
  chapters: z.array(z.object({ startTime: time, title: text })).nullish(),
  // The one field that must be there: without it the reply says nothing about the audio.
  transcript: z.array(z.object({ start: time, end: time, speaker: text, text })),
});

/** The reply to one piece of audio, or MalformedReplyError / a permanent AiError (refusal). */
export function parseAudioReply(response: GenerateContentResponse, pieceSeconds: number): AudioReply {
  const raw = audioSchema.safeParse(replyJson(response));
  if (!raw.success) throw new MalformedReplyError(issues(raw.error));
  const r = raw.data;
  const transcript: TranscriptSegment[] = [];
  let unreadable = 0;
  for (const s of r.transcript) {
    const start = parseTimestamp(s.start);
    let end = parseTimestamp(s.end);
    if (!s.text) continue;
    // A time past the end of the piece is not a place in this audio: the segment cannot be placed.
    if (!Number.isFinite(start) || start > pieceSeconds + 1) {
      unreadable++;
      continue;
    }
    if (!Number.isFinite(end) || end <= start) end = start + 0.001;
    transcript.push({ start: Math.min(start, pieceSeconds), end: Math.min(end, Math.max(pieceSeconds, start + 0.001)), speaker: s.speaker || null, text: s.text });
  }
  // A few stray times are dropped; a transcript that cannot be placed in time at all is not a reply.
  if (unreadable > 0 && unreadable >= r.transcript.length / 2) {
    throw new MalformedReplyError(`${unreadable} of ${r.transcript.length} transcript segments have no usable time`);
  }
  const chapters = (r.chapters ?? [])
    .map((c) => ({ startTime: parseTimestamp(c.startTime), title: c.title }))
    .filter((c) => Number.isFinite(c.startTime) && c.startTime < Math.max(pieceSeconds, 1) && c.title);
  return {
    ...texts(r),
    language: cleanLanguage(r.language),
    chapters,
    transcript: transcript.sort((a, b) => a.start - b.start),
  };
}

/** The reply of the text-only call. */
export function parseTextsReply(response: GenerateContentResponse): TextsReply {
  const raw = textsSchema.safeParse(replyJson(response));
  if (!raw.success) throw new MalformedReplyError(issues(raw.error));
  return texts(raw.data);
}

function texts(r: z.infer<typeof textsSchema>): TextsReply {
  return { title: r.title, summary: r.summary || null, showNotes: r.showNotes || null, keywords: r.keywords };
}

/** A BCP 47 tag as the model wrote it ("en", "en-US", "pt-BR"), or null when it is not one. */
export function cleanLanguage(value: string): string | null {
  const tag = value.trim().replace(/_/g, "-");
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) return null;
  const [primary, ...rest] = tag.split("-");
  return [primary.toLowerCase(), ...rest.map((p) => (p.length === 2 ? p.toUpperCase() : p))].join("-");
}

function replyJson(response: GenerateContentResponse): unknown {
  const refusal = response.promptFeedback?.blockReason ?? response.candidates?.[0]?.finishReason;
  if (refusal && GEMINI_REFUSALS.has(refusal)) {
    throw new AiError("permanent", `Gemini declined to listen to this recording (${refusal})`);
  }
  const body = response.text;
  if (!body) throw new MalformedReplyError("no text in the reply");
  try {
    return JSON.parse(body);
  } catch (err) {
    // MAX_TOKENS cuts the JSON short; say so, since asking again gives the same length.
    const cut = response.candidates?.[0]?.finishReason === "MAX_TOKENS" ? " (cut short at the output limit)" : "";
    throw new MalformedReplyError(`reply is not JSON${cut}`, { cause: err });
  }
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".")}: ${i.message}`)
    .join("; ");
}
