// The web side of live progress, the same for every live kind (kinds.ts): the `?ids=`
// parser, the SSE stream route (`export const GET = liveStreamRoute(mediaLive)`) and the
// polling fallback that answers `GET <path>?ids=` when a browser cannot keep a stream open.
import { z } from "zod";
import { requireUser } from "@/lib/auth";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { badRequest } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { sseResponse } from "@/lib/http/sse";
import { trackSseStream } from "@/lib/metrics/web";
import type { LiveKind, LiveKindName, LiveView } from "./kinds";
import { eventHub } from "./web";

const uuid = z.string().uuid();

/** `?ids=a,b,c`: between 1 and the kind's maximum ids, duplicates removed; a malformed id is reported like a missing one. */
export function liveIds(kind: LiveKind, url: URL): string[] {
  const raw = url.searchParams.get("ids");
  const ids = [...new Set((raw ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
  if (ids.length === 0) throw badRequest(`Pass the ids of the ${kind.label} to follow as ?ids=<id>,<id>.`);
  if (ids.length > kind.maxIds) throw badRequest(`Follow at most ${kind.maxIds} ${kind.label} per request.`);
  if (!ids.every((id) => uuid.safeParse(id).success)) throw new NotFoundError(`One of those ${kind.label}`);
  return ids;
}

/**
 * `GET <path>/stream?ids=a,b`: one SSE stream of the signed-in user's entities of this kind.
 * A snapshot from Postgres first, then live events (each with an `id:`), named after the
 * kind; an `end` event once every one is terminal. Someone else's id is a 404, like a
 * missing one. A browser that reconnects (Last-Event-ID) gets a fresh snapshot, so it
 * never misses a terminal state.
 */
export function liveStreamRoute<K extends LiveKindName>(kind: LiveKind<K>) {
  type View = LiveView<K>;
  return route(async (request) => {
    const user = await requireUser(request);
    const ids = liveIds(kind, new URL(request.url));

    // Subscribe before reading the snapshot, so an event published in between is held,
    // not lost; versions then drop whatever the snapshot already covers.
    // Only what an open stream needs is kept past this point (the owner's id, not the
    // user; the snapshot is dropped once sent): at thousands of streams it adds up.
    const ownerId = user.id;
    let held: [View, string][] | null = [];
    let deliver: ((view: View, eventId?: string) => void) | null = null;
    const unsubscribe = await eventHub().subscribe(ids, (event, eventId) => {
      if (event.kind !== kind.kind || event.ownerId !== ownerId) return;
      const view = event.view as View;
      if (deliver) deliver(view, eventId);
      else held?.push([view, eventId]);
    });

    let snapshot: View[] | null;
    try {
      snapshot = await kind.load(db(), ownerId, ids);
    } catch (err) {
      unsubscribe();
      throw err;
    }
    if (snapshot.length !== ids.length) {
      unsubscribe();
      throw new NotFoundError(`One of those ${kind.label}`);
    }

    return sseResponse(request.signal, (channel) => {
      channel.onClose(unsubscribe);
      trackSseStream(kind.kind, channel.onClose);
      const versions = new Map<string, number>();
      const finished = new Set<string>();
      deliver = (view, eventId) => {
        const id = kind.idOf(view);
        if (view.version <= (versions.get(id) ?? -1)) return;
        versions.set(id, view.version);
        channel.send({ event: kind.kind, id: eventId, data: view });
        if (kind.isTerminal(view)) finished.add(id);
        else finished.delete(id);
        if (finished.size === ids.length) {
          channel.send({ event: "end", data: { reason: `all ${kind.label} finished` } });
          channel.close();
        }
      };
      for (const view of snapshot!) deliver(view);
      for (const [view, eventId] of held!) deliver(view, eventId);
      snapshot = held = null;
    });
  });
}

/**
 * The polling fallback, `GET <path>?ids=a,b`: the current state of those of the user's
 * entities, as `{ [listKey]: views }`. Ids that are missing or not theirs are left out.
 */
export async function livePoll(kind: LiveKind, ownerId: string, url: URL): Promise<Response> {
  const views = await kind.load(db(), ownerId, liveIds(kind, url));
  return Response.json({ [kind.listKey]: views });
}
