// Photos as a live kind: what a page following photos is sent (lib/events/kinds.ts).
import { defineLive } from "@/lib/events/kinds";
import { publish } from "@/lib/events/publish";
import { isTerminal } from "./progress";
import { findOwnedMedia } from "./repository";
import { toMediaView, type MediaRowLike } from "./view";

export const mediaLive = defineLive("media", {
  load: async (db, ownerId, ids) => (await findOwnedMedia(db, ownerId, ids)).map(toMediaView),
  idOf: (media) => media.id,
  isTerminal: (media) => isTerminal(media.status),
});

/** Tells every open page about this photo's current state (after each change of its row). */
export function publishMedia(row: MediaRowLike & { ownerId: string }): Promise<string> {
  return publish(mediaLive, row.ownerId, toMediaView(row));
}
