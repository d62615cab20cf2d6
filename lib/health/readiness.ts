// Readiness: can this process do its work right now? Postgres answers a query, Redis
// answers PING with `maxmemory-policy noeviction` (any other policy lets Redis silently
// drop queued jobs under memory pressure), and storage is reachable. Each check has a
// deadline, runs in parallel with the others, and reports a sentence an operator can act
// on — never a connection string or password. Storage says why (refused, timeout,
// unreachable, credentials, bucket missing) in `details.reason` too.
import { StorageCheckError } from "@/lib/storage/types";

export type CheckName = "postgres" | "redis" | "storage";

export interface CheckResult {
  ok: boolean;
  ms: number;
  /** Why it failed, in words an operator can act on. */
  error?: string;
  /** Extra facts worth seeing (e.g. Redis's eviction policy). */
  details?: Record<string, string>;
}

export interface Readiness {
  ready: boolean;
  failed: CheckName[];
  checks: Record<CheckName, CheckResult>;
}

/** The few Redis commands the check needs (an ioredis client has them). */
export interface RedisProbe {
  ping(): Promise<string>;
  config(op: "GET", key: string): Promise<unknown>;
  info(section: string): Promise<string>;
}

export interface ReadinessDeps {
  postgres: () => Promise<unknown>;
  redis: () => Promise<RedisProbe>;
  storage: () => Promise<void>;
  timeoutMs?: number;
}

class NotReady extends Error {
  constructor(
    message: string,
    readonly details?: Record<string, string>,
  ) {
    super(message);
  }
}

export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  const [postgres, redis, storage] = await Promise.all([
    run("postgres", timeoutMs, deps.postgres),
    run("redis", timeoutMs, () => checkRedis(deps.redis)),
    run("storage", timeoutMs, deps.storage),
  ]);
  const checks = { postgres, redis, storage };
  const failed = (Object.keys(checks) as CheckName[]).filter((name) => !checks[name].ok);
  return { ready: failed.length === 0, failed, checks };
}

async function run(name: CheckName, timeoutMs: number, check: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NotReady(`${label(name)} did not answer within ${timeoutMs / 1000} s.`, { reason: "timeout" })), timeoutMs);
  });
  try {
    const details = await Promise.race([check(), deadline]);
    return { ok: true, ms: elapsed(started), ...(isDetails(details) ? { details } : {}) };
  } catch (err) {
    const details = err instanceof NotReady ? err.details : err instanceof StorageCheckError ? { reason: err.reason } : undefined;
    return { ok: false, ms: elapsed(started), error: explain(name, err), ...(details ? { details } : {}) };
  } finally {
    clearTimeout(timer);
  }
}

async function checkRedis(connect: () => Promise<RedisProbe>): Promise<Record<string, string>> {
  const redis = await connect();
  await redis.ping();
  const policy = await maxmemoryPolicy(redis);
  if (policy && policy !== "noeviction") {
    throw new NotReady(
      `Redis's maxmemory-policy is "${policy}"; BullMQ needs "noeviction", or Redis may evict queued jobs when memory is full. Set maxmemory-policy noeviction in redis.conf (or CONFIG SET maxmemory-policy noeviction).`,
      { maxmemoryPolicy: policy },
    );
  }
  return { maxmemoryPolicy: policy ?? "unknown" };
}

/** CONFIG GET where allowed; INFO memory otherwise (managed Redis often disables CONFIG). */
async function maxmemoryPolicy(redis: RedisProbe): Promise<string | null> {
  try {
    const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
    if (reply?.[1]) return reply[1];
  } catch {
    // fall through to INFO
  }
  const info = await redis.info("memory");
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? null;
}

const label = (name: CheckName) => ({ postgres: "PostgreSQL", redis: "Redis", storage: "Storage" })[name];
const elapsed = (started: number) => Math.round(performance.now() - started);
const isDetails = (v: unknown): v is Record<string, string> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A sentence without secrets: connection strings and raw driver messages stay out. */
function explain(name: CheckName, err: unknown): string {
  if (err instanceof NotReady) return err.message;
  // The driver's own sentence: it knows its protocol (S3's bare HEAD answers, say).
  if (err instanceof StorageCheckError) return err.message;
  const code = (err as { code?: string } | null)?.code ?? "";
  const message = err instanceof Error ? err.message : "";
  if (code === "ECONNREFUSED" || /ECONNREFUSED/.test(message)) return `${label(name)} refused the connection (is it running?).`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `${label(name)}'s host name does not resolve.`;
  if (code === "ETIMEDOUT" || /ETIMEDOUT/.test(message)) return `${label(name)} timed out.`;
  if (/NOAUTH|WRONGPASS|password authentication failed|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch/i.test(`${code} ${message}`)) {
    return `${label(name)} rejected our credentials.`;
  }
  if (/max retries per request|Connection is closed|Stream isn't writeable/i.test(message)) return `${label(name)} is unreachable.`;
  if (name === "storage" && /ENOENT|EACCES|EROFS|ENOSPC/.test(`${code} ${message}`)) {
    return `Storage is not usable (${code || "file system error"}).`;
  }
  return `${label(name)} check failed.`;
}
