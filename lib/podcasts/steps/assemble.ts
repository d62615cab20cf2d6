// Analyse → assemble: puts what was understood into the shape the review and the feed need
// — chapters cleaned and within the recording, transcript segments in order, keywords
// de-duplicated, notes sanitised — and renders every published document once (WebVTT, SRT,
// JSON transcript, Podcasting 2.0 chapters, metadata.json) so a problem shows now, not at
// publish. The files themselves are written at publish (store), from the reviewed fields.
// A recording with no speech stops here for good, even on a show that publishes by itself.
import { Prisma } from "@/lib/generated/prisma/client";
import type { Json } from "@/lib/workflow/types";
import { normaliseChapters, toChaptersJson, type Chapter } from "../chapters";
import { titleFromFileName } from "../local-understand";
import { PODCAST_LOUDNESS, type LoudnessMeasurement } from "../loudness";
import { cleanKeywords, episodeMetadataJson } from "../metadata";
import { updateEpisode } from "../repository";
import { sanitiseShowNotes } from "../show-notes";
import { normaliseSegments, toSrt, toTranscriptJson, toWebVtt, type TranscriptSegment } from "../transcript";
import { loadEpisode, type EpisodeCtx, type EpisodeStepDeps } from "./deps";
import type { ProbeOutput } from "./probe";

export const MAX_TITLE_CHARS = 200;

export async function assembleStep(deps: EpisodeStepDeps, ctx: EpisodeCtx): Promise<Json> {
  const { episode } = await loadEpisode(deps, ctx);
  const probe = ctx.outputs.analyse?.probe as unknown as ProbeOutput;
  const duration = episode.durationSec ?? probe.durationSeconds;
  const title = [...(episode.title?.replace(/\s+/g, " ").trim() || titleFromFileName(episode.originalName))].slice(0, MAX_TITLE_CHARS).join("");
  const chapters = normaliseChapters((episode.chapters as unknown as Chapter[] | null) ?? [], duration);
  const segments = episode.transcript ? normaliseSegments(episode.transcript as unknown as TranscriptSegment[]) : null;
  const transcript = segments && segments.length > 0 ? segments : null;
  const keywords = cleanKeywords(episode.keywords);
  const showNotes = episode.showNotes ? sanitiseShowNotes(episode.showNotes) || null : null;

  const sizes: Record<string, number> = {};
  const size = (name: string, text: string) => (sizes[name] = Buffer.byteLength(text));
  if (transcript) {
    size("vtt", toWebVtt(transcript));
    size("srt", toSrt(transcript));
    size("json", JSON.stringify(toTranscriptJson(transcript)));
  }
  if (chapters.length > 0) size("chapters", JSON.stringify(toChaptersJson(chapters, duration)));
  size(
    "metadata",
    episodeMetadataJson({
      title,
      summary: episode.summary,
      keywords,
      durationSeconds: duration,
      transcript,
      transcriptUnavailableReason: episode.transcriptNote,
      language: episode.language,
      chapters,
      source: { fileName: episode.originalName, sizeBytes: Number(episode.sourceBytes), mime: episode.sourceMime },
      loudness: { target: PODCAST_LOUDNESS, before: ((episode.loudness as { before?: LoudnessMeasurement } | null)?.before ?? null) },
      model: episode.model ?? "local",
    }),
  );

  await updateEpisode(deps.db, episode.id, {
    title,
    chapters: chapters as unknown as Prisma.InputJsonValue,
    transcript: transcript ? (transcript as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
    keywords,
    showNotes,
  });
  // Silence is never published by itself: the person sees "no speech found" and decides.
  if (probe.silenceOnly) await ctx.stopAtNextPhase();
  return { title, chapters: chapters.length, transcriptSegments: transcript?.length ?? 0, bytes: sizes, noSpeech: probe.silenceOnly };
}
