// Episodes as a live kind (lib/events/kinds.ts): what a page following episodes is sent —
// the upload list's bars and the episode page — over SSE, or by polling GET
// /api/v1/episodes?ids= when a stream cannot stay open.
import type { Db } from "@/lib/db";
import { defineLive } from "@/lib/events/kinds";
import { publish } from "@/lib/events/publish";
import { findOwnedEpisodes, getEpisodeByRun } from "./repository";
import { isTerminalEpisode, toEpisodeView } from "./view";

export const episodeLive = defineLive("episode", {
  load: async (db, ownerId, ids) => (await findOwnedEpisodes(db, ownerId, ids)).map(toEpisodeView),
  idOf: (episode) => episode.id,
  isTerminal: (episode) => isTerminalEpisode(episode.status),
});

/**
 * Tells every open page about the episode of this workflow run. Called by the workflow
 * engine after each change of the run (worker) and by the services after each action (web).
 */
export async function publishEpisodeRun(db: Db, runId: string): Promise<void> {
  const row = await getEpisodeByRun(db, runId);
  if (row) await publish(episodeLive, row.ownerId, toEpisodeView(row));
}
