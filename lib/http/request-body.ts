// A request's body as a Node stream, whoever answers the request. Next hands a route handler
// a web ReadableStream (which Next itself made from Node's request); the front (front.ts)
// builds its Request with no web body and keeps Node's own request beside it, so an upload
// is read from the socket without the two stream adapters (Node → web → Node) in between.
import type { IncomingMessage } from "node:http";
import { PassThrough, Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

const nodeBodies = new WeakMap<Request, IncomingMessage>();

/** Marks `request` (built by the front, with no body of its own) as reading its body from `incoming`. */
export function readBodyFrom(request: Request, incoming: IncomingMessage): Request {
  nodeBodies.set(request, incoming);
  return request;
}

/** Whether the request carries a body, whoever built it. */
export function hasBody(request: Request): boolean {
  return nodeBodies.has(request) || request.body !== null;
}

/**
 * The body as a Node stream, or null when the request has none. Destroying it (a refusal
 * halfway through the body) stops reading but leaves the connection open, so the refusal
 * can still be sent: Node's own request is piped through, never destroyed, and Node
 * discards the rest of it once the answer is sent.
 */
export function bodyStream(request: Request): Readable | null {
  const incoming = nodeBodies.get(request);
  if (incoming) {
    const body = new PassThrough();
    // pipe() forwards neither errors nor a cut connection: without these a client that
    // went away mid-upload would leave the reader waiting for an end that never comes.
    incoming.on("error", (err) => body.destroy(err));
    incoming.on("close", () => {
      if (!incoming.complete) body.destroy(new Error("The request was cut off before its end."));
    });
    return incoming.pipe(body);
  }
  return request.body ? Readable.fromWeb(request.body as unknown as WebReadableStream) : null;
}
