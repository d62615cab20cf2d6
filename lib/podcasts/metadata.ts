// metadata.json, stored beside each episode: the seed's fields (title, summary, transcript,
// duration_seconds, keywords, in its snake_case) plus where the episode came from, what was
// published, its loudness before and after, and which model wrote the text. Pure: the
// caller gathers the facts, this shapes and bounds them.
import path from "node:path";
import type { Chapter } from "./chapters";
import { normaliseChapters } from "./chapters";
import type { LoudnessMeasurement, LoudnessTargets } from "./loudness";
import { toPlainText, type TranscriptSegment } from "./transcript";

export interface EpisodeMetadataInput {
  title: string;
  summary: string | null;
  keywords: readonly string[];
  /** From ffprobe (the published file's, once there is one), not from a model. */
  durationSeconds: number;
  /** Segments, or null with the reason there are none. */
  transcript: readonly TranscriptSegment[] | null;
  transcriptUnavailableReason?: string | null;
  language?: string | null;
  chapters?: readonly Chapter[];
  source: { fileName: string; sizeBytes: number; mime?: string; codec?: string; sampleRate?: number; channels?: number; bitRate?: number | null };
  /** The published MP3, once encoded. */
  output?: { sizeBytes: number; mime?: string; bitrateKbps?: number; channels?: number; sampleRate?: number } | null;
  loudness: { target: LoudnessTargets; before: LoudnessMeasurement | null; after?: LoudnessMeasurement | null };
  /** The model that wrote title/summary/transcript ("gemini-2.5-flash"), or "local". */
  model: string;
  generatedAt?: Date;
}

type Loudness = { integrated_lufs: number | null; true_peak_dbtp: number | null; lra: number } | null;

export interface EpisodeMetadata {
  title: string;
  summary: string | null;
  transcript: string | null;
  transcript_unavailable_reason?: string;
  duration_seconds: number;
  keywords: string[];
  language: string | null;
  chapters: { start_time: number; title: string }[];
  source: { file_name: string; size_bytes: number; mime: string | null; codec: string | null; sample_rate: number | null; channels: number | null; bit_rate: number | null };
  output: { size_bytes: number; mime: string; bitrate_kbps: number | null; channels: number | null; sample_rate: number | null } | null;
  loudness: {
    target: { integrated_lufs: number; true_peak_dbtp: number; lra: number };
    before: Loudness;
    after: Loudness;
  };
  model: string;
  generated_at: string;
}

export const MAX_KEYWORDS = 20;

export function buildEpisodeMetadata(input: EpisodeMetadataInput): EpisodeMetadata {
  const transcript = input.transcript && input.transcript.length > 0 ? toPlainText(input.transcript) : null;
  const reason = transcript === null ? oneLine(input.transcriptUnavailableReason ?? "") || "There is no transcript." : null;
  const t = input.loudness.target;
  return {
    title: oneLine(input.title),
    summary: input.summary?.trim() || null,
    transcript,
    ...(reason ? { transcript_unavailable_reason: reason } : {}),
    duration_seconds: Math.round(input.durationSeconds),
    keywords: cleanKeywords(input.keywords),
    language: input.language?.trim() || null,
    chapters: normaliseChapters(input.chapters ?? [], input.durationSeconds).map((c) => ({ start_time: c.startTime, title: c.title })),
    source: {
      file_name: safeFileName(input.source.fileName),
      size_bytes: input.source.sizeBytes,
      mime: input.source.mime ?? null,
      codec: input.source.codec ?? null,
      sample_rate: input.source.sampleRate ?? null,
      channels: input.source.channels ?? null,
      bit_rate: input.source.bitRate ?? null,
    },
    output: input.output
      ? {
          size_bytes: input.output.sizeBytes,
          mime: input.output.mime ?? "audio/mpeg",
          bitrate_kbps: input.output.bitrateKbps ?? null,
          channels: input.output.channels ?? null,
          sample_rate: input.output.sampleRate ?? null,
        }
      : null,
    loudness: {
      target: { integrated_lufs: t.integratedLufs, true_peak_dbtp: t.truePeakDbtp, lra: t.lra },
      before: loudness(input.loudness.before),
      after: loudness(input.loudness.after ?? null),
    },
    model: input.model,
    generated_at: (input.generatedAt ?? new Date()).toISOString(),
  };
}

/** metadata.json's bytes: pretty-printed UTF-8 with a final newline. */
export function episodeMetadataJson(input: EpisodeMetadataInput): string {
  return JSON.stringify(buildEpisodeMetadata(input), null, 2) + "\n";
}

/** Keywords trimmed, one line, at most 50 characters, de-duplicated ignoring case, at most 20. */
export function cleanKeywords(keywords: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of keywords) {
    const word = [...oneLine(k)].slice(0, 50).join("");
    const key = word.toLocaleLowerCase();
    if (!word || seen.has(key)) continue;
    seen.add(key);
    out.push(word);
    if (out.length >= MAX_KEYWORDS) break;
  }
  return out;
}

function loudness(m: LoudnessMeasurement | null): Loudness {
  return m ? { integrated_lufs: m.integratedLufs, true_peak_dbtp: m.truePeakDbtp, lra: m.lra } : null;
}

/** The name the uploader's browser sent, without any folder part or control characters. */
function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = path.posix.basename(name.replace(/\\/g, "/")).replace(/[\u0000-\u001f\u007f]/g, "");
  return [...base].slice(0, 255).join("") || "upload";
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
