// Discord notifications for a show's channel: "new episode" with an embed, and "publishing
// failed" with the step and the readable error. A Discord webhook URL carries its own
// token, so it is a secret: it is never logged and never appears in an error message.
import { isIP } from "node:net";
import { InvalidInputError, RateLimitedError } from "@/lib/errors";
import { formatSeconds, parseRetryAfter, postJson, type PostOptions } from "@/lib/webhooks/post";

/** Discord's documented embed limits (characters). */
export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  authorName: 256,
  footerText: 2048,
  /** All text of all embeds of one message together. */
  total: 6000,
} as const;

const COLOUR_PUBLISHED = 0x7c3aed;
const COLOUR_FAILED = 0xdc2626;
const DEFAULT_RETRY_AFTER_MS = 5_000;

export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  timestamp?: string;
  author?: { name: string };
  thumbnail?: { url: string };
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
}

export interface DiscordMessage {
  username?: string;
  embeds: DiscordEmbed[];
  /** Always empty: an "@everyone" in a summary must not ping a whole server. */
  allowed_mentions: { parse: [] };
}

export interface PublishedNotice {
  showTitle: string;
  episodeTitle: string;
  /** Plain text; cut to Discord's limit with an ellipsis. */
  summary?: string | null;
  durationSeconds: number;
  /** The episode's page. */
  episodeUrl: string;
  /** Shown as the thumbnail only when Discord can fetch it (not localhost or a private address). */
  artworkUrl?: string | null;
  publishedAt?: Date;
}

export interface FailureNotice {
  showTitle: string;
  episodeTitle: string;
  /** The step that failed, as the user sees it: "encode", "store", "feed"… */
  step: string;
  /** The readable message the episode shows (never a stack trace). */
  error: string;
  /** The episode's page, where Retry is. */
  episodeUrl?: string | null;
  failedAt?: Date;
}

/** The "new episode" message: title linking to the episode, summary, duration, artwork. */
export function publishedMessage(n: PublishedNotice): DiscordMessage {
  const embed: DiscordEmbed = {
    title: cut(n.episodeTitle, DISCORD_LIMITS.title),
    url: httpUrl(n.episodeUrl),
    color: COLOUR_PUBLISHED,
    author: { name: cut(n.showTitle, DISCORD_LIMITS.authorName) },
    fields: [{ name: "Duration", value: formatDuration(n.durationSeconds), inline: true }],
    timestamp: (n.publishedAt ?? new Date()).toISOString(),
  };
  const thumbnail = n.artworkUrl && isPublicHttpUrl(n.artworkUrl) ? n.artworkUrl : undefined;
  if (thumbnail) embed.thumbnail = { url: thumbnail };
  const summary = n.summary?.trim();
  if (summary) embed.description = cut(summary, Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - textLength(embed)));
  return message(embed);
}

/** The "publishing failed" message: which step, and the error in words. */
export function failureMessage(n: FailureNotice): DiscordMessage {
  const embed: DiscordEmbed = {
    title: cut(`Publishing failed: ${n.episodeTitle}`, DISCORD_LIMITS.title),
    url: n.episodeUrl ? httpUrl(n.episodeUrl) : undefined,
    color: COLOUR_FAILED,
    author: { name: cut(n.showTitle, DISCORD_LIMITS.authorName) },
    fields: [{ name: "Step", value: cut(n.step, DISCORD_LIMITS.fieldValue), inline: true }],
    timestamp: (n.failedAt ?? new Date()).toISOString(),
  };
  const text = `The ${n.step} step failed: ${n.error.trim()}${n.episodeUrl ? "\nOpen the episode to retry it." : ""}`;
  embed.description = cut(text, Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - textLength(embed)));
  return message(embed);
}

/**
 * Posts `msg` to a Discord webhook.
 * - 2xx → done;
 * - 429 → RateLimitedError after Discord's `retry_after` (seconds, from the JSON body);
 * - 5xx, network failure, timeout → plain Error (transient: retried with backoff);
 * - 401/403/404 → InvalidInputError on `discordWebhookUrl`: the webhook was deleted or its
 *   token is wrong. Record it on the episode; it must not fail the publication;
 * - any other refusal → InvalidInputError on `notification` (permanent).
 */
export async function sendDiscord(webhookUrl: string, msg: DiscordMessage, opts: PostOptions = {}): Promise<void> {
  const answer = await postJson(webhookUrl, JSON.stringify(msg), {}, "Discord", opts);
  const { status } = answer;
  if (status >= 200 && status < 300) return;
  const json = parseJson(answer.body);
  if (status === 429) {
    const seconds = typeof json?.retry_after === "number" && json.retry_after >= 0 ? json.retry_after : undefined;
    const ms =
      seconds !== undefined ? Math.ceil(seconds * 1000) : (parseRetryAfter(answer.headers.get("retry-after")) ?? DEFAULT_RETRY_AFTER_MS);
    throw new RateLimitedError(`Discord asked us to wait ${formatSeconds(ms)} before posting again.`, ms);
  }
  if (status >= 500) throw new Error(`Discord answered ${status}; the notification will be tried again.`);
  const says = typeof json?.message === "string" && json.message.length <= 200 ? ` (Discord says: ${json.message})` : "";
  if (status === 401 || status === 403 || status === 404 || (status >= 300 && status < 400)) {
    const why = `The Discord webhook no longer works${says}. Create a new webhook in Discord and paste its URL in the show's settings.`;
    throw new InvalidInputError({ discordWebhookUrl: why }, why);
  }
  const why = `Discord refused the notification (${status}${says ? `: ${String(json!.message)}` : ""}).`;
  throw new InvalidInputError({ notification: why }, why);
}

/**
 * Whether `url` looks like a Discord webhook (https, discord.com or discordapp.com, ptb and
 * canary included, /api[/vN]/webhooks/<id>/<token>). For validating a show's settings; it
 * keeps a "Discord URL" field from POSTing to arbitrary addresses.
 */
export function isDiscordWebhookUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return (
    u.protocol === "https:" &&
    /^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/.test(u.hostname) &&
    u.port === "" &&
    /^\/api\/(?:v\d+\/)?webhooks\/\d+\/[\w-]+\/?$/.test(u.pathname)
  );
}

/** "42:05" or "1:02:03". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

function message(embed: DiscordEmbed): DiscordMessage {
  return { embeds: [embed], allowed_mentions: { parse: [] } };
}

/** Text Discord counts towards the 6,000 total. */
function textLength(e: DiscordEmbed): number {
  return (
    e.title.length +
    (e.description?.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** At most `max` UTF-16 units (what Discord counts), never splitting an emoji, "…" when cut. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = "";
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return out.trimEnd() + "…";
}

function httpUrl(url: string): string | undefined {
  try {
    const { protocol } = new URL(url);
    return protocol === "https:" || protocol === "http:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Discord's servers fetch thumbnails themselves: a localhost or LAN address would show broken. */
function isPublicHttpUrl(url: string): boolean {
  if (!httpUrl(url)) return false;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const family = isIP(host);
  if (family === 4) {
    const [a, b] = host.split(".").map(Number);
    const isPrivate =
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168);
    return !isPrivate;
  }
  // Loopback, unspecified, unique-local, link-local, IPv4-mapped.
  if (family === 6) return !/^(::1?$|::ffff:|f[cd]|fe[89ab])/.test(host);
  // A single-label name ("framecast", "nas") only resolves inside someone's network.
  if (!host.includes(".") || host === "localhost") return false;
  return !/\.(localhost|local|internal|lan|home\.arpa)$/.test(host);
}

function parseJson(text: string): { retry_after?: unknown; message?: unknown } | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" ? (v as { retry_after?: unknown; message?: unknown }) : null;
  } catch {
    return null;
  }
}
