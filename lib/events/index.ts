// The progress bus. Workers (and the web app, after a user's action) append events to one
// capped Redis stream; every web process reads it on a single connection (see hub.ts) and
// fans events out to its SSE clients. One event shape for every live kind (kinds.ts).
import type { Redis } from "ioredis";
import type { LiveKindName, LiveView } from "./kinds";

export interface LiveEvent<K extends LiveKindName = LiveKindName> {
  kind: K;
  ownerId: string;
  /** The entity it is about: SSE streams subscribe by id (ids are UUIDs, unique across kinds). */
  id: string;
  view: LiveView<K>;
}

/** Old entries are trimmed so Redis memory stays bounded (approximate, which is cheap). */
export const EVENTS_MAXLEN = 10_000;

export const eventsKey = (prefix: string) => `${prefix}:events`;

export async function publishEvent(redis: Redis, prefix: string, event: LiveEvent): Promise<string> {
  const id = await redis.xadd(eventsKey(prefix), "MAXLEN", "~", EVENTS_MAXLEN, "*", "e", JSON.stringify(event));
  return id ?? "";
}
