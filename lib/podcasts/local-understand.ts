// The keyless "understand" step: what can be said about an episode without an AI service,
// and nothing more. Title from the file's tags or its cleaned-up file name; a summary only
// if the tags carry one; chapters where long pauses end; no keywords; and no transcript,
// said plainly, because no offline speech recogniser that installs here reaches a usable
// word error rate (docs/podcasts-local-speech.md). Never invented text.
import path from "node:path";
import type { Chapter } from "./chapters";
import type { AudioTags } from "./probe";
import { chaptersFromSilences, type ChapterPlacement, type Silence } from "./silence";
import type { TranscriptSegment } from "./transcript";

export interface Understanding {
  title: string;
  summary: string | null;
  /** HTML show notes; null when there are none. */
  showNotes: string | null;
  keywords: string[];
  /** Empty, or at least two chapters (one chapter says nothing). */
  chapters: Chapter[];
  transcript: TranscriptSegment[] | null;
  /** Why `transcript` is null, for the person reading the episode. */
  transcriptUnavailableReason: string | null;
  language: string | null;
  /** The model that wrote this, or "local". */
  model: string;
  /** True when the recording is silence only: the caller says "no speech found". */
  noSpeech: boolean;
}

export interface LocalUnderstandInput {
  /** The name the file was uploaded with. */
  fileName: string;
  tags: AudioTags;
  durationSeconds: number;
  silences: readonly Silence[];
  silenceOnly: boolean;
  chapterPlacement?: ChapterPlacement;
}

export const NO_RECOGNISER = "No offline speech recogniser is installed, so there is no transcript.";
export const NO_SPEECH = "No speech was found in this recording.";

export function understandLocally(input: LocalUnderstandInput): Understanding {
  const starts = input.silenceOnly ? [0] : chaptersFromSilences(input.silences, input.durationSeconds, input.chapterPlacement);
  return {
    title: input.tags.title?.trim() || titleFromFileName(input.fileName),
    summary: input.tags.comment?.trim() || null,
    showNotes: null,
    keywords: [],
    chapters: starts.length > 1 ? starts.map((startTime, i) => ({ startTime, title: `Chapter ${i + 1}` })) : [],
    transcript: null,
    transcriptUnavailableReason: input.silenceOnly ? NO_SPEECH : NO_RECOGNISER,
    language: null,
    model: "local",
    noSpeech: input.silenceOnly,
  };
}

/**
 * A title from an uploaded file's name: no folders or extension, separators as spaces,
 * copy markers ("(1)", "copy", "final") dropped, first letter capitalised. Names with no
 * words in them (a camera's "REC_0001", a hash) give "Untitled episode".
 */
export function titleFromFileName(fileName: string): string {
  const base = path.posix.basename(fileName.replace(/\\/g, "/"));
  const stem = base.replace(/\.[A-Za-z0-9]{1,5}$/, "");
  const words = stem
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/[_.]+/g, " ")
    .replace(/(?<=\S)-(?=\S)/g, " ")
    .replace(/\s*\(\d+\)\s*$/, "")
    .replace(/\s+(copy|final|edit|master)(\s+\d+)?$/i, "")
    .replace(/\s+/g, " ")
    .trim();
  const letters = words.replace(/[^\p{L}]/gu, "");
  const looksGenerated = /^[0-9a-f]{8}\s?[0-9a-f]{4}\s?[0-9a-f]{4}\s?[0-9a-f]{4}\s?[0-9a-f]{12}$/i.test(words) || /^[0-9a-f\s]{16,}$/i.test(words) || /^(rec|audio|track|zoom|dji)\s?\d*$/i.test(words);
  if (letters.length < 2 || looksGenerated) return "Untitled episode";
  return [...(words.charAt(0).toLocaleUpperCase() + words.slice(1))].slice(0, 200).join("");
}
