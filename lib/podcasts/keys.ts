// Where a show's and its episodes' objects live in storage. Everything published sits under
// podcasts/<showId>/, so with PUBLIC_MEDIA_BASE_URL a CDN (or an R2 custom domain) can serve
// exactly that prefix. Published files go under the run's generation (g<n>/): an edit after
// publishing writes new names instead of overwriting, so every URL can be cached forever.
import { randomBytes } from "node:crypto";

/** Stored with every published object: its name changes whenever its bytes would. */
export const IMMUTABLE = "public, max-age=31536000, immutable";

export const showPrefix = (showId: string) => `podcasts/${showId}`;
export const episodePrefix = (showId: string, episodeId: string) => `${showPrefix(showId)}/${episodeId}`;

/** The upload as received (kept: an edit after publishing encodes it again). */
export const sourceKey = (showId: string, episodeId: string, ext: string) => `${episodePrefix(showId, episodeId)}/source.${ext}`;

/** Cover art found in the upload's tags, made square (the episode's own artwork). */
export const coverKey = (showId: string, episodeId: string) => `${episodePrefix(showId, episodeId)}/cover.jpg`;

/** A show's artwork: a new name per upload. */
export const artworkKey = (showId: string) => `${showPrefix(showId)}/artwork-${randomBytes(6).toString("hex")}.jpg`;

/** The stored feed XML of one version (the web app serves the current one by version). */
export const feedKey = (showId: string, version: number) => `${showPrefix(showId)}/feed/v${version}.xml`;

export type PublishedFile = "audio" | "vtt" | "srt" | "json" | "chapters" | "metadata";

const NAMES: Record<PublishedFile, string> = {
  audio: "episode.mp3",
  vtt: "transcript.vtt",
  srt: "transcript.srt",
  json: "transcript.json",
  chapters: "chapters.json",
  metadata: "metadata.json",
};

export const CONTENT_TYPES: Record<PublishedFile | "artwork", string> = {
  audio: "audio/mpeg",
  vtt: "text/vtt; charset=utf-8",
  srt: "application/x-subrip; charset=utf-8",
  json: "application/json; charset=utf-8",
  chapters: "application/json+chapters; charset=utf-8",
  metadata: "application/json; charset=utf-8",
  artwork: "image/jpeg",
};

/** The key of one published file of one generation of an episode's run. */
export function publishedKey(showId: string, episodeId: string, generation: number, file: PublishedFile): string {
  return `${episodePrefix(showId, episodeId)}/g${generation}/${NAMES[file]}`;
}

/** Where a user may put objects for `POST /api/v1/episodes {storageKey}`: their own folder. */
export const ingestPrefix = (ownerId: string) => `incoming/${ownerId}/`;

/** A stored object's content type from its published name (for the app-served copies). */
export function contentTypeOfKey(key: string): string {
  const name = key.split("/").pop() ?? "";
  for (const [file, fileName] of Object.entries(NAMES) as [PublishedFile, string][]) if (name === fileName) return CONTENT_TYPES[file];
  if (name.endsWith(".jpg")) return CONTENT_TYPES.artwork;
  return "application/octet-stream";
}
