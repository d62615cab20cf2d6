// Tells every open SSE stream about a vlog's current state. Called by the workflow engine
// after each change of its run (worker) and by the service after each user action (web).
import type { Db } from "@/lib/db";
import type { FramecastEvent } from "@/lib/events";
import { getVlogByRun } from "./repository";
import { toVlogView } from "./view";

export function vlogAnnouncer(db: Db, publish: (event: FramecastEvent) => Promise<unknown>) {
  return async (run: { id: string }) => {
    const row = await getVlogByRun(db, run.id);
    if (!row) return;
    await publish({ kind: "vlog", ownerId: row.ownerId, vlog: toVlogView(row) });
  };
}
