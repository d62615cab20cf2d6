// Turns any error a processor meets into one decision: fail now, retry later, or wait
// out a rate limit; plus the sentence the user will read.
import { AiError } from "@/lib/ai/errors";
import { isDatabaseUnavailable } from "@/lib/db-errors";
import { MediaRejectedError } from "@/lib/media/errors";
import { StorageNotFoundError } from "@/lib/storage/types";

export type Failure =
  | { kind: "permanent"; message: string }
  /** Postgres or Redis unreachable: wait it out without spending an attempt. */
  | { kind: "unavailable"; message: string }
  | { kind: "transient"; message: string }
  | { kind: "rate_limited"; message: string; retryAfterMs: number };

export const GENERIC_FAILURE = "Something went wrong while analysing this photo. Press Retry to try again.";

export const UNAVAILABLE_MESSAGE = "Waiting for the database to come back; this photo will continue by itself.";

export function classifyFailure(err: unknown): Failure {
  // Not the job's fault and not worth an attempt: every job would fail the same way.
  if (isDatabaseUnavailable(err)) return { kind: "unavailable", message: UNAVAILABLE_MESSAGE };
  if (err instanceof MediaRejectedError) return { kind: "permanent", message: err.message };
  if (err instanceof StorageNotFoundError) {
    return { kind: "permanent", message: "The uploaded file is missing from storage. Please upload it again." };
  }
  if (err instanceof AiError) {
    switch (err.kind) {
      case "rate_limited":
        return { kind: "rate_limited", message: err.message, retryAfterMs: err.retryAfterMs ?? 30_000 };
      case "transient":
        return { kind: "transient", message: `The caption service had a problem: ${err.message}` };
      case "quota_exhausted":
        return { kind: "permanent", message: "The caption service's daily quota is used up. Press Retry tomorrow." };
      default:
        return { kind: "permanent", message: `The caption service refused this photo: ${err.message}` };
    }
  }
  // Database or network blips, timeouts: worth another attempt; details stay in the log.
  return { kind: "transient", message: GENERIC_FAILURE };
}
