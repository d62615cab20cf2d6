// What the podcast pages render first, read on the server through the podcast services (the
// client then follows the API and the live stream). Someone else's or a malformed id is
// "not found", exactly like a missing one.
import { notFound } from "next/navigation";
import { z } from "zod";
import type { SessionUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { getEpisodeDetail } from "@/lib/podcasts/episodes";
import { listOwnedEpisodes } from "@/lib/podcasts/repository";
import { getShowView, listShows } from "@/lib/podcasts/show-service";
import { toEpisodeView, type EpisodeDetail, type EpisodeView, type ShowView } from "@/lib/podcasts/view";

const uuid = z.string().uuid();

/** The page's list length, and the client's (components/podcasts/podcasts-home.tsx). */
export const EPISODES_SHOWN = 100;

async function owned<T>(id: string, load: () => Promise<T>): Promise<T> {
  if (!uuid.safeParse(id).success) notFound();
  try {
    return await load();
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
}

/** The account's shows (the first made now if there is none) and its newest episodes. */
export async function loadPodcasts(user: SessionUser): Promise<{ shows: ShowView[]; episodes: EpisodeView[] }> {
  const shows = await listShows(user);
  const episodes = (await listOwnedEpisodes(db(), user.id, { limit: EPISODES_SHOWN })).map(toEpisodeView);
  return { shows, episodes };
}

export const loadShow = (user: SessionUser, id: string): Promise<ShowView> => owned(id, () => getShowView(user, id));

export const loadEpisode = (user: SessionUser, id: string): Promise<EpisodeDetail> => owned(id, () => getEpisodeDetail(user, id));
