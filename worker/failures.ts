// The one failure classifier of the worker: turns any error a processor meets into one
// decision (fail now, retry later, wait out a rate limit or an outage) plus the sentence
// the user will read. Every pipeline uses it; only the wording differs (a photo says
// "Press Retry", a workflow step "Press Resume"). Instance checks only, never messages.
import { AiError } from "@/lib/ai/errors";
import { isDatabaseUnavailable } from "@/lib/db-errors";
import { DomainError, RateLimitedError, UnavailableError, type Dependency } from "@/lib/errors";
import { StorageNotFoundError } from "@/lib/storage/types";

export type Failure =
  | { kind: "permanent"; message: string }
  /** Postgres or storage unreachable (Redis is waited out by its connections): wait it out without spending an attempt. */
  | { kind: "unavailable"; message: string; dependency: Dependency }
  | { kind: "transient"; message: string }
  | { kind: "rate_limited"; message: string; retryAfterMs: number };

/** What a pipeline says where the error itself has nothing a person should read. */
export interface FailureWording {
  /** Anything unexpected (details stay in the log); the job is retried. */
  generic: string;
  /** A stored file the job reads has gone. */
  missingFile: string;
  /** BullMQ failed the job because its workers kept dying (worker/runtime.ts). */
  stalled: string;
  /** The AI provider as this pipeline's user knows it, what it refused, and which button to press. */
  ai: { service: string; refused: string; button: string };
}

export const GENERIC_FAILURE = "Something went wrong while analysing this photo. Press Retry to try again.";

export const UNAVAILABLE_MESSAGE = "Waiting for the database to come back; this photo will continue by itself.";
export const STORAGE_UNAVAILABLE_WAIT = "Waiting for file storage to come back; this will continue by itself.";

/** Photo analysis, and every job that brings no wording of its own. */
export const PHOTO_WORDING: FailureWording = {
  generic: GENERIC_FAILURE,
  missingFile: "The uploaded file is missing from storage. Please upload it again.",
  stalled: GENERIC_FAILURE,
  ai: { service: "caption service", refused: "refused this photo", button: "Retry" },
};

export function classifyFailure(err: unknown, wording: FailureWording = PHOTO_WORDING): Failure {
  // Not the job's fault and not worth an attempt: every job would fail the same way.
  if (isDatabaseUnavailable(err)) return { kind: "unavailable", message: UNAVAILABLE_MESSAGE, dependency: "database" };
  // Storage down (lib/storage names it): the same wait, so no job fails for a restart of S3.
  if (err instanceof UnavailableError) {
    const message = err.dependency === "storage" ? STORAGE_UNAVAILABLE_WAIT : err.message;
    return { kind: "unavailable", message, dependency: err.dependency };
  }
  if (err instanceof StorageNotFoundError) return { kind: "permanent", message: wording.missingFile };
  if (err instanceof AiError) return classifyAiError(err, wording.ai);
  if (err instanceof RateLimitedError) return { kind: "rate_limited", message: err.message, retryAfterMs: err.retryAfterMs };
  // Our own errors carry their kind and a sentence for the user (a rejected file, a
  // conflict, a render that failed, ...).
  if (err instanceof DomainError) {
    const kind = err.kind;
    if (kind === "permanent" || kind === "transient") return { kind, message: err.message };
  }
  // Network blips, timeouts, bugs: worth another attempt; details stay in the log.
  return { kind: "transient", message: wording.generic };
}

function classifyAiError(err: AiError, ai: FailureWording["ai"]): Failure {
  switch (err.kind) {
    case "rate_limited":
      return { kind: "rate_limited", message: err.message, retryAfterMs: err.retryAfterMs ?? 30_000 };
    case "transient":
      return { kind: "transient", message: `The ${ai.service} had a problem: ${err.message}` };
    case "quota_exhausted":
      return { kind: "permanent", message: `The ${ai.service}'s daily quota is used up. Press ${ai.button} tomorrow.` };
    default:
      return { kind: "permanent", message: `The ${ai.service} ${ai.refused}: ${err.message}` };
  }
}
