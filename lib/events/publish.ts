// Announces a live entity's current state to every open page: one call for every kind, in
// the worker and the web app alike. Kept free of HTTP and auth code (the worker imports it).
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { createRedis, type RedisRole } from "@/lib/redis";
import { publishEvent } from "./index";
import type { LiveKind, LiveKindName, LiveView } from "./kinds";

const holder = globalThis as unknown as { framecastPublisher?: Redis; framecastPublisherRole?: RedisRole };

/**
 * Makes this process publish on a connection that waits out a Redis restart. The worker
 * calls it once at start-up, so every event it publishes (photos, vlogs, whatever comes
 * next) waits for Redis instead of being dropped during a blip. The web app keeps the
 * default, which fails fast so a request can answer 503.
 */
export function publishPatiently(): void {
  if (holder.framecastPublisher && holder.framecastPublisherRole !== "worker-events") {
    throw new Error("publishPatiently() must run before this process publishes anything");
  }
  holder.framecastPublisherRole = "worker-events";
}

function publisher(): Redis {
  holder.framecastPublisher ??= createRedis(holder.framecastPublisherRole ?? "events-publish");
  return holder.framecastPublisher;
}

/** Tells every open stream following this entity about its current state. */
export function publish<K extends LiveKindName>(kind: LiveKind<K>, ownerId: string, view: LiveView<K>): Promise<string> {
  return publishEvent(publisher(), env().QUEUE_PREFIX, { kind: kind.kind, ownerId, id: kind.idOf(view), view });
}

export async function closePublisher(): Promise<void> {
  await holder.framecastPublisher?.quit().catch(() => {});
  holder.framecastPublisher = undefined;
}
