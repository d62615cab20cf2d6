// Publish → feed: points the episode at the files just stored (and marks it published the
// first time), rebuilds and stores the show's feed XML (a new feed version: the ETag every
// podcast app revalidates against), then deletes the files an earlier publication of this
// episode used (after the feed stopped pointing at them).
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Json } from "@/lib/workflow/types";
import { rebuildFeed } from "../feed-store";
import type { LoudnessMeasurement } from "../loudness";
import { updateEpisode } from "../repository";
import type { EpisodeFiles } from "../urls";
import { loadEpisode, type EpisodeCtx, type EpisodeStepDeps } from "./deps";
import type { EncodeOutput } from "./encode";
import type { StoreOutput } from "./store";

export interface FeedOutput {
  /** False when an already published episode was published again after an edit. */
  firstPublication: boolean;
  feedVersion: number | null;
  episodesInFeed: number;
}

/** Keys an episode points at for its published files (not its source or cover). */
export function publishedKeysOf(episode: { audioKey: string | null; files: unknown }, keep: readonly string[] = []): string[] {
  const files = (episode.files ?? {}) as EpisodeFiles;
  const keys = [episode.audioKey, files.vtt, files.srt, files.json, files.chapters, files.metadata].filter((k): k is string => Boolean(k));
  return keys.filter((k) => !keep.includes(k));
}

export async function feedStep(deps: EpisodeStepDeps, ctx: EpisodeCtx): Promise<Json> {
  const { episode } = await loadEpisode(deps, ctx);
  const stored = ctx.outputs.publish?.store as unknown as StoreOutput;
  const encoded = ctx.outputs.publish?.encode as unknown as EncodeOutput;
  // Decided once: a retry after the episode was marked published is still the first publication.
  const firstPublication = (ctx.checkpoint as { firstPublication?: boolean } | null)?.firstPublication ?? !episode.publishedAt;
  await ctx.saveCheckpoint({ firstPublication });

  const newKeys = publishedKeysOf({ audioKey: stored.audioKey, files: stored.files });
  const superseded = publishedKeysOf(episode, newKeys);
  const loudness = (episode.loudness ?? {}) as { before?: LoudnessMeasurement };
  await updateEpisode(deps.db, episode.id, {
    audioKey: stored.audioKey,
    audioBytes: BigInt(stored.audioBytes),
    files: stored.files as unknown as Prisma.InputJsonValue,
    durationSec: stored.durationSeconds,
    loudness: { ...loudness, after: encoded.loudnessAfter, normalization: encoded.normalization } as unknown as Prisma.InputJsonValue,
    publishedAt: episode.publishedAt ?? new Date(),
    ...(firstPublication ? { notifyError: null } : {}),
  });
  await ctx.progress(0.3, "Building the feed");
  const feed = await rebuildFeed(deps, episode.showId);
  for (const key of superseded) await deps.storage.delete(key).catch(() => {});
  const output: FeedOutput = { firstPublication, feedVersion: feed?.version ?? null, episodesInFeed: feed?.episodes ?? 0 };
  return output as unknown as Json;
}
