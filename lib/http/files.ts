// Sends a stored object as an HTTP response, with headers that stop browsers from
// guessing a different type than the one we stored (nosniff), from running anything in it
// even if opened directly (a CSP with no sources, sandboxed), and other sites from
// embedding it (CORP). Only sniffed image types are ever stored; originals always download
// as attachments, so an uploaded file is never rendered as a page of this origin.
import { Readable } from "node:stream";
import type { Storage } from "@/lib/storage/types";

export async function fileResponse(
  store: Storage,
  key: string,
  opts: { contentType: string; download?: string; cacheControl: string },
): Promise<Response> {
  const { stream, size } = await store.getStream(key);
  const headers: Record<string, string> = {
    "Content-Type": opts.contentType,
    "Content-Length": String(size),
    "Cache-Control": opts.cacheControl,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
  if (opts.download) {
    const ascii = opts.download.replace(/[^\x20-\x7e]|["\\]/g, "_");
    headers["Content-Disposition"] = `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(opts.download)}`;
  }
  return new Response(Readable.toWeb(stream) as ReadableStream, { headers });
}
