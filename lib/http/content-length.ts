// Content-Length for route handler answers. Next.js (since 15.4.1, `sendResponse` in
// next/dist/server/send-response.js) drops the Content-Length a route handler's Response
// carries, so a streamed file went out chunked with no length, and a HEAD answer with none
// at all: podcast apps and download managers could not tell how big a file is. The handler
// therefore also states the length under a private header, and the web process (installed
// from instrumentation-node.ts) turns that header into Content-Length as Next copies the
// headers onto Node's response. The private header itself never leaves the process.
// Node then sends exactly that many bytes without chunking; a response the compression
// middleware encodes loses the length again, correctly (files are sent no-transform).
import { ServerResponse } from "node:http";

/** The private header a handler states its body length in. */
export const BODY_LENGTH_HEADER = "x-framecast-body-length";

/** `headers` plus the body's length, both as Content-Length and as the private header. */
export function withBodyLength(headers: Record<string, string>, length: number): Record<string, string> {
  return { ...headers, "Content-Length": String(length), [BODY_LENGTH_HEADER]: String(length) };
}

let installed = false;

/** Makes Node's responses turn the private header into Content-Length (once per process). */
export function installContentLengthBridge(): void {
  if (installed) return;
  installed = true;
  const proto = ServerResponse.prototype;
  const setHeader = proto.setHeader;
  proto.setHeader = function (this: ServerResponse, name: string, value: number | string | readonly string[]) {
    if (typeof name === "string" && name.toLowerCase() === BODY_LENGTH_HEADER) {
      return setHeader.call(this, "Content-Length", Array.isArray(value) ? value[0] : value);
    }
    return setHeader.call(this, name, value);
  } as typeof proto.setHeader;
}
