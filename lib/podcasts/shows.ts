// Shows: every account has one (made on first use from the account's email), may add more,
// and edits the channel fields of its feed. The feed URL carries an unguessable token that
// the owner can rotate; the Podcasting 2.0 guid is fixed at creation so podcast apps keep
// the show even when its URL changes.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { generateWebhookSecret } from "@/lib/webhooks/standard";
import { createShow, firstOwnedShow, getOwnedShow, updateShow, type ShowRow } from "./repository";

/** What a feed token looks like; anything else is answered as not found without a lookup. */
export const FEED_TOKEN_SHAPE = "[A-Za-z0-9_-]{32}";
export const FEED_TOKEN = new RegExp(`^${FEED_TOKEN_SHAPE}$`);

export function newFeedToken(): string {
  return randomBytes(24).toString("base64url");
}

// Podcasting 2.0: podcast:guid is a UUIDv5 of the feed URL (scheme and trailing slash
// removed) in this namespace. https://podcasting2.org/docs/podcast-namespace/tags/guid
const PODCAST_NAMESPACE = "ead4c236-bf58-58c6-a2c6-a6b28d128cb6";

export function podcastGuid(feedUrl: string): string {
  const name = feedUrl.replace(/^[a-z]+:\/\//i, "").replace(/\/+$/, "");
  const ns = Buffer.from(PODCAST_NAMESPACE.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(ns).update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const feedPath = (token: string) => `/feeds/${token}`;

const text = (max: number) => z.string().transform((s) => s.replace(/\s+/g, " ").trim()).pipe(z.string().max(max, `At most ${max} characters.`));
const required = (max: number) => text(max).pipe(z.string().min(1, "This can't be empty."));

export const showFieldsSchema = z.object({
  title: required(200),
  description: z.string().trim().max(4_000, "At most 4,000 characters.").default(""),
  author: required(200),
  ownerName: required(200),
  ownerEmail: z.string().trim().email("Not an email address."),
  // BCP 47, as podcast apps expect ("en", "en-us", "ja").
  language: z.string().trim().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, "A language code such as en, en-us or ja.").default("en"),
  category: required(120).default("Technology"),
  explicit: z.boolean().default(false),
  discordWebhookUrl: z
    .string()
    .trim()
    .regex(/^https:\/\/(discord\.com|discordapp\.com|ptb\.discord\.com|canary\.discord\.com)\/api\/webhooks\/\d+\/[\w-]+$/, "Paste a Discord webhook URL (https://discord.com/api/webhooks/…).")
    .nullable()
    .optional(),
  webhookUrl: z.string().trim().url("Not a URL.").regex(/^https?:\/\//, "Use an http(s) URL.").nullable().optional(),
  autoPublish: z.boolean().default(false),
});

export const createShowSchema = showFieldsSchema;
export const updateShowSchema = showFieldsSchema.partial();

/**
 * The account's first show, made on first use with fields taken from its email. The page
 * uploads several files at once, each its own request: a per-account lock makes the first
 * use make one show, not one per request.
 */
export async function ensureDefaultShow(db: Db, user: { id: string; email: string }, appUrl: string): Promise<ShowRow> {
  const existing = await firstOwnedShow(db, user.id);
  if (existing) return existing;
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`default-show:${user.id}`}, 0))`;
    const made = await firstOwnedShow(tx, user.id);
    if (made) return made;
    const name = user.email.split("@")[0] || "My";
    return createShowFor(tx, user.id, appUrl, {
      title: `${name}'s podcast`,
      description: "",
      author: name,
      ownerName: name,
      ownerEmail: user.email,
      language: "en",
      category: "Technology",
      explicit: false,
      autoPublish: false,
    });
  });
}

export async function createShowFor(db: Db | Prisma.TransactionClient, ownerId: string, appUrl: string, fields: z.infer<typeof createShowSchema>): Promise<ShowRow> {
  const feedToken = newFeedToken();
  const webhookSecret = fields.webhookUrl ? generateWebhookSecret() : null;
  return createShow(db, {
    ...fields,
    ownerId,
    feedToken,
    webhookSecret,
    podcastGuid: podcastGuid(new URL(feedPath(feedToken), appUrl).toString()),
  });
}

export async function updateShowFor(db: Db, ownerId: string, id: string, fields: z.infer<typeof updateShowSchema>): Promise<ShowRow> {
  const show = await getOwnedShow(db, ownerId, id);
  const webhookSecret = fields.webhookUrl && !show.webhookSecret ? generateWebhookSecret() : undefined;
  return updateShow(db, show.id, { ...fields, ...(webhookSecret ? { webhookSecret } : {}) });
}

/** A new feed URL; the old one answers 404 from now on. */
export async function rotateFeedToken(db: Db, ownerId: string, id: string): Promise<ShowRow> {
  const show = await getOwnedShow(db, ownerId, id);
  return updateShow(db, show.id, { feedToken: newFeedToken() });
}
