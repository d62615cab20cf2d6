// The one place where errors become HTTP responses. Route handlers throw; `route()`
// maps: HttpError → its status, zod → 422 with field messages, Redis down → 503 with
// Retry-After, anything else → 500 with a generic message (details go to the log only).
import { ZodError } from "zod";
import { isRedisUnavailable } from "@/lib/redis";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { fields?: Record<string, string>; retryAfterSeconds?: number; code?: string } = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const notFound = (what = "That item") => new HttpError(404, `${what} was not found.`, { code: "not_found" });
export const unauthorised = () => new HttpError(401, "Please sign in first.", { code: "unauthenticated" });
export const badRequest = (message: string) => new HttpError(400, message, { code: "bad_request" });

export function errorResponse(err: unknown): Response {
  if (err instanceof HttpError) {
    const headers: Record<string, string> = {};
    if (err.extra.retryAfterSeconds) headers["Retry-After"] = String(err.extra.retryAfterSeconds);
    return Response.json(
      { error: { message: err.message, code: err.extra.code ?? `http_${err.status}`, fields: err.extra.fields } },
      { status: err.status, headers },
    );
  }
  if (err instanceof ZodError) {
    const fields: Record<string, string> = {};
    for (const issue of err.issues) fields[issue.path.join(".") || "_"] ??= issue.message;
    return Response.json(
      { error: { message: "Some fields are not valid.", code: "invalid_input", fields } },
      { status: 422 },
    );
  }
  if (isRedisUnavailable(err)) {
    console.error("[http] queue unavailable:", (err as Error).message);
    return Response.json(
      { error: { message: "The job queue is unavailable right now. Please try again in a moment.", code: "unavailable" } },
      { status: 503, headers: { "Retry-After": "5" } },
    );
  }
  console.error("[http] unexpected error:", err);
  return Response.json(
    { error: { message: "Something went wrong on our side. Please try again.", code: "internal" } },
    { status: 500 },
  );
}

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/** Wraps a route handler so every thrown error is mapped by `errorResponse`. */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
