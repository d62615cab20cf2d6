// Per-provider circuit breaker kept in Redis, so every worker process sees the same state:
// a provider that failed (outage, rate limit, quota) rests for a while and nobody calls it.
// This is how a 429's retry delay is honoured across all workers, not just the one that
// met it (issue 13: a 3 s retryDelay was followed by five more requests within 0.5 s).
//
// Two keys per provider, both expiring by themselves (so there is nothing to close):
//   <prefix>:ai:circuit:<provider>        open: the chain skips the provider (value: why)
//   <prefix>:ai:circuit:<provider>:wait   the provider's own retry delay, for paths that have
//                                         no fallback (photo captions) and must only wait that
// Opening never shortens a longer rest another process already set.
import type { Redis } from "ioredis";
import { AiError, isMalformedReply, type AiErrorKind } from "./errors";

export interface CircuitState {
  open: boolean;
  /** How long the provider still rests (0 when closed). */
  remainingMs: number;
  /** How much of the provider's own retry delay is left (0 when none). */
  waitMs: number;
  kind?: AiErrorKind;
  reason?: string;
}

export interface Circuit {
  state(provider: string): Promise<CircuitState>;
  /**
   * Opens the circuit for a failure, if the failure says anything about the provider's
   * health; returns how long it rests (0: not opened). A rate limit rests the delay the
   * provider asked for (`openMs` when it named none), other failures `openMs`.
   */
  trip(provider: string, err: AiError): Promise<number>;
  /** Closes it at once (an operator's "try again now"; tests). */
  reset(provider: string): Promise<void>;
}

export interface CircuitConfig {
  redis: Redis;
  /** QUEUE_PREFIX: keeps installations (and test files) sharing a Redis apart. */
  prefix: string;
  /** AI_CIRCUIT_OPEN_MS. */
  openMs: number;
}

const TRIP = `
local function lengthen(key, value, ms)
  if ms <= 0 then return end
  if redis.call('PTTL', key) < ms then redis.call('SET', key, value, 'PX', ms) end
end
lengthen(KEYS[1], ARGV[1], tonumber(ARGV[2]))
lengthen(KEYS[2], ARGV[1], tonumber(ARGV[3]))
return redis.call('PTTL', KEYS[1])`;

const STATE = `return { redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]) }`;

export function createCircuit(config: CircuitConfig): Circuit {
  const key = (provider: string) => `${config.prefix}:ai:circuit:${provider}`;

  return {
    async state(provider) {
      const [value, ttl, waitTtl] = (await config.redis.eval(STATE, 2, key(provider), `${key(provider)}:wait`)) as [string | null, number, number];
      const waitMs = Math.max(0, waitTtl);
      if (value === null || ttl <= 0) return { open: false, remainingMs: 0, waitMs };
      const why = parse(value);
      return { open: true, remainingMs: ttl, waitMs, kind: why.kind, reason: why.reason };
    },

    async trip(provider, err) {
      const { openMs, waitMs } = restFor(err, config.openMs);
      if (openMs <= 0) return 0;
      const value = JSON.stringify({ kind: err.kind, reason: err.message });
      await config.redis.eval(TRIP, 2, key(provider), `${key(provider)}:wait`, value, openMs, waitMs);
      return openMs;
    },

    async reset(provider) {
      await config.redis.del(key(provider), `${key(provider)}:wait`);
    },
  };
}

/**
 * Permanent failures (a bad request, a refused prompt) and malformed replies are about
 * this request, not the provider, so they do not open the circuit.
 */
export function restFor(err: AiError, openMs: number): { openMs: number; waitMs: number } {
  switch (err.kind) {
    case "rate_limited": {
      // The provider said when it will answer again: rest exactly that long, so a photo
      // waiting for its caption (lib/ai/describe.ts) is held 3 s by a 429 asking for 3 s,
      // not AI_CIRCUIT_OPEN_MS. Without a stated delay, the configured rest.
      const wait = err.retryAfterMs ?? 0;
      return wait > 0 ? { openMs: wait, waitMs: wait } : { openMs, waitMs: 0 };
    }
    case "quota_exhausted":
      return { openMs, waitMs: 0 };
    case "transient":
      if (isMalformedReply(err)) return { openMs: 0, waitMs: 0 };
      return { openMs: Math.max(openMs, err.retryAfterMs ?? 0), waitMs: 0 };
    default:
      return { openMs: 0, waitMs: 0 };
  }
}

function parse(value: string): { kind?: AiErrorKind; reason?: string } {
  try {
    return JSON.parse(value) as { kind?: AiErrorKind; reason?: string };
  } catch {
    return {};
  }
}
