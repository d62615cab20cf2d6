// The progress bus. Workers append events to one capped Redis stream; every web process
// reads it on a single connection (see hub.ts) and fans events out to its SSE clients.
import type { Redis } from "ioredis";
import type { MediaView } from "@/lib/media/view";

export interface MediaEvent {
  kind: "media";
  ownerId: string;
  media: MediaView;
}

/** Old entries are trimmed so Redis memory stays bounded (approximate, which is cheap). */
export const EVENTS_MAXLEN = 10_000;

export const eventsKey = (prefix: string) => `${prefix}:events`;

export async function publishEvent(redis: Redis, prefix: string, event: MediaEvent): Promise<string> {
  const id = await redis.xadd(eventsKey(prefix), "MAXLEN", "~", EVENTS_MAXLEN, "*", "e", JSON.stringify(event));
  return id ?? "";
}
