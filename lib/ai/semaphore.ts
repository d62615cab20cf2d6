// A counting semaphore in Redis: at most `limit` holders at once across every process that
// shares the key (AI_MAX_CONCURRENT_REQUESTS per provider, not per worker). Holders live in
// a sorted set scored by lease expiry; a live holder renews its lease, so a crashed one's
// slot frees itself when its lease runs out. Waiters poll with a growing, jittered pause:
// simple, and a slot is a provider call of seconds, so a few ms of latency is nothing.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { sleep } from "./sleep";

export interface SemaphoreConfig {
  redis: Redis;
  key: string;
  limit: number;
  /** A holder that stops renewing (crashed) loses its slot after this long. */
  leaseMs?: number;
  /** Longest pause between two tries while waiting. */
  maxPollMs?: number;
}

export interface Semaphore {
  /** Waits for a slot; resolves to its release function (call it in `finally`). */
  acquire(signal?: AbortSignal): Promise<() => Promise<void>>;
  /** acquire → fn → release. */
  use<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Holders right now (expired leases not counted). */
  holders(): Promise<number>;
}

export const DEFAULT_LEASE_MS = 15_000;

// Times come from Redis (TIME), so processes with skewed clocks agree on expiry.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  return 1
end
return 0`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
local renewed = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + lease, ARGV[1])
if renewed == 1 then redis.call('PEXPIRE', KEYS[1], lease * 2) end
return renewed`;

const COUNT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`;

export function createSemaphore(config: SemaphoreConfig): Semaphore {
  const leaseMs = config.leaseMs ?? DEFAULT_LEASE_MS;
  const maxPollMs = config.maxPollMs ?? 250;
  const { redis, key, limit } = config;

  async function acquire(signal?: AbortSignal): Promise<() => Promise<void>> {
    const token = `${process.pid}:${randomBytes(8).toString("hex")}`;
    let pause = 10;
    for (;;) {
      signal?.throwIfAborted();
      const got = (await redis.eval(ACQUIRE, 1, key, token, limit, leaseMs)) as number;
      if (got === 1) break;
      await sleep(pause * (0.5 + Math.random()), signal);
      pause = Math.min(pause * 2, maxPollMs);
    }
    // Renew well before expiry; errors (Redis blinking) are left to the next renewal.
    const renewal = setInterval(() => {
      redis.eval(RENEW, 1, key, token, leaseMs).catch(() => {});
    }, Math.max(50, Math.floor(leaseMs / 3)));
    renewal.unref();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      clearInterval(renewal);
      await redis.zrem(key, token);
    };
  }

  return {
    acquire,
    async use(fn, signal) {
      const release = await acquire(signal);
      try {
        return await fn();
      } finally {
        // A failed release (Redis down) only costs the slot until the lease runs out.
        await release().catch(() => {});
      }
    },
    async holders() {
      return (await redis.eval(COUNT, 1, key)) as number;
    },
  };
}
