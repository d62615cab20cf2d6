// Vlogs as a live kind: what a page following vlogs is sent (lib/events/kinds.ts).
import type { Db } from "@/lib/db";
import { defineLive } from "@/lib/events/kinds";
import { publish } from "@/lib/events/publish";
import { findOwnedVlogs, getVlogByRun } from "./repository";
import { isTerminalVlog, toVlogView } from "./view";

export const vlogLive = defineLive("vlog", {
  load: async (db, ownerId, ids) => (await findOwnedVlogs(db, ownerId, ids)).map(toVlogView),
  idOf: (vlog) => vlog.id,
  isTerminal: (vlog) => isTerminalVlog(vlog.status),
});

/**
 * Tells every open page about the vlog of this workflow run. Called by the workflow engine
 * after each change of the run (worker) and by the service after each user action (web).
 */
export async function publishVlogRun(db: Db, runId: string): Promise<void> {
  const row = await getVlogByRun(db, runId);
  if (row) await publish(vlogLive, row.ownerId, toVlogView(row));
}
