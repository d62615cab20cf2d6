// Redis connections. Each role gets its own connection: BullMQ workers and the event
// hub block on theirs, so they cannot be shared with request-serving commands.
import type { ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";
import { rootLogger, type Logger } from "@/lib/log";

export type RedisRole = "queue" | "worker" | "events-publish" | "events-subscribe" | "lock" | "rate-limit" | "worker-events" | "autoscale" | "idempotency";

/**
 * Roles that wait out a Redis restart: blocking readers, and everything a worker process
 * uses (a worker can do nothing useful without Redis, so its commands queue up while
 * ioredis reconnects and run when Redis is back, instead of failing the job).
 */
const PATIENT_ROLES: readonly RedisRole[] = ["worker", "events-subscribe", "lock", "worker-events"];

/**
 * Connection options for a role, parsed from REDIS_URL. BullMQ is given options rather
 * than a client so that it owns (and closes) the connections it opens.
 */
export function redisOptions(role: RedisRole): RedisOptions {
  const url = new URL(env().REDIS_URL);
  const patient = PATIENT_ROLES.includes(role);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === "rediss:" ? {} : undefined,
    connectionName: `framecast:${role}`,
    // Patient connections wait out a Redis restart instead of failing commands;
    // request-path connections give up after one reconnect so the HTTP edge can answer 503.
    maxRetriesPerRequest: patient ? null : 1,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  };
}

/** The same options typed for BullMQ (its own RedisOptions type is looser than ioredis's). */
export function bullConnection(role: RedisRole): ConnectionOptions {
  return redisOptions(role) as ConnectionOptions;
}

export function createRedis(role: RedisRole): Redis {
  const redis = new Redis(redisOptions(role));
  const log = outageLogger(`redis ${role}`);
  redis.on("error", log.error);
  redis.on("ready", log.recovered);
  return redis;
}

/**
 * Logs a connection outage once, not once per reconnect attempt (the same message again
 * only after a minute), and its end where the caller can tell. Also keeps an 'error'
 * event from going unhandled (ioredis prints those; Node's emitters crash on them).
 */
export function outageLogger(label: string, logger: () => Logger = rootLogger) {
  let last: { message: string; at: number } | null = null;
  return {
    error(err: Error) {
      if (last && last.message === err.message && Date.now() - last.at < 60_000) return;
      last = { message: err.message, at: Date.now() };
      logger().warn({ connection: label, err: err.message }, "connection error");
    },
    recovered() {
      if (!last) return;
      last = null;
      logger().info({ connection: label }, "connection restored");
    },
  };
}

/** Thrown when Redis does not answer in time (see `withRedisTimeout`). */
export class RedisTimeoutError extends Error {
  readonly code = "REDIS_TIMEOUT";
  constructor(what: string, ms: number) {
    super(`Redis did not answer within ${ms} ms (${what})`);
    this.name = "RedisTimeoutError";
  }
}

/**
 * Bounds a request-path Redis operation. maxRetriesPerRequest bounds a command on a
 * connection that was once up, but BullMQ first waits for its connection to become
 * ready, forever if Redis was down when the process started.
 */
export async function withRedisTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(what, ms)), ms);
  });
  work.catch(() => {}); // a late failure after the timeout must not be unhandled
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The port a socket error names ("connect ECONNREFUSED 127.0.0.1:4568" carries it in
 * `port` and in its message), when it names one.
 */
function socketErrorPort(err: Error): number | undefined {
  const port = (err as { port?: unknown }).port;
  if (typeof port === "number") return port;
  const named = /(?:ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ECONNRESET) \S*:(\d+)\b/.exec(err.message);
  return named ? Number(named[1]) : undefined;
}

function redisPort(): number | undefined {
  try {
    return Number(new URL(env().REDIS_URL).port || 6379);
  } catch {
    return undefined;
  }
}

/**
 * True when the error means Redis could not be reached (as opposed to a bad command).
 * A socket error naming another port is some other dependency's (storage, a provider):
 * it must not be reported as "the job queue is unavailable".
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  const port = socketErrorPort(err);
  const ours = redisPort();
  if (port !== undefined && ours !== undefined && port !== ours) return false;
  return (
    code === "ECONNREFUSED" ||
    code === "REDIS_TIMEOUT" ||
    err.name === "MaxRetriesPerRequestError" ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|max retries per request/i.test(err.message)
  );
}
