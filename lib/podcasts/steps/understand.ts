// Analyse → understand: who writes the title, summary, notes, keywords, chapters and
// transcript (lib/podcasts/understand.ts chooses: the local path, or Gemini when plugged in
// and configured). What it writes fills the episode's review fields that are still empty;
// anything the person already typed (e.g. before a Resume) is kept.
import { Prisma } from "@/lib/generated/prisma/client";
import type { Json } from "@/lib/workflow/types";
import { updateEpisode } from "../repository";
import { sanitiseShowNotes } from "../show-notes";
import { loadEpisode, reporter, withLocalCopy, type EpisodeCtx, type EpisodeStepDeps } from "./deps";
import type { ProbeOutput } from "./probe";

export async function understandStep(deps: EpisodeStepDeps, ctx: EpisodeCtx): Promise<Json> {
  const { episode, show } = await loadEpisode(deps, ctx);
  const probe = ctx.outputs.analyse?.probe as unknown as ProbeOutput;
  const provider = deps.understand;
  await ctx.progress(0.02, provider.name === "local" ? "Reading tags and pauses" : "Listening to the recording");
  const understood = await withLocalCopy(
    deps.storage,
    episode.sourceKey,
    deps.tmpDir,
    (file) =>
      provider.understand({
        file,
        fileName: episode.originalName,
        mime: episode.sourceMime,
        tags: probe.tags,
        durationSeconds: probe.durationSeconds,
        silences: probe.silences,
        silenceOnly: probe.silenceOnly,
        language: show.language,
        signal: ctx.signal,
        onProgress: reporter(ctx, 0.05, 0.95, (f) => `Listening: ${Math.floor(f * 100)}%`),
      }),
    ctx.signal,
  );

  const chapters = (episode.chapters as unknown[] | null) ?? [];
  await updateEpisode(deps.db, episode.id, {
    title: episode.title ?? understood.title,
    summary: episode.summary ?? understood.summary,
    showNotes: episode.showNotes ?? (understood.showNotes ? sanitiseShowNotes(understood.showNotes) : null),
    keywords: episode.keywords.length > 0 ? episode.keywords : understood.keywords,
    chapters: chapters.length > 0 ? (episode.chapters as Prisma.InputJsonValue) : (understood.chapters as unknown as Prisma.InputJsonValue),
    transcript: understood.transcript ? (understood.transcript as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
    transcriptNote: understood.transcript ? null : understood.transcriptUnavailableReason,
    language: understood.language ?? episode.language,
    model: understood.model,
  });
  return {
    model: understood.model,
    title: understood.title,
    chapters: understood.chapters.length,
    transcriptSegments: understood.transcript?.length ?? 0,
    noSpeech: understood.noSpeech,
  };
}
