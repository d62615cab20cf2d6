// GET ?ids=a,b: one SSE stream of live progress for your vlogs (phase, step, percent, each
// step's outcome). A snapshot from Postgres first, then live events; ends when every vlog
// is completed or failed (a page re-opens it after Resume or Render).
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { eventHub } from "@/lib/events/web";
import { vlogIdsParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sse";
import { findOwnedVlogs } from "@/lib/vlogs/repository";
import { isTerminalVlog, toVlogView, type VlogView } from "@/lib/vlogs/view";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  const user = await requireUser(request);
  const ids = vlogIdsParam(new URL(request.url));

  // Subscribe before the snapshot so nothing published in between is lost; versions drop
  // whatever the snapshot already covers.
  const held: [VlogView, string][] = [];
  let deliver: ((vlog: VlogView, eventId?: string) => void) | null = null;
  const unsubscribe = await eventHub().subscribe(ids, (event, eventId) => {
    if (event.kind !== "vlog" || event.ownerId !== user.id) return;
    if (deliver) deliver(event.vlog, eventId);
    else held.push([event.vlog, eventId]);
  });

  let snapshot;
  try {
    snapshot = await findOwnedVlogs(db(), user.id, ids);
  } catch (err) {
    unsubscribe();
    throw err;
  }
  if (snapshot.length !== ids.length) {
    unsubscribe();
    throw new NotFoundError("One of those vlogs");
  }

  return sseResponse(request.signal, (channel) => {
    channel.onClose(unsubscribe);
    const versions = new Map<string, number>();
    const finished = new Set<string>();
    deliver = (vlog, eventId) => {
      if (vlog.version <= (versions.get(vlog.id) ?? -1)) return;
      versions.set(vlog.id, vlog.version);
      channel.send({ event: "vlog", id: eventId, data: vlog });
      if (isTerminalVlog(vlog.status)) finished.add(vlog.id);
      else finished.delete(vlog.id);
      if (finished.size === ids.length) {
        channel.send({ event: "end", data: { reason: "every vlog finished" } });
        channel.close();
      }
    };
    for (const row of snapshot) deliver(toVlogView(row));
    for (const [vlog, eventId] of held.splice(0)) deliver(vlog, eventId);
  });
});
