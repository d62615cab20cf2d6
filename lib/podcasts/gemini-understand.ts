// The understand step with a Gemini key: the recording goes to Gemini (@google/genai) and
// comes back as the same Understanding the keyless path gives, plus a timed transcript
// with speakers. Long recordings are cut into overlapping pieces (audio-chunks.ts), each
// piece heard on its own and the replies merged in the recording's time (merge-pieces.ts);
// the episode's texts are then written from the merged transcript by one cheap text-only
// call. Pieces go inline when small and through the Files API otherwise (gemini-files.ts).
//
// Failures are AiErrors classified as for photo captions (lib/ai/gemini-errors.ts), so the
// worker treats them alike. Within one run, to keep the pieces already heard: a malformed
// reply is asked again once; an outage (5xx, network, timeout) is retried once after a
// short pause; a 429 waits Gemini's retryDelay (recorded in the shared circuit, so every
// worker holds off) when it is short, and otherwise fails as rate limited with that delay.
// Daily quota and refusals fail at once.
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GoogleGenAI, type GenerateContentResponse, type Part } from "@google/genai";
import type { Circuit } from "@/lib/ai/circuit";
import { AiError, isMalformedReply } from "@/lib/ai/errors";
import { classifyGeminiError } from "@/lib/ai/gemini-errors";
import { gatedFetch } from "@/lib/ai/provider-gate";
import { COMPACT_MIME, cutCompactPiece, planChunks, writeCompactAudio, type ChunkPlan } from "./audio-chunks";
import { AUDIO_RESPONSE_SCHEMA, parseAudioReply, parseTextsReply, TEXTS_RESPONSE_SCHEMA, type TextsReply } from "./gemini-audio-reply";
import { withUploadedAudio } from "./gemini-files";
import { titleFromFileName, type Understanding } from "./local-understand";
import { combinePieceTexts, mergePieces, type Piece } from "./merge-pieces";
import { cleanKeywords } from "./metadata";
import { vttTime, type TranscriptSegment } from "./transcript";

export interface GeminiUnderstandOptions {
  apiKey: string;
  model: string;
  /** Overrides the endpoint (tests point it at a stub on 127.0.0.1). */
  baseUrl?: string;
  /** Per request. Hearing a 20-minute piece takes Gemini a minute or more. */
  timeoutMs: number;
  /** The probed duration: where the pieces fall. */
  durationSeconds: number;
  /** The recording's type (audio/mpeg, audio/wav, …). */
  mime: string;
  signal?: AbortSignal;
  /** Longest piece sent at once. Default 20 minutes. */
  chunkSeconds?: number;
  /** How much consecutive pieces share. Default 30 s. */
  overlapSeconds?: number;
  /** Shared across workers: a 429's retryDelay holds every process (lib/ai/circuit.ts). */
  circuit?: Circuit;
  /** The circuit's provider name; default "gemini", the one photo captions and AI jobs use. */
  circuitName?: string;
  /** Pieces up to this many bytes go inline, larger ones by the Files API. Default 14 MiB. */
  inlineMaxBytes?: number;
  /** A 429 whose delay is at most this is waited out here; longer ones fail the run. Default 60 s. */
  maxRateLimitWaitMs?: number;
  /** Pause before retrying an outage. Default 2 s. */
  retryPauseMs?: number;
  /** Files API: between checks of an upload still PROCESSING. Default 2 s. */
  filePollMs?: number;
  ffmpeg?: string;
  /** Where compact pieces are written (and removed). Default the OS temp folder. */
  tmpDir?: string;
  /** The uploaded file's name: the title when the model gives none. */
  fileName?: string;
  /** The show's language (BCP 47), a hint. */
  language?: string;
  /** 0..1, after each piece. */
  onProgress?: (fraction: number) => void;
}

export interface GeminiUnderstanding extends Understanding {
  /** Tokens over every request of the run (thinking tokens count as output). */
  usage: { inputTokens: number; outputTokens: number };
}

export const DEFAULT_CHUNK_SECONDS = 20 * 60;
export const DEFAULT_OVERLAP_SECONDS = 30;
/**
 * Gemini refuses requests over 20 MB, and inline audio travels as base64 (4 bytes for 3):
 * 14 MiB of audio is 19.6 MB of request, with room for the prompt. Anything larger goes
 * by the Files API.
 */
export const DEFAULT_INLINE_MAX_BYTES = 14 * 1024 * 1024;
export const NO_SPEECH_HEARD = "Gemini heard no speech in this recording.";

/** Types Gemini takes as they are; anything else (M4A, Opus) is re-encoded first. */
const SENDABLE: Record<string, string> = {
  "audio/mpeg": "audio/mp3",
  "audio/mp3": "audio/mp3",
  "audio/wav": "audio/wav",
  "audio/x-wav": "audio/wav",
  "audio/aiff": "audio/aiff",
  "audio/aac": "audio/aac",
  "audio/flac": "audio/flac",
};

/** Most of a transcript the text-only call reads (about 100k tokens). */
const MAX_TRANSCRIPT_CHARS = 400_000;
const MAX_RATE_LIMIT_WAITS = 5;

export async function understandWithGemini(file: string, opts: GeminiUnderstandOptions): Promise<GeminiUnderstanding> {
  const { signal } = opts;
  const client = new GoogleGenAI({
    apiKey: opts.apiKey,
    vertexai: false,
    // Retries are ours (below) and BullMQ's, as for photos (lib/ai/gemini.ts).
    httpOptions: {
      baseUrl: opts.baseUrl,
      timeout: opts.timeoutMs,
      retryOptions: { attempts: 1 },
      // Every request (the Files API's too) waits for Gemini's 429 delay across processes.
      ...(opts.circuit ? { fetch: gatedFetch({ circuit: opts.circuit, provider: opts.circuitName ?? "gemini" }) } : {}),
    },
  });
  const usage = { inputTokens: 0, outputTokens: 0 };
  const call = createCaller(opts);
  const plan = planChunks(opts.durationSeconds, opts.chunkSeconds ?? DEFAULT_CHUNK_SECONDS, opts.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS);
  // Progress: (the compact copy,) each piece, (the texts).
  const steps = plan.length > 1 ? plan.length + 2 : 1;
  const tmp = await mkdtemp(path.join(opts.tmpDir ?? os.tmpdir(), "framecast-gemini-"));
  try {
    let compact: string | undefined;
    if (plan.length > 1) {
      compact = path.join(tmp, "compact.mp3");
      await writeCompactAudio(file, compact, { ffmpeg: opts.ffmpeg ?? "ffmpeg", signal, durationSeconds: opts.durationSeconds, onProgress: (f) => opts.onProgress?.(f / steps) });
    }
    const pieces: Piece[] = [];
    for (const chunk of plan) {
      signal?.throwIfAborted();
      const source = compact ? await cutPiece(compact, chunk, tmp, opts) : await prepareWhole(file, tmp, opts);
      const prompt = piecePrompt(chunk, plan.length, opts, mergedSoFar(pieces, opts.durationSeconds));
      const reply = await withAudioPart(client, source, opts, call, (part) =>
        call(async () => {
          const response = await generate(client, opts, [part, { text: prompt }], AUDIO_RESPONSE_SCHEMA, usage);
          return parseAudioReply(response, chunk.end - chunk.start);
        }),
      );
      if (source.compact) await rm(source.path, { force: true });
      pieces.push({ start: chunk.start, end: chunk.end, reply });
      opts.onProgress?.((pieces.length + (compact ? 1 : 0)) / steps);
    }

    const merged = mergePieces(pieces, opts.durationSeconds);
    const texts: TextsReply = plan.length === 1 ? pieces[0].reply : await episodeTexts(client, opts, call, usage, pieces, merged.transcript, merged.chapters);
    opts.onProgress?.(1);
    const heard = merged.transcript.length > 0;
    return {
      title: texts.title || (opts.fileName ? titleFromFileName(opts.fileName) : "Untitled episode"),
      summary: texts.summary,
      showNotes: texts.showNotes,
      keywords: cleanKeywords(texts.keywords),
      chapters: merged.chapters,
      transcript: heard ? merged.transcript : null,
      transcriptUnavailableReason: heard ? null : NO_SPEECH_HEARD,
      language: merged.language,
      model: `gemini:${opts.model}`,
      noSpeech: !heard,
      usage,
    };
  } catch (err) {
    // The caller (worker shutdown, a superseded run) gave up, not Gemini: say so plainly.
    if (signal?.aborted) throw new AiError("transient", "Gemini request was cancelled", undefined, { cause: err });
    throw err;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

interface AudioSource {
  path: string;
  mime: string;
  bytes: number;
  /** A copy made here (removed after use), not the caller's file. */
  compact: boolean;
}

/**
 * A recording heard in one piece: the file itself when Gemini takes its type and it is
 * small enough to go inline (no work, no loss); otherwise its compact copy.
 */
async function prepareWhole(file: string, tmp: string, opts: GeminiUnderstandOptions): Promise<AudioSource> {
  const sendable = SENDABLE[opts.mime.toLowerCase()];
  if (sendable) {
    const { size } = await stat(file);
    if (size <= (opts.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES)) return { path: file, mime: sendable, bytes: size, compact: false };
  }
  const out = path.join(tmp, "whole.mp3");
  await writeCompactAudio(file, out, { ffmpeg: opts.ffmpeg ?? "ffmpeg", signal: opts.signal });
  return { path: out, mime: COMPACT_MIME, bytes: (await stat(out)).size, compact: true };
}

async function cutPiece(compact: string, chunk: ChunkPlan, tmp: string, opts: GeminiUnderstandOptions): Promise<AudioSource> {
  const out = path.join(tmp, `piece-${chunk.index}.mp3`);
  await cutCompactPiece(compact, out, { ffmpeg: opts.ffmpeg ?? "ffmpeg", start: chunk.start, seconds: chunk.end - chunk.start, signal: opts.signal });
  return { path: out, mime: COMPACT_MIME, bytes: (await stat(out)).size, compact: true };
}

type Caller = <T>(fn: () => Promise<T>) => Promise<T>;

async function withAudioPart<T>(client: GoogleGenAI, source: AudioSource, opts: GeminiUnderstandOptions, call: Caller, fn: (part: Part) => Promise<T>): Promise<T> {
  if (source.bytes <= (opts.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES)) {
    const data = (await readFile(source.path)).toString("base64");
    return fn({ inlineData: { mimeType: source.mime, data } });
  }
  // The upload is retried as a whole (a fresh file each time); the request that uses it
  // is retried on its own, without uploading again.
  return call(() =>
    withUploadedAudio(client, source.path, source.mime, { signal: opts.signal, pollMs: opts.filePollMs }, (audio) => fn({ fileData: { fileUri: audio.uri, mimeType: audio.mimeType } })),
  );
}

async function generate(client: GoogleGenAI, opts: GeminiUnderstandOptions, parts: Part[], schema: typeof AUDIO_RESPONSE_SCHEMA, usage: GeminiUnderstanding["usage"]): Promise<GenerateContentResponse> {
  const response = await client.models.generateContent({
    model: opts.model,
    contents: [{ role: "user", parts }],
    config: { responseMimeType: "application/json", responseSchema: schema, abortSignal: opts.signal },
  });
  // Counted before the reply is checked: a malformed reply is billed too.
  const meta = response.usageMetadata ?? {};
  usage.inputTokens += meta.promptTokenCount ?? 0;
  usage.outputTokens += (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  return response;
}

/**
 * Runs one request under the retry rules of this file (see the header). Any failure that
 * is not retried here is thrown as a classified AiError.
 */
function createCaller(opts: GeminiUnderstandOptions): Caller {
  // Errors a call already gave up on: an enclosing call (the Files API upload around the
  // request that uses it) passes them on instead of retrying them again.
  const givenUp = new WeakSet<object>();
  const circuitName = opts.circuitName ?? "gemini";
  const maxWait = opts.maxRateLimitWaitMs ?? 60_000;
  const ctx = { apiKey: opts.apiKey, timeoutMs: opts.timeoutMs };

  /** Another process met a 429 a moment ago: wait out the rest of Gemini's delay, or fail. */
  async function holdForCircuit(): Promise<void> {
    if (!opts.circuit) return;
    const { waitMs } = await opts.circuit.state(circuitName);
    if (waitMs <= 0) return;
    if (waitMs > maxWait) throw new AiError("rate_limited", `Gemini asked us to slow down; trying again in ${Math.ceil(waitMs / 1000)} s`, waitMs);
    await sleep(waitMs, undefined, { signal: opts.signal });
  }

  return async function call<T>(fn: () => Promise<T>): Promise<T> {
    let malformed = 0;
    let outages = 0;
    let waits = 0;
    for (;;) {
      await holdForCircuit();
      try {
        return await fn();
      } catch (err) {
        if (opts.signal?.aborted || (err instanceof Object && givenUp.has(err))) throw err;
        const e = classifyGeminiError(err, ctx);
        const giveUp = () => {
          givenUp.add(e);
          return e;
        };
        if (e.kind === "rate_limited") {
          await opts.circuit?.trip(circuitName, e).catch(() => {});
          const delay = e.retryAfterMs ?? 0;
          if (delay > maxWait || waits >= MAX_RATE_LIMIT_WAITS) throw giveUp();
          waits++;
          await sleep(delay, undefined, { signal: opts.signal });
          continue;
        }
        if (e.kind === "transient" && isMalformedReply(e)) {
          if (malformed++ < 1) continue;
          throw giveUp();
        }
        if (e.kind === "transient" && outages++ < 1) {
          await sleep(opts.retryPauseMs ?? 2_000, undefined, { signal: opts.signal });
          continue;
        }
        throw giveUp();
      }
    }
  };
}

/**
 * Title, summary, show notes and keywords for a recording heard in pieces, written from
 * the whole merged transcript. If that call fails, the pieces' own texts are combined
 * (merge-pieces.ts) rather than losing every piece already heard; an abort still aborts.
 */
async function episodeTexts(
  client: GoogleGenAI,
  opts: GeminiUnderstandOptions,
  call: Caller,
  usage: GeminiUnderstanding["usage"],
  pieces: readonly Piece[],
  transcript: readonly TranscriptSegment[],
  chapters: readonly { startTime: number; title: string }[],
): Promise<TextsReply> {
  const own = combinePieceTexts(pieces.map((p) => p.reply));
  if (transcript.length === 0) return own;
  const lines = transcript.map((s) => `[${clock(s.start)}] ${s.speaker ? `${s.speaker}: ` : ""}${s.text.replace(/\n/g, " ")}`);
  let text = lines.join("\n");
  if (text.length > MAX_TRANSCRIPT_CHARS) text = `${text.slice(0, MAX_TRANSCRIPT_CHARS)}\n[…the transcript goes on]`;
  const prompt = [
    `Below is the full transcript of a podcast episode (${clock(opts.durationSeconds)} long), heard in ${pieces.length} parts, with its chapters and what was said about each part.`,
    "Write for the whole episode, in the language it is spoken in, using only what the transcript says (do not invent names, facts or links):",
    TEXT_INSTRUCTIONS,
    "",
    "Chapters:",
    ...chapters.map((c) => `${clock(c.startTime)} ${c.title}`),
    "",
    "Parts:",
    ...pieces.map((p, i) => `Part ${i + 1} (${clock(p.start)}–${clock(p.end)}): ${p.reply.summary ?? ""}`),
    "",
    "Transcript:",
    text,
  ].join("\n");
  try {
    const texts = await call(async () => parseTextsReply(await generate(client, opts, [{ text: prompt }], TEXTS_RESPONSE_SCHEMA, usage)));
    return {
      title: texts.title || own.title,
      summary: texts.summary ?? own.summary,
      showNotes: texts.showNotes ?? own.showNotes,
      keywords: texts.keywords.length > 0 ? texts.keywords : own.keywords,
    };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    return own;
  }
}

const TEXT_INSTRUCTIONS = [
  "- title: a short episode title (at most 100 characters), no quotes.",
  "- summary: two to four plain sentences on what the episode is about.",
  "- showNotes: show notes as simple HTML (<p>, <ul>, <li>, <strong>, <em>; links only if they are spoken), covering the main points in order.",
  "- keywords: 3 to 10 short search keywords.",
].join("\n");

/** The prompt for one piece; `before` is the transcript merged so far (speaker labels, context). */
function piecePrompt(chunk: ChunkPlan, count: number, opts: GeminiUnderstandOptions, before: TranscriptSegment[]): string {
  const whole = count === 1;
  const lines = [
    whole
      ? "This is the audio of a podcast episode."
      : `This is part ${chunk.index + 1} of ${count} of a podcast episode: the audio from ${clock(chunk.start)} to ${clock(chunk.end)} of the episode. It overlaps the parts next to it by ${opts.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS} seconds.`,
    opts.language ? `The show's language is ${opts.language}; transcribe in the language actually spoken.` : "",
    "Return:",
    `- transcript: every spoken word, verbatim, as segments of one sentence or a short passage (at most 30 seconds each). start and end are times as MM:SS (or H:MM:SS) from the start of ${whole ? "this audio" : "THIS part's audio (its first second is 00:00)"}.`,
    "- speaker: the person's name if the recording says it (for example when they introduce themselves or are addressed), otherwise Speaker 1, Speaker 2, … in order of first appearance.",
    `- chapters: where the topic clearly changes, with startTime (MM:SS from the start of ${whole ? "this audio" : "this part"}) and a short title.`,
    `- language: the BCP 47 code of the main spoken language (for example en, en-US, de).`,
    whole ? TEXT_INSTRUCTIONS : "- title, summary, showNotes, keywords: as below, for this part only.\n" + TEXT_INSTRUCTIONS,
    "Use only what is said in the audio; do not invent names, facts or links. If nothing is spoken, return an empty transcript and empty texts.",
  ];
  const speakers = [...new Set(before.map((s) => s.speaker).filter(Boolean))];
  if (speakers.length > 0) lines.push(`Speakers so far: ${speakers.join(", ")}. Use the same labels for the same voices.`);
  if (before.length > 0) {
    lines.push("The previous part ended with:", ...before.slice(-3).map((s) => `${s.speaker ? `${s.speaker}: ` : ""}${s.text.replace(/\n/g, " ")}`));
  }
  return lines.filter(Boolean).join("\n");
}

/** What has been merged so far, for the next piece's prompt. */
function mergedSoFar(pieces: readonly Piece[], durationSeconds: number): TranscriptSegment[] {
  return pieces.length === 0 ? [] : mergePieces(pieces, durationSeconds).transcript;
}

/** H:MM:SS, or MM:SS under an hour. */
function clock(seconds: number): string {
  const t = vttTime(seconds).slice(0, 8);
  return t.startsWith("00:") ? t.slice(3) : t;
}
