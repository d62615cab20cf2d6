// A show's public RSS 2.0 feed, the document Apple Podcasts, Spotify, Pocket Casts and
// Overcast subscribe to: RSS with the itunes, Podcasting 2.0 (podcast), atom and content
// namespaces, built with xmlbuilder2 so every title, note and URL is escaped by the library.
//
// buildFeed() is pure: the same show, episodes and URLs give byte-identical XML (the build
// date is the newest change, not the clock), so the caller can store it once per change
// and serve it with a stable ETag.
import { create } from "xmlbuilder2";
import { InvalidInputError } from "@/lib/errors";
import { parseAppleCategory } from "./categories";
import { sanitiseShowNotes, textToHtml } from "./show-notes";

type XMLBuilder = ReturnType<typeof create>;

export const FEED_NAMESPACES = {
  itunes: "http://www.itunes.com/dtds/podcast-1.0.dtd",
  podcast: "https://podcastindex.org/namespace/1.0",
  atom: "http://www.w3.org/2005/Atom",
  content: "http://purl.org/rss/1.0/modules/content/",
} as const;

export const FEED_CONTENT_TYPE = "application/rss+xml; charset=utf-8";

export const FEED_GENERATOR = "Framecast";

export type EpisodeType = "full" | "trailer" | "bonus";
const EPISODE_TYPES: readonly string[] = ["full", "trailer", "bonus"] satisfies EpisodeType[];

/**
 * The show as the feed needs it. Names and nullability follow the Show table, so a row
 * maps across nearly as is.
 */
export interface Show {
  title: string;
  /** Plain text. */
  description: string;
  /** BCP 47, e.g. "en" or "en-GB". Also the transcripts' language unless an episode says otherwise. */
  language: string;
  author: string;
  ownerName: string;
  ownerEmail: string;
  /** Apple category, "Parent" or "Parent > Sub" (see APPLE_CATEGORIES). */
  category: string;
  explicit: boolean;
  /** podcast:guid, fixed when the show was made (podcastGuid() in ./shows, of its first feed URL). */
  podcastGuid: string;
  /** Apple's show type; default "episodic" (newest first). */
  type?: "episodic" | "serial" | null;
  /** podcast:locked: other hosting platforms may not import the feed. Default true. */
  locked?: boolean | null;
  copyright?: string | null;
  /** When the feed's content last changed (the row's feedUpdatedAt); feeds into lastBuildDate. */
  updatedAt: Date;
}

/** One published episode. Names follow the Episode table; pass only published episodes. */
export interface Episode {
  /** Stable for the episode's whole life: it becomes `<guid isPermaLink="false">`. */
  id: string;
  title: string;
  /** Plain text: itunes:summary, and the description when there are no show notes. */
  summary?: string | null;
  /** The author's HTML; sanitised again here whatever the caller did. */
  showNotes?: string | null;
  publishedAt: Date;
  /** When the episode last changed (edited after publishing); feeds into lastBuildDate. */
  updatedAt?: Date | null;
  /** Exact size of the stored audio file: podcast apps compare it with what they download. */
  audioBytes: number | bigint;
  /** From ffprobe; written as whole seconds. */
  durationSec: number;
  /** Default "audio/mpeg". */
  audioType?: string | null;
  episodeNumber?: number | null;
  season?: number | null;
  /** "full" (default), "trailer" or "bonus". */
  episodeType?: EpisodeType | string | null;
  /** Null follows the show. */
  explicit?: boolean | null;
  keywords?: readonly string[] | null;
  /** The transcripts' language when it differs from the show's. */
  language?: string | null;
}

/** Absolute public URLs of one episode's files; an absent file is left out of the feed. */
export interface EpisodeUrls {
  /** The episode's web page (item `<link>`). */
  page: string;
  audio: string;
  artwork?: string | null;
  transcriptVtt?: string | null;
  transcriptSrt?: string | null;
  transcriptJson?: string | null;
  /** Podcasting 2.0 JSON chapters. */
  chapters?: string | null;
}

/**
 * Where things are reachable from the internet: app routes, or PUBLIC_MEDIA_BASE_URL when
 * objects are served from a CDN/bucket. The caller decides; the feed only writes them.
 */
export interface PublicUrls {
  /** This feed's own URL (atom:link rel="self"). */
  feed: string;
  /** The show's web page (channel `<link>`). */
  show: string;
  /** Square JPEG, 1400–3000 px (see makeArtwork()). */
  artwork?: string | null;
  episode(episode: Episode): EpisodeUrls;
}

/** RSS 2.0 XML of the show and its episodes, newest first. Throws InvalidInputError. */
export function buildFeed(show: Show, episodes: readonly Episode[], urls: PublicUrls): string {
  checkShow(show, urls);
  const items = [...episodes].sort(
    (a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  checkUniqueIds(items);

  // Characters XML 1.0 cannot carry (control characters, lone surrogates) are dropped by
  // the library wherever they occur, rather than making the whole feed unparseable.
  const doc = create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "" });
  const rss = doc.ele("rss", {
    version: "2.0",
    "xmlns:itunes": FEED_NAMESPACES.itunes,
    "xmlns:podcast": FEED_NAMESPACES.podcast,
    "xmlns:atom": FEED_NAMESPACES.atom,
    "xmlns:content": FEED_NAMESPACES.content,
  });
  const channel = rss.ele("channel");
  writeChannel(channel, show, items, urls);
  for (const episode of items) writeItem(channel.ele("item"), show, episode, urls.episode(episode));
  return doc.end({ prettyPrint: true });
}

function writeChannel(channel: XMLBuilder, show: Show, items: readonly Episode[], urls: PublicUrls): void {
  const { itunes, podcast, atom } = FEED_NAMESPACES;
  channel.ele("title").txt(show.title);
  channel.ele("link").txt(urls.show);
  channel.ele("description").txt(show.description);
  channel.ele("language").txt(show.language);
  if (show.copyright) channel.ele("copyright").txt(show.copyright);
  channel.ele("generator").txt(FEED_GENERATOR);
  channel.ele("lastBuildDate").txt(rfc2822(lastChange(show, items)));
  channel.ele(atom, "atom:link", { href: urls.feed, rel: "self", type: "application/rss+xml" });
  if (urls.artwork) {
    // RSS's own image, for readers that know nothing of itunes:image.
    const image = channel.ele("image");
    image.ele("url").txt(urls.artwork);
    image.ele("title").txt(show.title);
    image.ele("link").txt(urls.show);
  }
  channel.ele(itunes, "itunes:author").txt(show.author);
  const owner = channel.ele(itunes, "itunes:owner");
  owner.ele(itunes, "itunes:name").txt(show.ownerName);
  owner.ele(itunes, "itunes:email").txt(show.ownerEmail);
  if (urls.artwork) channel.ele(itunes, "itunes:image", { href: urls.artwork });
  const category = parseAppleCategory(show.category);
  const categoryEl = channel.ele(itunes, "itunes:category", { text: category.name });
  if (category.subcategory) categoryEl.ele(itunes, "itunes:category", { text: category.subcategory });
  channel.ele(itunes, "itunes:explicit").txt(String(show.explicit));
  channel.ele(itunes, "itunes:type").txt(show.type ?? "episodic");
  channel.ele(podcast, "podcast:guid").txt(show.podcastGuid);
  channel.ele(podcast, "podcast:locked", { owner: show.ownerEmail }).txt(show.locked === false ? "no" : "yes");
}

function writeItem(item: XMLBuilder, show: Show, episode: Episode, urls: EpisodeUrls): void {
  const { itunes, podcast, content } = FEED_NAMESPACES;
  checkEpisode(episode, urls);
  item.ele("guid", { isPermaLink: "false" }).txt(episode.id);
  item.ele("title").txt(episode.title);
  item.ele("link").txt(urls.page);
  const html = episode.showNotes ? cachedSanitise(episode.showNotes) : "";
  const description = html || (episode.summary ? textToHtml(episode.summary) : "");
  if (description) cdata(item.ele("description"), description);
  // Apple Podcasts and most apps prefer content:encoded for HTML notes; plain RSS readers
  // only know description. Written only when there are real notes, not a repeated summary.
  if (html) cdata(item.ele(content, "content:encoded"), html);
  item.ele("pubDate").txt(rfc2822(episode.publishedAt));
  item.ele("enclosure", { url: urls.audio, length: String(episode.audioBytes), type: episode.audioType || "audio/mpeg" });
  item.ele(itunes, "itunes:duration").txt(String(Math.round(episode.durationSec)));
  item.ele(itunes, "itunes:episodeType").txt(episode.episodeType ?? "full");
  if (episode.season != null) item.ele(itunes, "itunes:season").txt(String(episode.season));
  if (episode.episodeNumber != null) item.ele(itunes, "itunes:episode").txt(String(episode.episodeNumber));
  item.ele(itunes, "itunes:explicit").txt(String(episode.explicit ?? show.explicit));
  if (urls.artwork) item.ele(itunes, "itunes:image", { href: urls.artwork });
  if (episode.summary) item.ele(itunes, "itunes:summary").txt(episode.summary);
  const keywords = (episode.keywords ?? []).map((k) => k.replace(/,/g, " ").trim()).filter(Boolean);
  if (keywords.length > 0) item.ele(itunes, "itunes:keywords").txt(keywords.join(","));
  const language = episode.language || show.language;
  // rel="captions": time-coded text an app may show in sync with the audio.
  if (urls.transcriptVtt) {
    item.ele(podcast, "podcast:transcript", { url: urls.transcriptVtt, type: "text/vtt", language, rel: "captions" });
  }
  if (urls.transcriptSrt) {
    item.ele(podcast, "podcast:transcript", { url: urls.transcriptSrt, type: "application/x-subrip", language, rel: "captions" });
  }
  if (urls.transcriptJson) {
    item.ele(podcast, "podcast:transcript", { url: urls.transcriptJson, type: "application/json", language });
  }
  if (urls.chapters) item.ele(podcast, "podcast:chapters", { url: urls.chapters, type: "application/json+chapters" });
}

/** RFC 2822 date-time in UTC, e.g. "Tue, 03 Mar 2026 09:05:00 +0000" (RSS 2.0's pubDate). */
export function rfc2822(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The newest change among the show and its episodes: the feed's lastBuildDate. */
function lastChange(show: Show, items: readonly Episode[]): Date {
  let newest = show.updatedAt.getTime();
  for (const e of items) newest = Math.max(newest, e.publishedAt.getTime(), e.updatedAt?.getTime() ?? 0);
  return new Date(newest);
}

/** CDATA cannot contain "]]>": split it across two sections, which readers join again. */
function cdata(el: XMLBuilder, text: string): void {
  const parts = text.split("]]>");
  parts.forEach((part, i) => el.dat((i > 0 ? ">" : "") + part + (i < parts.length - 1 ? "]]" : "")));
}

// Sanitising costs ~0.3 ms per episode of notes; a rebuild after one edit should not redo
// the other 999. Keyed by the input, so an edited note is simply a new entry; the oldest
// entries go once the cache holds more than ~8 M characters (some tens of MB at most).
const SANITISED = new Map<string, string>();
const SANITISED_MAX_CHARS = 8_000_000;
let sanitisedChars = 0;

function cachedSanitise(html: string): string {
  let clean = SANITISED.get(html);
  if (clean === undefined) {
    clean = sanitiseShowNotes(html);
    SANITISED.set(html, clean);
    sanitisedChars += html.length + clean.length;
    for (const [oldest, value] of SANITISED) {
      if (sanitisedChars <= SANITISED_MAX_CHARS || oldest === html) break;
      SANITISED.delete(oldest);
      sanitisedChars -= oldest.length + value.length;
    }
  }
  return clean;
}

function checkShow(show: Show, urls: PublicUrls): void {
  const fields: Record<string, string> = {};
  if (!show.title.trim()) fields.title = "The show needs a title.";
  if (!/^[^\s@]+@[^\s@]+$/.test(show.ownerEmail)) fields.ownerEmail = "The owner's email address is not valid.";
  try {
    parseAppleCategory(show.category);
  } catch (err) {
    Object.assign(fields, (err as InvalidInputError).fields);
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(show.podcastGuid)) {
    fields.podcastGuid = "The show's podcast:guid is not a UUID.";
  }
  if (!isDate(show.updatedAt)) fields.updatedAt = "The show's last change date is not a date.";
  checkUrl(fields, "feedUrl", urls.feed);
  checkUrl(fields, "showUrl", urls.show);
  if (urls.artwork) checkUrl(fields, "artworkUrl", urls.artwork);
  if (Object.keys(fields).length > 0) throw new InvalidInputError(fields, "The show cannot be written as a podcast feed.");
}

function checkEpisode(e: Episode, urls: EpisodeUrls): void {
  const fields: Record<string, string> = {};
  if (!e.id) fields.id = "The episode has no id.";
  if (!e.title.trim()) fields.title = "The episode needs a title.";
  if (!isDate(e.publishedAt)) fields.publishedAt = "The publication date is not a date.";
  const bytes = e.audioBytes;
  if (typeof bytes === "bigint" ? bytes <= 0n : !(Number.isSafeInteger(bytes) && bytes > 0)) {
    fields.audioBytes = "The audio file's size is unknown.";
  }
  if (!Number.isFinite(e.durationSec) || e.durationSec < 0) fields.durationSec = "The audio's duration is unknown.";
  if (e.episodeType && !EPISODE_TYPES.includes(e.episodeType)) fields.episodeType = "Must be full, trailer or bonus.";
  for (const key of ["episodeNumber", "season"] as const) {
    const n = e[key];
    if (n != null && !(Number.isSafeInteger(n) && n > 0)) fields[key] = "Must be a whole number from 1 up.";
  }
  for (const [key, url] of Object.entries(urls)) {
    if (url) checkUrl(fields, `${key}Url`, url);
  }
  if (Object.keys(fields).length > 0) {
    throw new InvalidInputError(fields, `The episode "${e.title}" cannot be written into the feed.`);
  }
}

function checkUniqueIds(items: readonly Episode[]): void {
  const seen = new Set<string>();
  for (const e of items) {
    if (seen.has(e.id)) throw new InvalidInputError({ id: `Two episodes share the id ${e.id}.` }, "Episode ids must be unique in a feed.");
    seen.add(e.id);
  }
}

function checkUrl(fields: Record<string, string>, field: string, url: string): void {
  let ok = false;
  try {
    const { protocol } = new URL(url);
    ok = protocol === "https:" || protocol === "http:";
  } catch {
    ok = false;
  }
  if (!ok) fields[field] = "Must be an absolute http(s) URL.";
}

function isDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}
