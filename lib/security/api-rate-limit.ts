// The per-caller rate limit of the jobs API (seed 003): RATE_LIMIT_REQUESTS_PER_MINUTE
// sustained, RATE_LIMIT_BURST_SIZE at once, as a token bucket in Redis shared by every web
// process. One bucket per API token (named by its hash); a browser's sessions share one per
// user. Every answer says where the caller stands (RateLimit-* headers); a refusal is a 429
// with Retry-After.
//
// The headers describe the bucket as the equivalent window: a full bucket of BURST requests
// refills in BURST / rate, so 10 at 100/min reads "RateLimit-Limit: 10", "RateLimit-Policy:
// 10;w=6" — at most 10 in any 6 seconds, which is 100 a minute.
import { createHash } from "node:crypto";
import { requireUser, type SessionUser } from "@/lib/auth";
import { env } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/status";
import { log } from "@/lib/log";
import { rateLimiter, type BucketRule, type BucketState } from "./rate-limit";

export function apiBucketRule(config = env()): BucketRule {
  return { capacity: config.RATE_LIMIT_BURST_SIZE, perMinute: config.RATE_LIMIT_REQUESTS_PER_MINUTE };
}

export function rateLimitHeaders(rule: BucketRule, state: BucketState): Record<string, string> {
  const windowSeconds = Math.max(1, Math.round((rule.capacity / rule.perMinute) * 60));
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(rule.capacity),
    "RateLimit-Remaining": String(Math.max(0, state.remaining)),
    "RateLimit-Reset": String(Math.ceil(state.resetMs / 1000)),
    "RateLimit-Policy": `${rule.capacity};w=${windowSeconds}`,
  };
  if (!state.allowed) headers["Retry-After"] = String(Math.max(1, Math.ceil(state.retryAfterMs / 1000)));
  return headers;
}

/** The bucket of a request with an API token, named by the token's hash: known before the token is looked up. */
function tokenBucket(request: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match ? `token:${createHash("sha256").update(match[1]).digest("base64url")}` : null;
}

/**
 * Who is asking (401/403 as requireUser answers them) and their bucket after counting this
 * request. A token's bucket is named by the token itself, so it is counted while the token
 * is looked up in Postgres — the two round trips overlap; a token that turns out invalid
 * still gets its 401 (its bucket expires unused). A browser session's bucket is its user's.
 */
async function callerAndBucket(request: Request, rule: BucketRule, known?: SessionUser): Promise<{ caller: SessionUser; state: BucketState }> {
  const bucket = tokenBucket(request);
  if (!bucket) {
    const caller = known ?? (await requireUser(request));
    return { caller, state: await rateLimiter().take("jobs-api", `user:${caller.id}`, rule) };
  }
  const counting = rateLimiter().take("jobs-api", bucket, rule);
  let caller: SessionUser;
  try {
    caller = known ?? (await requireUser(request));
  } catch (err) {
    counting.catch(() => {});
    throw err;
  }
  return { caller, state: await counting };
}

/**
 * Authenticates the request, counts it against the caller's bucket of the jobs API and runs
 * `handle` if there was room. Its answer, or the 429, carries the RateLimit-* headers;
 * errors thrown by `handle` are answered here too, so they carry them as well. A request
 * that is not signed in is refused (401) before anything is counted against a user.
 */
export async function withApiRateLimit(request: Request, handle: (caller: SessionUser) => Promise<Response>, known?: SessionUser): Promise<Response> {
  const rule = apiBucketRule();
  const { caller, state } = await callerAndBucket(request, rule, known);
  let response: Response;
  if (!state.allowed) {
    log().warn({ limit: rule.perMinute, burst: rule.capacity, token: Boolean(caller.tokenId) }, "security: jobs API rate limit reached");
    const seconds = Math.max(1, Math.ceil(state.retryAfterMs / 1000));
    response = errorResponse(
      new RateLimitedError(
        `Too many requests: this API allows ${rule.perMinute} a minute, ${rule.capacity} at once. Try again in ${seconds === 1 ? "1 second" : `${seconds} seconds`}.`,
        state.retryAfterMs,
      ),
    );
  } else {
    try {
      response = await handle(caller);
    } catch (err) {
      response = errorResponse(err);
    }
  }
  for (const [name, value] of Object.entries(rateLimitHeaders(rule, state))) setHeader(response, name, value);
  return response;
}

function setHeader(response: Response, name: string, value: string) {
  try {
    response.headers.set(name, value);
  } catch {
    // Immutable headers (a redirect): nothing the jobs API answers with.
  }
}

/**
 * The rate limit around a whole route handler that authenticates by itself (the live
 * stream route): the caller is looked up first to find its bucket. When that fails, the
 * handler runs anyway and answers the same 401/403 it always would, logged as usual.
 */
export function rateLimitedRoute<C>(handler: (request: Request, context: C) => Promise<Response>) {
  return async (request: Request, context: C): Promise<Response> => {
    let caller: SessionUser;
    try {
      caller = await requireUser(request);
    } catch {
      return handler(request, context);
    }
    return withApiRateLimit(request, () => handler(request, context), caller);
  };
}
