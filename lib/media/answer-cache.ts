// Finished AI answers for a photo's bytes, kept until its analysis is saved. A caption is
// the one paid step of the analysis; if anything after it fails (storage down while the
// thumbnail is written, the database down while the result is saved, the worker killed),
// the job's next run reuses the answer instead of paying the provider again. Keyed by
// content hash like the analysis itself; in Redis, so it survives a Postgres outage too,
// and it expires by itself if the analysis is never saved.
import type { Redis } from "ioredis";
import type { Description } from "@/lib/ai/types";

/** Long enough to outlast any outage a job waits out in practice; short enough to stay small. */
export const ANSWER_TTL_SECONDS = 7 * 24 * 60 * 60;

const keyOf = (prefix: string, sha256: string) => `${prefix}:ai-answer:describe:${sha256}`;

function isDescription(value: unknown): value is Description {
  const d = value as Partial<Description> | null;
  return (
    typeof d === "object" && d !== null && typeof d.caption === "string" && typeof d.provider === "string" &&
    Array.isArray(d.tags) && d.tags.every((t) => typeof t === "string")
  );
}

export async function keptAnswer(redis: Redis, prefix: string, sha256: string): Promise<Description | null> {
  const raw = await redis.get(keyOf(prefix, sha256));
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isDescription(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export async function keepAnswer(redis: Redis, prefix: string, sha256: string, answer: Description): Promise<void> {
  await redis.set(keyOf(prefix, sha256), JSON.stringify(answer), "EX", ANSWER_TTL_SECONDS);
}

/** Once the analysis row holds the answer, the copy goes. */
export async function forgetAnswer(redis: Redis, prefix: string, sha256: string): Promise<void> {
  await redis.del(keyOf(prefix, sha256));
}
