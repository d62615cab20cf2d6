// Idempotency-Key at the HTTP edge. A client that lost the answer (a phone's connection gone
// mid-request, a tab suspended) cannot tell whether its request arrived; sending it again
// with the same key is safe. The AI jobs API keeps the key on the job row (lib/ai-jobs); an
// upload has no single row to keep it on (a request may make several photos, or refuse all),
// so its answer is kept in Redis instead, per user and key, for a day: a repeat is answered
// with the first answer and nothing is stored again.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { ConflictError, InvalidInputError } from "@/lib/errors";
import { log } from "@/lib/log";
import { createRedis } from "@/lib/redis";
import { dropSingleton, singleton } from "@/lib/singleton";

/** `Idempotency-Key`: 1–255 visible ASCII characters (a UUID is the usual choice). */
export function parseIdempotencyKey(value: string | null): string | null {
  if (value === null) return null;
  const key = value.trim();
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new InvalidInputError(
      { "Idempotency-Key": "Use 1 to 255 visible ASCII characters, such as a UUID." },
      "The Idempotency-Key header is not valid.",
    );
  }
  return key;
}

/** How long a kept answer is replayed: a phone offline overnight still gets it the next morning. */
export const IDEMPOTENT_ANSWER_TTL_SECONDS = 24 * 3600;
/**
 * A claim lasts this long unless its request renews it; the request renews it every
 * CLAIM_RENEW_MS while it runs, however slow the upload. So a process that crashed mid-request
 * frees the key within half a minute, and the client's resend is handled instead of being
 * told "still being handled" for as long as the slowest upload could take.
 */
const CLAIM_TTL_SECONDS = 30;
const CLAIM_RENEW_MS = 10_000;
const CLAIMED = "running";

/** What a handler answers: kept (when it is a success) and replayed as it was. */
export interface Answer {
  status: number;
  body: unknown;
}

/** The header a replayed answer carries, so a client (or a person reading the logs) can tell. */
export const REPLAYED_HEADER = "Idempotent-Replayed";

/**
 * Runs `handle` once per (user, key) within a day. Without a key it simply runs. The first
 * request claims the key with SET NX (so of two at once exactly one runs); a success (2xx) is
 * kept and answered again to every repeat; anything else (a refusal, an error) frees the key,
 * so the same request may be sent again and judged again. A repeat while the first still
 * runs is a 409 the client waits out.
 */
export async function answerOnce(scope: string, userId: string, key: string | null, handle: () => Promise<Answer>): Promise<Response> {
  if (key === null) return toResponse(await handle(), false);
  const redis = idempotencyRedis();
  const slot = `${env().QUEUE_PREFIX}:idem:${scope}:${userId}:${createHash("sha256").update(key).digest("base64url").slice(0, 32)}`;

  // Claim, or read what the first request left. The loop covers the moment between a
  // failed claim and the read in which the first request freed the key.
  for (let tries = 0; ; tries++) {
    if (await redis.set(slot, CLAIMED, "EX", CLAIM_TTL_SECONDS, "NX")) break;
    const kept = await redis.get(slot);
    if (kept !== null && kept !== CLAIMED) return toResponse(JSON.parse(kept) as Answer, true);
    if (kept === CLAIMED || tries >= 2) {
      throw new ConflictError("idempotency_key_in_flight", "A request with this Idempotency-Key is still being handled. Try again in a moment.");
    }
  }

  let answer: Answer;
  const renew = setInterval(() => void redis.expire(slot, CLAIM_TTL_SECONDS).catch(() => {}), CLAIM_RENEW_MS);
  try {
    answer = await handle();
  } catch (err) {
    await redis.del(slot).catch(() => {});
    throw err;
  } finally {
    clearInterval(renew);
  }
  try {
    if (answer.status >= 200 && answer.status < 300) await redis.set(slot, JSON.stringify(answer), "EX", IDEMPOTENT_ANSWER_TTL_SECONDS);
    else await redis.del(slot);
  } catch (err) {
    // The work is done and must be answered; a repeat may then be handled again.
    log().warn({ err: (err as Error).message, scope }, "could not keep an idempotent answer");
  }
  return toResponse(answer, false);
}

function toResponse({ status, body }: Answer, replayed: boolean): Response {
  return Response.json(body, { status, headers: replayed ? { [REPLAYED_HEADER]: "true" } : {} });
}

/** This process's connection for kept answers (a request-path one: it fails fast when Redis is down). */
function idempotencyRedis(): Redis {
  return singleton("idempotency-redis", () => createRedis("idempotency"));
}

export async function closeIdempotency(): Promise<void> {
  await dropSingleton<Redis>("idempotency-redis")?.quit().catch(() => {});
}
