// The web process's single EventHub (kept on globalThis to survive dev reloads).
import { env } from "@/lib/env";
import { createRedis } from "@/lib/redis";
import { EventHub } from "./hub";

const holder = globalThis as unknown as { framecastHub?: EventHub };

export function eventHub(): EventHub {
  holder.framecastHub ??= new EventHub(() => createRedis("events-subscribe"), env().QUEUE_PREFIX);
  return holder.framecastHub;
}

export async function closeEventHub(): Promise<void> {
  await holder.framecastHub?.close();
  holder.framecastHub = undefined;
}
