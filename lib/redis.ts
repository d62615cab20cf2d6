// Redis connections. Each role gets its own connection: BullMQ workers and the event
// hub block on theirs, so they cannot be shared with request-serving commands.
import type { ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";

export type RedisRole = "queue" | "worker" | "events-publish" | "events-subscribe" | "lock" | "rate-limit";

/**
 * Connection options for a role, parsed from REDIS_URL. BullMQ is given options rather
 * than a client so that it owns (and closes) the connections it opens.
 */
export function redisOptions(role: RedisRole): RedisOptions {
  const url = new URL(env().REDIS_URL);
  const blocking = role === "worker" || role === "events-subscribe";
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === "rediss:" ? {} : undefined,
    connectionName: `framecast:${role}`,
    // Blocking connections wait out a Redis restart instead of failing commands;
    // request-path connections give up after one reconnect so the HTTP edge can answer 503.
    maxRetriesPerRequest: blocking ? null : 1,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  };
}

/** The same options typed for BullMQ (its own RedisOptions type is looser than ioredis's). */
export function bullConnection(role: RedisRole): ConnectionOptions {
  return redisOptions(role) as ConnectionOptions;
}

export function createRedis(role: RedisRole): Redis {
  return new Redis(redisOptions(role));
}

/** True when the error means Redis could not be reached (as opposed to a bad command). */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  return (
    code === "ECONNREFUSED" ||
    err.name === "MaxRetriesPerRequestError" ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|max retries per request/i.test(err.message)
  );
}
