// This process's connection for publishing events (workers, and the web app on retry).
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { createRedis } from "@/lib/redis";
import { toMediaView, type MediaRowLike } from "@/lib/media/view";
import { publishEvent, type FramecastEvent } from "./index";

const holder = globalThis as unknown as { framecastPublisher?: Redis };

function publisher(): Redis {
  holder.framecastPublisher ??= createRedis("events-publish");
  return holder.framecastPublisher;
}

/** Tells every open SSE stream about this photo's current state. */
export function announceMedia(row: MediaRowLike & { ownerId: string }): Promise<string> {
  return publishEvent(publisher(), env().QUEUE_PREFIX, { kind: "media", ownerId: row.ownerId, media: toMediaView(row) });
}

/**
 * An announce function on a connection of the caller's choosing. The worker uses one that
 * waits out a Redis restart; the web app's default fails fast so a request can answer 503.
 */
export function announcer(redis: Redis): (row: MediaRowLike & { ownerId: string }) => Promise<string> {
  return (row) => publishEvent(redis, env().QUEUE_PREFIX, { kind: "media", ownerId: row.ownerId, media: toMediaView(row) });
}

/** Publishes any event (vlogs use this through lib/vlogs/events.ts). */
export function announce(event: FramecastEvent): Promise<string> {
  return publishEvent(publisher(), env().QUEUE_PREFIX, event);
}

export async function closePublisher(): Promise<void> {
  await holder.framecastPublisher?.quit().catch(() => {});
  holder.framecastPublisher = undefined;
}
