// What the HTTP edge asks of the podcast domain about shows: list (the account's first show
// is made on first use), create, edit, rotate the feed token, set the artwork. Every change
// a feed shows asks the worker to rebuild that feed.
import { readFile } from "node:fs/promises";
import type { SessionUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { storage } from "@/lib/storage/instance";
import { makeArtwork } from "./artwork";
import { requestFeedRebuild, urlConfig } from "./episodes";
import { artworkKey, IMMUTABLE } from "./keys";
import { getOwnedShow, listOwnedShows, updateShow, type ShowRow } from "./repository";
import { createShowFor, ensureDefaultShow, rotateFeedToken, updateShowFor, type createShowSchema, type updateShowSchema } from "./shows";
import { toShowView, type ShowView } from "./view";
import type { z } from "zod";

/** A show as its owner sees it; `webhookSecret` only in the answer that created it. */
export type ShowAnswer = ShowView & { webhookSecret?: string };

const view = (show: ShowRow) => toShowView(show, urlConfig());

export async function listShows(user: SessionUser): Promise<ShowView[]> {
  await ensureDefaultShow(db(), user, env().APP_URL);
  return (await listOwnedShows(db(), user.id)).map(view);
}

export async function getShowView(user: SessionUser, id: string): Promise<ShowView> {
  return view(await getOwnedShow(db(), user.id, id));
}

export async function createShow(user: SessionUser, fields: z.infer<typeof createShowSchema>): Promise<ShowAnswer> {
  const show = await createShowFor(db(), user.id, env().APP_URL, fields);
  await requestFeedRebuild(show.id);
  return { ...view(show), ...(show.webhookSecret ? { webhookSecret: show.webhookSecret } : {}) };
}

export async function editShow(user: SessionUser, id: string, fields: z.infer<typeof updateShowSchema>): Promise<ShowAnswer> {
  const before = await getOwnedShow(db(), user.id, id);
  const show = await updateShowFor(db(), user.id, id, fields);
  await requestFeedRebuild(show.id);
  const newSecret = show.webhookSecret && show.webhookSecret !== before.webhookSecret ? show.webhookSecret : undefined;
  return { ...view(show), ...(newSecret ? { webhookSecret: newSecret } : {}) };
}

/** A new feed URL; the old one answers 404 from now on. */
export async function rotateToken(user: SessionUser, id: string): Promise<ShowView> {
  const show = await rotateFeedToken(db(), user.id, id);
  // The feed names its own URL (atom:link rel="self").
  await requestFeedRebuild(show.id);
  return view(show);
}

/** Makes the uploaded picture the show's square artwork (1400–3000 px JPEG). */
export async function setArtwork(user: SessionUser, id: string, file: { bytes: Buffer } | { path: string }): Promise<ShowView & { upscaled: boolean }> {
  const show = await getOwnedShow(db(), user.id, id);
  const bytes = "bytes" in file ? file.bytes : await readFile(file.path);
  const art = await makeArtwork(bytes, { maxPixels: env().MAX_PIXELS });
  const key = artworkKey(show.id);
  await storage().putBuffer(key, art.data, art.contentType, { cacheControl: IMMUTABLE });
  const updated = await updateShow(db(), show.id, { artworkKey: key });
  await requestFeedRebuild(show.id);
  // The old picture goes now; the feed stops naming it within seconds (apps keep their copy).
  if (show.artworkKey) await storage().delete(show.artworkKey).catch(() => {});
  return { ...view(updated), upscaled: art.upscaled };
}
