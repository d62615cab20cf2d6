// Fixed-window rate limits in Redis, so every web process shares the same counters. One
// key per (action, subject), e.g. ("signin-ip", "203.0.113.7"); the first hit of a window
// sets the key's expiry, and the key's remaining TTL is the Retry-After a refused client
// is told. Fixed windows allow a burst of up to 2× at a window edge, which is fine for
// stopping guessing and floods, and costs one round trip per check.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";
import { log } from "@/lib/log";
import { createRedis } from "@/lib/redis";
import { dropSingleton, singleton } from "@/lib/singleton";

export interface RateRule {
  limit: number;
  windowMs: number;
}

export interface RateState {
  count: number;
  retryAfterMs: number;
}

// INCR then set the expiry on the first hit (or if a crash left the key without one).
const HIT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/** A token bucket: `capacity` requests at once, refilled at `perMinute` a minute. */
export interface BucketRule {
  capacity: number;
  perMinute: number;
}

export interface BucketState {
  allowed: boolean;
  /** Whole requests that could be made right now. */
  remaining: number;
  /** Until the next request would be allowed (0 when allowed). */
  retryAfterMs: number;
  /** Until the bucket is full again. */
  resetMs: number;
}

// Refills by the time since the last take (Redis's own clock, so every web process agrees),
// then takes one token if there is one. Fractions are kept: 100/min is one per 600 ms.
const TAKE = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / perMs) + 1000)
return {allowed, tostring(tokens)}`;

/** The two scripts as commands: sent once, then called by their SHA (EVALSHA), not resent on every request. */
type ScriptedRedis = Redis & {
  fcRateHit(key: string, windowMs: number): Promise<[number, number]>;
  fcRateTake(key: string, capacity: number, perMs: number): Promise<[number, string]>;
};

export class RateLimiter {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand("fcRateHit", { numberOfKeys: 1, lua: HIT });
    redis.defineCommand("fcRateTake", { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as ScriptedRedis;
  }

  private key(action: string, subject: string): string {
    // Hashed: subjects can be email addresses, which have no business in Redis keys.
    const digest = createHash("sha256").update(subject).digest("base64url").slice(0, 22);
    return `${this.prefix}:rl:${action}:${digest}`;
  }

  /** Counts one attempt and returns the state after it. */
  async hit(action: string, subject: string, rule: RateRule): Promise<RateState> {
    const [count, ttl] = await this.redis.fcRateHit(this.key(action, subject), rule.windowMs);
    return { count, retryAfterMs: ttl };
  }

  /** The state without counting (e.g. failures so far). */
  async peek(action: string, subject: string): Promise<RateState> {
    const key = this.key(action, subject);
    const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    return { count: Number(count ?? 0), retryAfterMs: Math.max(ttl, 0) };
  }

  /** Takes one token from the (action, subject) bucket, if there is one. */
  async take(action: string, subject: string, rule: BucketRule): Promise<BucketState> {
    const perMs = rule.perMinute / 60_000;
    const [allowed, left] = await this.redis.fcRateTake(`${this.key(action, subject)}:tb`, rule.capacity, perMs);
    const tokens = Number(left);
    return {
      allowed: allowed === 1,
      remaining: Math.floor(tokens),
      retryAfterMs: allowed === 1 ? 0 : Math.ceil((1 - tokens) / perMs),
      resetMs: Math.ceil((rule.capacity - tokens) / perMs),
    };
  }

  async reset(action: string, subject: string): Promise<void> {
    await this.redis.del(this.key(action, subject));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => {});
  }
}

/** The refusal a person reads, with how long to wait (the edge adds Retry-After). */
export function tooManyRequests(message: string, retryAfterMs: number): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new RateLimitedError(`${message} Try again in ${describeWait(seconds)}.`, retryAfterMs);
}

function describeWait(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** Counts an attempt; throws RateLimitedError once the rule's limit is passed. */
export async function enforce(action: string, subject: string, rule: RateRule, message: string): Promise<void> {
  const state = await rateLimiter().hit(action, subject, rule);
  if (state.count > rule.limit) {
    if (state.count === rule.limit + 1) log().warn({ action, limit: rule.limit, windowSeconds: rule.windowMs / 1000 }, "security: rate limit reached");
    throw tooManyRequests(message, state.retryAfterMs);
  }
}

/** This process's limiter, on its own request-path Redis connection. */
export function rateLimiter(): RateLimiter {
  return singleton("rate-limiter", () => new RateLimiter(createRedis("rate-limit"), env().QUEUE_PREFIX));
}

export async function closeRateLimiter(): Promise<void> {
  await dropSingleton<RateLimiter>("rate-limiter")?.close();
}
