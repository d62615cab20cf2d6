// The progress bus. Workers append events to one capped Redis stream; every web process
// reads it on a single connection (see hub.ts) and fans events out to its SSE clients.
import type { Redis } from "ioredis";
import type { MediaView } from "@/lib/media/view";
import type { VlogView } from "@/lib/vlogs/view";

export interface MediaEvent {
  kind: "media";
  ownerId: string;
  media: MediaView;
}

export interface VlogEvent {
  kind: "vlog";
  ownerId: string;
  vlog: VlogView;
}

export type FramecastEvent = MediaEvent | VlogEvent;

/** The entity an event is about: SSE streams subscribe by entity id (ids are UUIDs, unique across kinds). */
export function eventEntityId(event: FramecastEvent): string {
  return event.kind === "vlog" ? event.vlog.id : event.media.id;
}

/** Old entries are trimmed so Redis memory stays bounded (approximate, which is cheap). */
export const EVENTS_MAXLEN = 10_000;

export const eventsKey = (prefix: string) => `${prefix}:events`;

export async function publishEvent(redis: Redis, prefix: string, event: FramecastEvent): Promise<string> {
  const id = await redis.xadd(eventsKey(prefix), "MAXLEN", "~", EVENTS_MAXLEN, "*", "e", JSON.stringify(event));
  return id ?? "";
}
