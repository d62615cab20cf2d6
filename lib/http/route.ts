// Wraps every route handler: thrown errors become responses (lib/http/status.ts), each
// request gets an id (the caller's X-Request-Id or a new one), echoed in the response and
// carried by every log line written while handling it, and one access line is logged.
// It also gives every answer its Content-Security-Policy: the handler's own when it sets
// one (file answers are sandboxed, lib/http/files.ts), else the route's default. This is
// not left to next.config.ts: Next.js sets the config's headers first and then keeps them
// over a handler's, so a config CSP for /api would silently replace the file answers'.
import { env } from "@/lib/env";
import { requestIdFrom, rootLogger, withLogger } from "@/lib/log";
import { webMetrics } from "@/lib/metrics/web";
import { API_CSP } from "@/lib/security/headers";
import { isCrossSiteWrite } from "@/lib/security/origin";
import { forbiddenOrigin } from "./errors";
import { errorResponse } from "./status";

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/**
 * State-changing requests from other sites are refused before the handler runs (CSRF,
 * see lib/security/origin.ts). `quiet` logs successful answers at debug level (probes and
 * scrapes arrive every few seconds). `csp`: the policy of answers that set none (default
 * API_CSP: data, never documents).
 */
export function route<C>(handler: Handler<C>, opts: { quiet?: boolean; csp?: string } = {}): Handler<C> {
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
      if (!response.headers.has("content-security-policy")) response = withHeader(response, "Content-Security-Policy", opts.csp ?? API_CSP);
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
