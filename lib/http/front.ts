// The front: the hottest routes answered on Node's own request, in front of Next.
//
// Under `next start` every request goes through Next's request machinery, which costs more
// than the work of our busiest routes: an empty route handler takes ~20× the CPU of a bare
// node:http answer, and a streaming answer keeps all of it alive for as long as the stream
// is open (~80 KB per stream, four times a bare stream). So the web process answers the
// routes in front-routes.ts itself, before Next sees them: the same handler the path's
// route.ts exports runs on a Request built from the Node request (authorisation, rate
// limits, request id, the access line, error answers: all route()'s), an upload's body is
// read from Node's request directly (request-body.ts), and an SSE stream is written straight
// to Node's response instead of through a web ReadableStream (docs/performance.md). Every
// other request, and any request arriving before this is installed, goes to Next as before.
//
// Installed from instrumentation-node.ts, in Next's own process: `next start` hands out no
// http.Server, so the front sits in http.Server.prototype.emit, as the shutdown code's
// server tracking does (shutdown.ts). This keeps `next start` — npm start, the Dockerfile,
// compose, the bench and the test harness — exactly as it was; a custom server would call
// `serveAtFront(req, res)` before Next's `getRequestHandler()` the same way.
import http from "node:http";
import { COMMON_SECURITY_HEADERS } from "@/lib/security/headers";
import { takeBytes } from "./bytes";
import { BODY_LENGTH_HEADER } from "./content-length";
import { frontRouteFor, type FrontHandler } from "./front-routes";
import { readBodyFrom } from "./request-body";
import { serveSse, takeSseSource } from "./sse";
import { errorResponse } from "./status";

const holder = globalThis as unknown as { framecastFront?: boolean };

/**
 * Answers `req` when it is one of the front's routes and returns true; returns false,
 * touching nothing, for every other request.
 */
export function serveAtFront(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (!req.url || (req.method !== "GET" && req.method !== "POST")) return false;
  const query = req.url.indexOf("?");
  const found = frontRouteFor(req.method, query === -1 ? req.url : req.url.slice(0, query));
  if (!found) return false;
  const request = toRequest(req);
  if (!request) return false; // a request undici will not represent: Next answers it
  void answer(found.handler, request, found.params, res).catch((err) => {
    // answer() turns the handler's errors into responses; this is only a write that failed.
    if (!res.headersSent) void writeResponse(res, errorResponse(err)).catch(() => res.destroy());
    else res.destroy();
  });
  return true;
}

/**
 * The web Request a route handler reads, from Node's request: the same method, URL and
 * headers, plus the X-Forwarded-* headers Next adds when a client sent none (the client's
 * address for rate limits behind a trusted proxy, lib/security/client-ip.ts). A body is
 * read from Node's request itself (request-body.ts), not copied into a web stream.
 */
function toRequest(req: http.IncomingMessage): Request | null {
  try {
    const headers = new Headers();
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
    const host = req.headers.host ?? "localhost";
    const encrypted = "encrypted" in req.socket;
    if (!headers.has("x-forwarded-for") && req.socket.remoteAddress) headers.set("x-forwarded-for", req.socket.remoteAddress);
    if (!headers.has("x-forwarded-host")) headers.set("x-forwarded-host", host);
    if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", encrypted ? "https" : "http");
    // The URL's scheme as Next gives it (the Origin check compares against it).
    const scheme = encrypted || headers.get("x-forwarded-proto")!.includes("https") ? "https" : "http";
    const request = new Request(new URL(req.url!, `${scheme}://${host}`), { method: req.method, headers });
    return req.method === "GET" ? request : readBodyFrom(request, req);
  } catch {
    return null;
  }
}

async function answer(handler: FrontHandler, request: Request, params: Record<string, string>, res: http.ServerResponse): Promise<void> {
  const response = await handler(request, { params: Promise.resolve(params) });
  const source = takeSseSource(response);
  if (source) {
    res.writeHead(response.status, headersOf(response));
    serveSse(res, source);
  } else {
    await writeResponse(res, response);
  }
}

/** Writes a whole (non-streaming) answer: JSON, a refusal, an error, bytes held in memory. */
async function writeResponse(res: http.ServerResponse, response: Response): Promise<void> {
  const body = takeBytes(response) ?? (response.body ? Buffer.from(await response.arrayBuffer()) : null);
  const headers = headersOf(response);
  // The private header only carries a length past Next (content-length.ts); here the body's own is exact.
  delete headers[BODY_LENGTH_HEADER];
  if (body) headers["content-length"] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body ?? undefined);
}

/** The answer's headers plus the ones next.config.ts gives every response (Next is not in the way here). */
function headersOf(response: Response): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) headers[name.toLowerCase()] = value;
  for (const [name, value] of response.headers) headers[name] = value;
  // Each cookie on its own line (iterating Headers joins them with ", ").
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  return headers;
}

/** Puts the front in front of every http.Server of this process (once). */
export function installFront(): void {
  if (holder.framecastFront) return;
  holder.framecastFront = true;
  const proto = http.Server.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request" && serveAtFront(args[0] as http.IncomingMessage, args[1] as http.ServerResponse)) return true;
    return emit.call(this, event, ...args);
  };
}
