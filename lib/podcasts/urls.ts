// Public addresses of a show's feed and published files. Listeners' apps download from
// PUBLIC_MEDIA_BASE_URL (a CDN or the bucket's public domain) when it is set, so the app
// never carries that traffic; otherwise from the app itself under /feeds/<token>/, where
// the path after the token is the object's key below podcasts/<showId>/.
import { feedPath } from "./shows";
import { showPrefix } from "./keys";
import type { EpisodeUrls } from "./feed";

export interface UrlConfig {
  appUrl: string;
  publicMediaBaseUrl?: string | null;
}

export interface ShowRef {
  id: string;
  feedToken: string;
}

/** Files an episode has published (Episode.files; the audio is Episode.audioKey). */
export interface EpisodeFiles {
  vtt?: string;
  srt?: string;
  json?: string;
  chapters?: string;
  metadata?: string;
  artwork?: string;
}

const trim = (url: string) => url.replace(/\/+$/, "");

export function feedUrl(config: UrlConfig, show: ShowRef): string {
  return `${trim(config.appUrl)}${feedPath(show.feedToken)}`;
}

/** The owner's pages (the UI's routes). */
export const episodePagePath = (episodeId: string) => `/episodes/${episodeId}`;
export const showPagePath = (showId: string) => `/shows/${showId}`;

/** Where listeners fetch the object at `key` (which must be under the show's prefix). */
export function mediaUrl(config: UrlConfig, show: ShowRef, key: string): string {
  const prefix = `${showPrefix(show.id)}/`;
  if (!key.startsWith(prefix)) throw new Error(`${key} is not a published file of show ${show.id}`);
  if (config.publicMediaBaseUrl) return `${trim(config.publicMediaBaseUrl)}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return `${feedUrl(config, show)}/${key.slice(prefix.length)}`;
}

/** The key an app-served public path (after /feeds/<token>/) names, or null if it cannot be one. */
export function keyOfPublicPath(show: { id: string }, segments: readonly string[]): string | null {
  if (segments.length === 0 || segments.some((s) => s === "" || s.startsWith(".") || s.includes(".."))) return null;
  return `${showPrefix(show.id)}/${segments.join("/")}`;
}

/** Public URLs of a published episode's files, as the feed and the API show them. */
export function episodeUrls(config: UrlConfig, show: ShowRef, episode: { audioKey: string | null; files: unknown }): Omit<EpisodeUrls, "page"> | null {
  if (!episode.audioKey) return null;
  const files = (episode.files ?? {}) as EpisodeFiles;
  const url = (key: string | undefined) => (key ? mediaUrl(config, show, key) : null);
  return {
    audio: mediaUrl(config, show, episode.audioKey),
    artwork: url(files.artwork),
    transcriptVtt: url(files.vtt),
    transcriptSrt: url(files.srt),
    transcriptJson: url(files.json),
    chapters: url(files.chapters),
  };
}
