// Analyse → probe: what the recording is (ffprobe, tags, cover art), proof that it decodes,
// and one decode of the whole file for loudness (EBU R128) and pauses. Bad input fails at
// once with the sentence a person reads (RejectedInputError: no retries): not audio, no
// audio track, damaged, longer than PODCAST_MAX_MINUTES. Silence only is not a failure:
// the episode is analysed and says "no speech found".
import type { Prisma } from "@/lib/generated/prisma/client";
import { RejectedInputError } from "@/lib/errors";
import type { Json } from "@/lib/workflow/types";
import { analyseAudio } from "../analyse";
import { makeArtwork } from "../artwork";
import { coverKey, IMMUTABLE } from "../keys";
import { NO_SPEECH } from "../local-understand";
import { probeAudio, type AudioTags } from "../probe";
import { updateEpisode } from "../repository";
import type { Silence } from "../silence";
import { loadEpisode, reporter, withLocalCopy, type EpisodeCtx, type EpisodeStepDeps } from "./deps";

/** Enough pauses to place 50 chapters; a four-hour file can have thousands. */
const MAX_SILENCES = 500;

export interface ProbeOutput {
  durationSeconds: number;
  decodedSeconds: number;
  channels: number;
  silenceOnly: boolean;
  /** The longest pauses, in time order. */
  silences: Silence[];
  tags: AudioTags;
  coverKey: string | null;
}

export async function probeStep(deps: EpisodeStepDeps, ctx: EpisodeCtx): Promise<Json> {
  const { episode, show } = await loadEpisode(deps, ctx);
  await ctx.progress(0.01, "Fetching the upload");
  await ensureSource(deps, episode, ctx.signal);
  return withLocalCopy(
    deps.storage,
    episode.sourceKey,
    deps.tmpDir,
    async (file) => {
      await ctx.progress(0.04, "Reading the audio");
      const probe = await probeAudio(file, { ffprobe: deps.ffprobe, ffmpeg: deps.ffmpeg, maxMinutes: deps.maxMinutes, signal: ctx.signal });
      await ctx.progress(0.1, "Measuring loudness and pauses");
      const analysis = await analyseAudio(file, {
        ffmpeg: deps.ffmpeg,
        durationSeconds: probe.durationSeconds,
        signal: ctx.signal,
        onProgress: reporter(ctx, 0.1, 0.95, (f) => `Measuring loudness and pauses: ${Math.floor(f * 100)}%`),
      });

      const notes = [...probe.notes];
      let cover: string | null = null;
      if (probe.cover) {
        try {
          const art = await makeArtwork(Buffer.from(probe.cover.bytes), { maxPixels: deps.maxPixels });
          cover = coverKey(show.id, episode.id);
          await deps.storage.putBuffer(cover, art.data, art.contentType, { cacheControl: IMMUTABLE });
        } catch (err) {
          if (!(err instanceof RejectedInputError)) throw err;
          notes.push(`The cover art in the file was not used: ${err.message}`);
        }
      }

      const silences = [...analysis.silences]
        .sort((a, b) => b.end - b.start - (a.end - a.start))
        .slice(0, MAX_SILENCES)
        .sort((a, b) => a.start - b.start);
      const facts = {
        container: probe.container,
        codec: probe.codec,
        channels: probe.channels,
        sampleRate: probe.sampleRate,
        bitRate: probe.bitRate,
        durationEstimated: probe.durationEstimated,
        decodedSeconds: analysis.decodedSeconds,
        silenceOnly: analysis.silenceOnly,
        tags: { ...probe.tags },
        notes,
      };
      await updateEpisode(deps.db, episode.id, {
        durationSec: probe.durationSeconds,
        probe: facts as unknown as Prisma.InputJsonValue,
        loudness: { before: analysis.loudness } as unknown as Prisma.InputJsonValue,
        ...(analysis.silenceOnly ? { transcriptNote: NO_SPEECH } : {}),
      });
      const output: ProbeOutput = {
        durationSeconds: probe.durationSeconds,
        decodedSeconds: analysis.decodedSeconds,
        channels: probe.channels,
        silenceOnly: analysis.silenceOnly,
        silences,
        tags: { ...probe.tags },
        coverKey: cover,
      };
      return output as unknown as Json;
    },
    ctx.signal,
  );
}

/**
 * An episode announced by storage key ({storageKey}) has its bytes in the bucket where the
 * user put them: they are copied to the episode's own source key once, so a later change
 * of that object cannot change the episode (and an edit can encode the same audio again).
 */
async function ensureSource(
  deps: EpisodeStepDeps,
  episode: { sourceKey: string; sourceMime: string; ingestKey: string | null; ingestEtag: string | null },
  signal: AbortSignal,
): Promise<void> {
  if (!episode.ingestKey || (await deps.storage.stat(episode.sourceKey))) return;
  const incoming = await deps.storage.stat(episode.ingestKey);
  if (!incoming) throw new RejectedInputError("damaged", "The announced file is no longer in storage; upload it again.");
  if (episode.ingestEtag && incoming.etag && incoming.etag !== episode.ingestEtag) {
    throw new RejectedInputError("damaged", "The announced file was replaced after it was announced; announce the new one to make it an episode.");
  }
  await withLocalCopy(deps.storage, episode.ingestKey, deps.tmpDir, (file) => deps.storage.putFile(episode.sourceKey, file, episode.sourceMime), signal);
}
