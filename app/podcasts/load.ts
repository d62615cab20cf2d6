// What the podcast pages render first, read on the server (the client then follows the API).
// A someone-else's or malformed id is "not found", exactly like a missing one.
import { notFound } from "next/navigation";
import { z } from "zod";
import type { ShowView } from "@/components/podcasts/types";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { getOwnedEpisode, getOwnedShow, listOwnedShows, type ShowRow } from "@/lib/podcasts/repository";
import { ensureDefaultShow, feedPath } from "@/lib/podcasts/shows";

const uuid = z.string().uuid();

// TODO(podcast-pipeline): use the API's show view once it is on main.
function toShowView(row: ShowRow): ShowView {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    author: row.author,
    ownerName: row.ownerName,
    ownerEmail: row.ownerEmail,
    language: row.language,
    category: row.category,
    explicit: row.explicit,
    artworkUrl: row.artworkKey ? `/api/v1/shows/${row.id}/artwork?v=${row.feedVersion}` : null,
    discordWebhook: Boolean(row.discordWebhookUrl),
    webhookUrl: row.webhookUrl,
    webhookSecretSet: Boolean(row.webhookSecret),
    autoPublish: row.autoPublish,
    feedUrl: new URL(feedPath(row.feedToken), env().APP_URL).toString(),
    createdAt: row.createdAt.toISOString(),
  };
}

/** The account's shows, the first made now if there is none. */
export async function loadShows(user: { id: string; email: string }): Promise<ShowView[]> {
  await ensureDefaultShow(db(), user, env().APP_URL);
  return (await listOwnedShows(db(), user.id)).map(toShowView);
}

export async function loadShow(userId: string, id: string): Promise<ShowView> {
  if (!uuid.safeParse(id).success) notFound();
  try {
    return toShowView(await getOwnedShow(db(), userId, id));
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
}

/** The episode's id, once it is known to be the user's. */
export async function loadEpisodeId(userId: string, id: string): Promise<string> {
  if (!uuid.safeParse(id).success) notFound();
  try {
    return (await getOwnedEpisode(db(), userId, id)).id;
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
}
