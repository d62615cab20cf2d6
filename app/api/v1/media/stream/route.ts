// GET ?ids=a,b,c: one SSE stream of live progress for many of your photos. Sends a
// snapshot from Postgres, then live events, and ends when every photo is done or failed.
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { eventHub } from "@/lib/events/web";
import { idsParam } from "@/lib/http/params";
import { route } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sse";
import { isTerminal } from "@/lib/media/progress";
import { findOwnedMedia } from "@/lib/media/repository";
import { toMediaView, type MediaView } from "@/lib/media/view";
import { trackSseStream } from "@/lib/metrics/web";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async (request) => {
  const user = await requireUser(request);
  const ids = idsParam(new URL(request.url));

  // Subscribe before reading the snapshot, so an event published in between is held,
  // not lost; versions then drop whatever the snapshot already covers.
  const held: [MediaView, string][] = [];
  let deliver: ((media: MediaView, eventId?: string) => void) | null = null;
  const unsubscribe = await eventHub().subscribe(ids, (event, eventId) => {
    if (event.kind !== "media" || event.ownerId !== user.id) return;
    if (deliver) deliver(event.media, eventId);
    else held.push([event.media, eventId]);
  });

  let snapshot;
  try {
    snapshot = await findOwnedMedia(db(), user.id, ids);
  } catch (err) {
    unsubscribe();
    throw err;
  }
  if (snapshot.length !== ids.length) {
    unsubscribe();
    throw new NotFoundError("One of those photos");
  }

  return sseResponse(request.signal, (channel) => {
    channel.onClose(unsubscribe);
    trackSseStream("media", channel.onClose);
    const versions = new Map<string, number>();
    const finished = new Set<string>();
    deliver = (media, eventId) => {
      if (media.version <= (versions.get(media.id) ?? -1)) return;
      versions.set(media.id, media.version);
      channel.send({ event: "media", id: eventId, data: media });
      if (isTerminal(media.status)) finished.add(media.id);
      else finished.delete(media.id);
      if (finished.size === ids.length) {
        channel.send({ event: "end", data: { reason: "all photos finished" } });
        channel.close();
      }
    };
    for (const row of snapshot) deliver(toMediaView(row));
    for (const [media, eventId] of held.splice(0)) deliver(media, eventId);
  });
});
