// Wraps every route handler: thrown errors become responses (lib/http/status.ts), each
// request gets an id (the caller's X-Request-Id or a new one), echoed in the response and
// carried by every log line written while handling it, and one access line is logged.
import { env } from "@/lib/env";
import { requestIdFrom, rootLogger, withLogger } from "@/lib/log";
import { webMetrics } from "@/lib/metrics/web";
import { isCrossSiteWrite } from "@/lib/security/origin";
import { forbiddenOrigin } from "./errors";
import { errorResponse } from "./status";

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/**
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
