// Publish → store: the episode's documents, rendered from its reviewed fields, under
// podcasts/<showId>/<episodeId>/g<generation>/ through the storage interface, each with its
// Content-Type and an immutable Cache-Control (its name changes whenever its bytes would):
// WebVTT, SRT and JSON transcripts, Podcasting 2.0 chapters, metadata.json. The MP3 is
// already there (encode), and the episode's cover too (probe). Nothing is visible to
// listeners until the feed step points the episode at these files.
import type { Json } from "@/lib/workflow/types";
import { toChaptersJson, type Chapter } from "../chapters";
import { CONTENT_TYPES, IMMUTABLE, publishedKey, type PublishedFile } from "../keys";
import { PODCAST_LOUDNESS, type LoudnessMeasurement } from "../loudness";
import { episodeMetadataJson } from "../metadata";
import { getEpisode } from "../repository";
import { toSrt, toTranscriptJson, toWebVtt, type TranscriptSegment } from "../transcript";
import type { EpisodeFiles } from "../urls";
import { loadEpisode, type EpisodeCtx, type EpisodeStepDeps } from "./deps";
import type { EncodeOutput } from "./encode";
import type { ProbeOutput } from "./probe";

export interface StoreOutput {
  audioKey: string;
  audioBytes: number;
  durationSeconds: number;
  files: EpisodeFiles;
}

export async function storeStep(deps: EpisodeStepDeps, ctx: EpisodeCtx): Promise<Json> {
  const { episode, show } = await loadEpisode(deps, ctx);
  const probe = ctx.outputs.analyse?.probe as unknown as ProbeOutput;
  const encoded = ctx.outputs.publish?.encode as unknown as EncodeOutput;
  const transcript = (episode.transcript as unknown as TranscriptSegment[] | null) ?? null;
  const chapters = (episode.chapters as unknown as Chapter[] | null) ?? [];
  const loudness = episode.loudness as { before?: LoudnessMeasurement } | null;

  const documents: [PublishedFile, string][] = [];
  if (transcript && transcript.length > 0) {
    documents.push(["vtt", toWebVtt(transcript)], ["srt", toSrt(transcript)], ["json", JSON.stringify(toTranscriptJson(transcript))]);
  }
  if (chapters.length > 0) documents.push(["chapters", JSON.stringify(toChaptersJson(chapters, encoded.durationSeconds))]);
  documents.push([
    "metadata",
    episodeMetadataJson({
      title: episode.title || episode.originalName,
      summary: episode.summary,
      keywords: episode.keywords,
      durationSeconds: encoded.durationSeconds,
      transcript,
      transcriptUnavailableReason: episode.transcriptNote,
      language: episode.language ?? show.language,
      chapters,
      source: {
        fileName: episode.originalName,
        sizeBytes: Number(episode.sourceBytes),
        mime: episode.sourceMime,
        codec: (episode.probe as { codec?: string } | null)?.codec,
        channels: probe.channels,
      },
      output: { sizeBytes: encoded.bytes, mime: "audio/mpeg", bitrateKbps: encoded.bitrateKbps, channels: encoded.channels, sampleRate: encoded.sampleRate },
      loudness: { target: PODCAST_LOUDNESS, before: loudness?.before ?? null, after: encoded.loudnessAfter },
      model: episode.model ?? "local",
    }),
  ]);

  const files: EpisodeFiles = {};
  for (const [i, [file, text]] of documents.entries()) {
    const key = publishedKey(show.id, episode.id, ctx.run.generation, file);
    await deps.storage.putBuffer(key, Buffer.from(text, "utf8"), CONTENT_TYPES[file], { cacheControl: IMMUTABLE });
    files[file as Exclude<PublishedFile, "audio">] = key;
    await ctx.progress((i + 1) / documents.length, `Stored ${i + 1} of ${documents.length} files`);
  }
  // Deleted while storing: nothing will ever point at these files.
  if (!(await getEpisode(deps.db, episode.id))) {
    for (const key of Object.values(files)) await deps.storage.delete(key).catch(() => {});
    return { deleted: true };
  }
  if (probe.coverKey) files.artwork = probe.coverKey;
  const output: StoreOutput = { audioKey: encoded.audioKey, audioBytes: encoded.bytes, durationSeconds: encoded.durationSeconds, files };
  return output as unknown as Json;
}
