// The live front: SSE streams answered on Node's own request, in front of Next.
//
// Under `next start` every request goes through Next's request machinery, and a streaming
// answer keeps all of it alive for as long as the stream is open: ~80 KB per stream
// (docs/performance.md, scenario 4), four times what a bare node:http stream costs. So
// the web process answers the stream paths (stream-routes.ts) itself, before Next sees
// them: the same handler a stream's route.ts exports runs on a Request built from the
// Node request (authorisation, rate limit, snapshot, request id, the access line, error
// answers: all route()'s), and when it answers with an SSE stream, the stream is written
// straight to Node's response instead of through a web ReadableStream. Everything else,
// and any stream request arriving before this is installed, goes to Next as before.
//
// Installed from instrumentation-node.ts, in Next's own process: `next start` hands out no
// http.Server, so the front sits in http.Server.prototype.emit, as the shutdown code's
// server tracking does (shutdown.ts). This keeps `next start` — npm start, the Dockerfile,
// compose, the bench and the test harness — exactly as it was; a custom server would call
// `serveLiveStream(req, res)` before Next's `getRequestHandler()` the same way.
import http from "node:http";
import { COMMON_SECURITY_HEADERS } from "@/lib/security/headers";
import { serveSse, takeSseSource } from "./sse";
import { errorResponse } from "./status";
import { streamRouteFor, type StreamHandler } from "./stream-routes";

const holder = globalThis as unknown as { framecastLiveFront?: boolean };

/**
 * Answers `req` when it is a stream request (GET of a stream path) and returns true;
 * returns false, touching nothing, for every other request.
 */
export function serveLiveStream(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method !== "GET" || !req.url) return false;
  const query = req.url.indexOf("?");
  const handler = streamRouteFor(query === -1 ? req.url : req.url.slice(0, query));
  if (!handler) return false;
  const request = toRequest(req);
  if (!request) return false; // a request undici will not represent: Next answers it
  void answer(handler, request, res).catch((err) => {
    // answer() turns the handler's errors into responses; this is only a write that failed.
    if (!res.headersSent) writeResponse(res, errorResponse(err));
    else res.destroy();
  });
  return true;
}

/** The web Request a route handler reads, from Node's request: the same URL and headers. */
function toRequest(req: http.IncomingMessage): Request | null {
  try {
    const headers = new Headers();
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
    return new Request(new URL(req.url!, `http://${req.headers.host ?? "localhost"}`), { headers });
  } catch {
    return null;
  }
}

async function answer(handler: StreamHandler, request: Request, res: http.ServerResponse): Promise<void> {
  const response = await handler(request, { params: Promise.resolve({}) });
  const source = takeSseSource(response);
  if (source) {
    res.writeHead(response.status, headersOf(response));
    serveSse(res, source);
  } else {
    await writeResponse(res, response);
  }
}

/** Writes a whole (non-streaming) answer: a refusal, an error. */
async function writeResponse(res: http.ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, { ...headersOf(response), "content-length": String(body.length) });
  res.end(body);
}

/** The answer's headers plus the ones next.config.ts gives every response (Next is not in the way here). */
function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) headers[name.toLowerCase()] = value;
  for (const [name, value] of response.headers) headers[name] = value;
  return headers;
}

/** Puts the front in front of every http.Server of this process (once). */
export function installLiveFront(): void {
  if (holder.framecastLiveFront) return;
  holder.framecastLiveFront = true;
  const proto = http.Server.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request" && serveLiveStream(args[0] as http.IncomingMessage, args[1] as http.ServerResponse)) return true;
    return emit.call(this, event, ...args);
  };
}
