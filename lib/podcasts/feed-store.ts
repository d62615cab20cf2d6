// Builds a show's feed XML and stores it, once per change, so the public feed route only
// hands out stored bytes (building 1,000 episodes takes about a second; serving a stored
// copy takes microseconds). Runs in the worker's feed step and the podcast-feed job; the
// web app builds inline only when no stored copy exists (a new show: no episodes yet).
//
// Versions: Show.feedVersion is the version of the stored XML (its ETag) and feedUpdatedAt
// when it was built (Last-Modified). Two builders racing store under the same next version;
// the one whose version bump loses builds again from fresh data, so the newest data wins.
import type { Db } from "@/lib/db";
import { log } from "@/lib/log";
import type { Storage } from "@/lib/storage/types";
import { buildFeed, FEED_CONTENT_TYPE, type Episode as FeedEpisode, type Show as FeedShow } from "./feed";
import { feedKey } from "./keys";
import { getShow, markFeedBuilt, publishedEpisodes, type FeedEpisodeRow, type ShowRow } from "./repository";
import { episodeUrls, feedUrl, mediaUrl, type UrlConfig } from "./urls";

export interface FeedStoreDeps {
  db: Db;
  storage: Storage;
  urls: UrlConfig;
}

export interface StoredFeed {
  version: number;
  builtAt: Date;
  episodes: number;
  bytes: number;
}

/** The feed revalidates on every request (a 304 costs nothing) so a change shows at once. */
export const FEED_CACHE_CONTROL = "public, no-cache";

const MAX_ROUNDS = 5;

export function feedShow(show: ShowRow): FeedShow {
  return {
    title: show.title,
    description: show.description,
    language: show.language,
    author: show.author,
    ownerName: show.ownerName,
    ownerEmail: show.ownerEmail,
    category: show.category,
    explicit: show.explicit,
    podcastGuid: show.podcastGuid,
    updatedAt: show.updatedAt,
  };
}

export function feedEpisode(row: FeedEpisodeRow): FeedEpisode {
  return {
    id: row.id,
    title: row.title || "Untitled episode",
    summary: row.summary,
    showNotes: row.showNotes,
    publishedAt: row.publishedAt!,
    updatedAt: row.updatedAt,
    audioBytes: row.audioBytes ?? 0,
    durationSec: row.durationSec ?? 0,
    episodeNumber: row.episodeNumber,
    season: row.season,
    episodeType: row.episodeType,
    explicit: row.explicit,
    keywords: row.keywords,
    language: row.language,
  };
}

/** The feed XML of the show as it is now. */
export async function renderFeed(deps: Pick<FeedStoreDeps, "db" | "urls">, show: ShowRow): Promise<{ xml: string; episodes: number }> {
  const rows = await publishedEpisodes(deps.db, show.id);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const self = feedUrl(deps.urls, show);
  const xml = buildFeed(feedShow(show), rows.map(feedEpisode), {
    feed: self,
    show: self,
    artwork: show.artworkKey ? mediaUrl(deps.urls, show, show.artworkKey) : null,
    episode(e) {
      const files = episodeUrls(deps.urls, show, byId.get(e.id)!)!;
      // The item's link: its audio (listeners have no page of ours to visit).
      return { page: files.audio, ...files, artwork: files.artwork ?? null };
    },
  });
  return { xml, episodes: rows.length };
}

/** Builds and stores the show's feed as it is now; null when the show is gone. */
export async function rebuildFeed(deps: FeedStoreDeps, showId: string): Promise<StoredFeed | null> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const show = await getShow(deps.db, showId);
    if (!show) return null;
    const { xml, episodes } = await renderFeed(deps, show);
    const body = Buffer.from(xml, "utf8");
    const version = show.feedVersion + 1;
    await deps.storage.putBuffer(feedKey(show.id, version), body, FEED_CONTENT_TYPE, { cacheControl: FEED_CACHE_CONTROL });
    const builtAt = new Date();
    if (await markFeedBuilt(deps.db, show.id, show.feedVersion, builtAt)) {
      // The version before stays for requests that are reading it right now.
      if (show.feedVersion >= 1) await deps.storage.delete(feedKey(show.id, show.feedVersion - 1)).catch(() => {});
      return { version, builtAt, episodes, bytes: body.length };
    }
    log().info({ showId, version }, "another feed build stored this version first; building again");
  }
  throw new Error("The feed kept changing while it was being built; it will be built again.");
}
