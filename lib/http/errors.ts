// The one place where errors become HTTP responses. Route handlers throw; `route()`
// maps: HttpError → its status, zod → 422 with field messages, Redis down → 503 with
// Retry-After, Postgres down → 503 with Retry-After, anything else → 500 with a generic message (details go to the log only).
// It also gives every request an id (the caller's X-Request-Id or a new one), echoed in
// the response and carried by every log line written while handling it.
import { ZodError } from "zod";
import { isDatabaseUnavailable } from "@/lib/db-errors";
import { env } from "@/lib/env";
import { log, requestIdFrom, rootLogger, withLogger } from "@/lib/log";
import { webMetrics } from "@/lib/metrics/web";
import { isRedisUnavailable } from "@/lib/redis";
import { isCrossSiteWrite } from "@/lib/security/origin";

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
export const forbidden = (message = "Only admins can do that.", code = "forbidden") => new HttpError(403, message, { code });
export const forbiddenOrigin = () =>
  forbidden("This request did not come from a Framecast page, so it was refused. Reload the page and try again.", "bad_origin");

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
    log().error({ err: (err as Error).message }, "queue unavailable");
    return Response.json(
      { error: { message: "The job queue is unavailable right now. Please try again in a moment.", code: "unavailable" } },
      { status: 503, headers: { "Retry-After": "5" } },
    );
  }
  if (isDatabaseUnavailable(err)) {
    log().error({ err: (err as Error).message.trim().split("\n").at(-1) }, "database unavailable");
    return Response.json(
      { error: { message: "The database is unavailable right now. Please try again in a moment.", code: "unavailable" } },
      { status: 503, headers: { "Retry-After": "5" } },
    );
  }
  log().error({ err }, "unexpected error");
  return Response.json(
    { error: { message: "Something went wrong on our side. Please try again.", code: "internal" } },
    { status: 500 },
  );
}

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/**
 * Wraps a route handler: every thrown error is mapped by `errorResponse`, the request gets
 * an id (X-Request-Id in and out, on every log line), and one access line is logged.
 * State-changing requests from other sites are refused before the handler runs (CSRF,
 * see lib/security/origin.ts). `quiet` logs successful answers at debug level (probes and
 * scrapes arrive every few seconds).
 */
export function route<C>(handler: Handler<C>, opts: { quiet?: boolean } = {}): Handler<C> {
  return async (request, context) => {
    const requestId = requestIdFrom(request.headers);
    const logger = rootLogger().child({ requestId });
    const started = performance.now();
    return withLogger(logger, async () => {
      let response: Response;
      try {
        const config = env();
        if (isCrossSiteWrite(request, { appUrl: config.APP_URL, trustProxy: config.TRUST_PROXY > 0 })) {
          // The header is the client's: logged as a field, never spliced into the message.
          const origin = request.headers.get("origin") ?? request.headers.get("sec-fetch-site") ?? "none";
          logger.warn({ method: request.method, path: new URL(request.url).pathname, origin }, "security: refused a cross-site request");
          throw forbiddenOrigin();
        }
        response = await handler(request, context);
      } catch (err) {
        response = errorResponse(err);
      }
      response = withHeader(response, "X-Request-Id", requestId);
      const ms = Math.round(performance.now() - started);
      const line = { method: request.method, path: new URL(request.url).pathname, status: response.status, ms };
      if (response.status >= 500) logger.warn(line, "request failed");
      else if (opts.quiet && response.status < 400) logger.debug(line, "request");
      else logger.info(line, "request");
      webMetrics().httpRequests.inc({ method: request.method, status: String(response.status) });
      return response;
    });
  };
}

/** Sets a header even on responses whose headers are immutable (e.g. Response.redirect). */
function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}
