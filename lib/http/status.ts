// The one place where errors become HTTP responses: the domain's errors (lib/errors) by
// class, the edge's own HttpError by its status, zod → 422 with field messages, Postgres,
// Redis or storage unreachable → 503 with Retry-After naming which, anything else → 500 with a generic message
// (details go to the log only, never a stack trace to the client).
import { ZodError } from "zod";
import { isDatabaseUnavailable } from "@/lib/db-errors";
import {
  ConflictError,
  DomainError,
  GoneError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  RejectedInputError,
  UnavailableError,
  type RejectionReason,
} from "@/lib/errors";
import { log } from "@/lib/log";
import { isRedisUnavailable } from "@/lib/redis";
import { StorageNotFoundError } from "@/lib/storage/types";
import { HttpError } from "./errors";

/** A refused file's status, also given per file in a partly accepted upload. */
export const REJECTION_STATUS: Record<RejectionReason, number> = {
  wrong_type: 415,
  unsupported: 415,
  too_large: 413,
  too_long: 422,
  damaged: 422,
  empty: 422,
  over_quota: 413,
};

/** The kind → status table. Null: a domain error with no meaning at the edge (a bug: 500). */
function statusOf(err: DomainError): number | null {
  if (err instanceof NotFoundError) return 404; // also "not yours": the two must look alike
  if (err instanceof ConflictError) return 409;
  if (err instanceof GoneError) return 410;
  if (err instanceof InvalidInputError) return 422;
  if (err instanceof RejectedInputError) return REJECTION_STATUS[err.reason];
  if (err instanceof RateLimitedError) return 429;
  if (err instanceof UnavailableError) return 503;
  return null;
}

function retryAfterSeconds(err: DomainError): number | undefined {
  if (err instanceof RateLimitedError) return Math.max(1, Math.ceil(err.retryAfterMs / 1000));
  if (err instanceof UnavailableError) return err.retryAfterSeconds;
  return undefined;
}

/** Errors from libraries, in the domain's words; null when they mean nothing to a client. */
function asDomainError(err: unknown): DomainError | null {
  if (err instanceof UnavailableError) {
    // The client hears which dependency is down; the operator reads what it answered.
    log().error({ dependency: err.dependency, err: causeOf(err) }, `${err.dependency} unavailable`);
    return err;
  }
  if (err instanceof DomainError) return err;
  // A stored file that is not there (deleted meanwhile): the same answer as a missing record.
  if (err instanceof StorageNotFoundError) return new NotFoundError("That file");
  if (err instanceof ZodError) {
    const fields: Record<string, string> = {};
    for (const issue of err.issues) fields[issue.path.join(".") || "_"] ??= issue.message;
    return new InvalidInputError(fields);
  }
  if (isRedisUnavailable(err)) {
    log().error({ err: (err as Error).message }, "queue unavailable");
    return new UnavailableError("queue", "The job queue is unavailable right now. Please try again in a moment.");
  }
  if (isDatabaseUnavailable(err)) {
    log().error({ err: (err as Error).message.trim().split("\n").at(-1) }, "database unavailable");
    return new UnavailableError("database", "The database is unavailable right now. Please try again in a moment.");
  }
  return null;
}

/** What the dependency answered, in one line: its code where the message lacks it. */
function causeOf(err: UnavailableError): string {
  const cause = err.cause instanceof Error ? err.cause : undefined;
  if (!cause) return err.message;
  const code = (cause as { code?: unknown }).code;
  return typeof code === "string" && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message || cause.name;
}

function answer(status: number, error: { message: string; code: string; fields?: Record<string, string>; details?: Record<string, number> }, retryAfter?: number) {
  return Response.json({ error }, { status, headers: retryAfter ? { "Retry-After": String(retryAfter) } : {} });
}

export function errorResponse(err: unknown): Response {
  if (err instanceof HttpError) return answer(err.status, { message: err.message, code: err.code });
  const domain = asDomainError(err);
  const status = domain && statusOf(domain);
  if (domain && status) {
    const fields = domain instanceof InvalidInputError || domain instanceof ConflictError ? domain.fields : undefined;
    const details = domain instanceof RejectedInputError ? domain.details : undefined;
    return answer(status, { message: domain.message, code: domain.code, fields, details }, retryAfterSeconds(domain));
  }
  log().error({ err }, "unexpected error");
  return answer(500, { message: "Something went wrong on our side. Please try again.", code: "internal" });
}
