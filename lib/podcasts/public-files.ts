// The public side of a show, reached only through its feed token (no session): the feed
// itself and the files it names, when the app serves them (no PUBLIC_MEDIA_BASE_URL). A
// path below /feeds/<token>/ is the key below podcasts/<showId>/, and is served only if it
// is the show's artwork or a file of one of its published episodes: never a source upload,
// an unpublished episode, or anything of another show. A rotated token answers 404.
import type { Db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { contentTypeOfKey } from "./keys";
import { findPublishedEpisode, getShowByFeedToken, type ShowRow } from "./repository";
import { FEED_TOKEN } from "./shows";
import { publishedKeysOf } from "./steps/feed";
import { keyOfPublicPath, type EpisodeFiles } from "./urls";

export async function showByToken(db: Db, token: string): Promise<ShowRow> {
  const show = FEED_TOKEN.test(token) ? await getShowByFeedToken(db, token) : null;
  if (!show) throw new NotFoundError("That feed");
  return show;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The stored key and content type a public path names, or NotFoundError. */
export async function publicFile(db: Db, token: string, segments: readonly string[]): Promise<{ key: string; contentType: string }> {
  const show = await showByToken(db, token);
  const key = keyOfPublicPath(show, segments);
  const missing = new NotFoundError("That file");
  if (!key) throw missing;
  if (key === show.artworkKey) return { key, contentType: contentTypeOfKey(key) };
  const episodeId = segments[0];
  if (!UUID.test(episodeId)) throw missing;
  const episode = await findPublishedEpisode(db, show.id, episodeId);
  if (!episode) throw missing;
  const files = (episode.files ?? {}) as EpisodeFiles;
  // metadata.json (source file name, loudness) is the owner's record, not the listeners'.
  const allowed = [...publishedKeysOf(episode), ...(files.artwork ? [files.artwork] : [])].filter((k) => k !== files.metadata);
  if (!allowed.includes(key)) throw missing;
  return { key, contentType: contentTypeOfKey(key) };
}
