// Podcasts as something a person owns (lib/account/owned.ts). Episodes go before their shows
// (each with its run and every file under its folder); a show takes its artwork and every
// feed version with it. Recordings and published audio count against the quota; the export
// holds per show its details and artwork, per episode both audio files and what was written.
import type { ExportEntry, OwnedData } from "@/lib/account/owned";
import type { Db } from "@/lib/db";
import { isUuid, oneByOne, safeName, segment } from "@/lib/account/owned";
import { removeObjects, removePrefix } from "@/lib/storage/remove";
import { episodePrefix, showPrefix } from "./keys";
import { publishedKeysOf } from "./steps/feed";
import {
  allOwnedShowsWithEpisodes,
  countOwnedEpisodes,
  countOwnedShows,
  deleteEpisodeRun,
  deleteShowRow,
  episodesFilesOf,
  findEpisodesToDelete,
  findShowsToDelete,
  ownedEpisodeBytes,
  showsFilesOf,
} from "./repository";

export const ownedEpisodes: OwnedData = {
  name: "episodes",
  deletion: {
    count: countOwnedEpisodes,
    removeSome: oneByOne(findEpisodesToDelete, async ({ db, storage }, e) => {
      await deleteEpisodeRun(db, e.runId);
      await removePrefix(storage, `${episodePrefix(e.showId, e.id)}/`);
      if (e.ingestKey) await removeObjects(storage, [e.ingestKey]);
    }),
  },
  usedBytes: ownedEpisodeBytes,
};

export const ownedShows: OwnedData = {
  name: "shows",
  deletion: {
    count: countOwnedShows,
    // Artwork and every feed version live under the show's folder.
    removeSome: oneByOne(findShowsToDelete, async ({ db, storage }, s) => {
      await deleteShowRow(db, s.id);
      await removePrefix(storage, `${showPrefix(s.id)}/`);
    }),
  },
  async exportEntries(db, ownerId) {
    const entries: ExportEntry[] = [];
    for (const show of await allOwnedShowsWithEpisodes(db, ownerId)) {
      const dir = `podcasts/${safeName(show.title, "show")} ${show.id.slice(0, 8)}`;
      entries.push({ name: `${dir}/show.json`, json: { title: show.title, description: show.description, author: show.author, language: show.language, category: show.category, explicit: show.explicit, createdAt: show.createdAt } });
      if (show.artworkKey) entries.push({ name: `${dir}/artwork.jpg`, key: show.artworkKey });
      for (const e of show.episodes) {
        const base = `${dir}/${e.id.slice(0, 8)} ${safeName(e.title ?? e.originalName, "episode")}`;
        entries.push({ name: `${base} (original).${e.sourceKey.split(".").pop() ?? "audio"}`, key: e.sourceKey, mtime: e.createdAt });
        if (e.audioKey) entries.push({ name: `${base}.mp3`, key: e.audioKey, mtime: e.updatedAt });
        entries.push({
          name: `${base}.json`,
          json: { title: e.title, summary: e.summary, showNotes: e.showNotes, keywords: e.keywords, chapters: e.chapters, transcript: e.transcript, durationSec: e.durationSec, season: e.season, episodeNumber: e.episodeNumber, publishedAt: e.publishedAt, createdAt: e.createdAt },
          mtime: e.updatedAt,
        });
      }
    }
    return entries;
  },
  objects: {
    prefixes: ["podcasts/"],
    referenced: referencedPodcastKeys,
  },
};

/** podcasts/<showId>/artwork-….jpg | feed/v<n>.xml | <episodeId>/source.*, cover.jpg, g<n>/… */
async function referencedPodcastKeys(db: Db, keys: readonly string[]): Promise<string[]> {
  const showIds = [...new Set(keys.map((k) => segment(k, 1)))].filter(isUuid);
  const episodeIds = [...new Set(keys.map((k) => segment(k, 2)))].filter(isUuid);
  const [shows, episodes] = await Promise.all([showsFilesOf(db, showIds), episodesFilesOf(db, episodeIds)]);
  const showById = new Map(shows.map((s) => [s.id, s]));
  const episodeById = new Map(episodes.map((e) => [e.id, e]));
  return keys.filter((key) => {
    const show = showById.get(segment(key, 1) ?? "");
    if (!show) return false;
    const third = segment(key, 2);
    if (key === show.artworkKey) return true;
    if (third === "feed") {
      // The current feed, the one before (requests may be reading it) and one being built.
      const version = Number(/^v(\d+)\.xml$/.exec(segment(key, 3) ?? "")?.[1]);
      return Number.isFinite(version) && version >= show.feedVersion - 1;
    }
    if (!isUuid(third)) return false;
    const episode = episodeById.get(third);
    if (!episode || episode.showId !== show.id) return false;
    const fourth = segment(key, 3) ?? "";
    if (!/^g\d+$/.test(fourth)) return true; // the upload as received, its cover
    return publishedKeysOf(episode).includes(key) || fourth === `g${episode.run.generation}`;
  });
}
