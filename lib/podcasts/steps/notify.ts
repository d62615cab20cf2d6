// Publish → notify (the podcast-notify queue): "new episode" to the show's Discord channel
// and an `episode.published` event to its webhook; after an edit of a published episode,
// only `episode.updated` to the webhook (the channel heard about it already). What could
// not be delivered is recorded on the episode and never fails the publication.
import type { Json } from "@/lib/workflow/types";
import { publishedMessage } from "../discord";
import { notifyShow, type Channel } from "../notify";
import { updateEpisode, type EpisodeRow, type ShowRow } from "../repository";
import { episodeUrls, feedUrl, mediaUrl, type UrlConfig } from "../urls";
import { loadEpisode, type EpisodeCtx, type EpisodeStepDeps } from "./deps";
import type { FeedOutput } from "./feed";

/** Attempts of a workflow step job (the catalogue's default): the last one records instead of retrying. */
const LAST_ATTEMPT = 3;

/** What the show's webhook receives about an episode. */
export function episodeEventData(
  urls: UrlConfig,
  show: ShowRow,
  episode: Pick<EpisodeRow, "id" | "title" | "originalName" | "summary" | "durationSec" | "publishedAt" | "audioKey" | "files">,
) {
  const files = episode.publishedAt ? episodeUrls(urls, show, episode) : null;
  return {
    episode: {
      id: episode.id,
      title: episode.title || episode.originalName,
      summary: episode.summary,
      durationSeconds: episode.durationSec,
      publishedAt: episode.publishedAt?.toISOString() ?? null,
      audioUrl: files?.audio ?? null,
      transcriptUrl: files?.transcriptVtt ?? null,
      chaptersUrl: files?.chapters ?? null,
    },
    show: { id: show.id, title: show.title, feedUrl: feedUrl(urls, show) },
  };
}

export async function notifyStep(deps: EpisodeStepDeps, ctx: EpisodeCtx): Promise<Json> {
  const { episode, show } = await loadEpisode(deps, ctx);
  const feed = ctx.outputs.publish?.feed as unknown as FeedOutput;
  const done = ((ctx.checkpoint as { sent?: Channel[] } | null)?.sent ?? []).slice();
  const files = episodeUrls(deps.urls, show, episode);
  const publishedAt = episode.publishedAt ?? new Date();
  const first = feed.firstPublication;
  const result = await notifyShow(
    show,
    {
      discord: first
        ? publishedMessage({
            showTitle: show.title,
            episodeTitle: episode.title || episode.originalName,
            summary: episode.summary,
            durationSeconds: episode.durationSec ?? 0,
            episodeUrl: files?.audio ?? feedUrl(deps.urls, show),
            artworkUrl: files?.artwork ?? (show.artworkKey ? mediaUrl(deps.urls, show, show.artworkKey) : null),
            publishedAt,
          })
        : null,
      event: first
        ? { id: `msg_${episode.id}_published_${publishedAt.getTime()}`, type: "episode.published", timestamp: publishedAt }
        : { id: `msg_${episode.id}_updated_g${ctx.run.generation}`, type: "episode.updated", timestamp: new Date() },
      data: episodeEventData(deps.urls, show, episode),
    },
    {
      timeoutMs: deps.notifyTimeoutMs,
      signal: ctx.signal,
      lastAttempt: ctx.attempt >= LAST_ATTEMPT,
      done,
      onSent: async (channel) => {
        done.push(channel);
        await ctx.saveCheckpoint({ sent: done });
      },
    },
  );
  const notifyError = result.errors.length > 0 ? result.errors.join(" ") : first ? null : episode.notifyError;
  if (notifyError !== episode.notifyError) await updateEpisode(deps.db, episode.id, { notifyError });
  return { sent: done, errors: result.errors };
}
