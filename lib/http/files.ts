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

/** Parses a single-range `Range: bytes=…` header against a size; null means "send it all". */
export function parseRange(header: string | null, size: number): { start: number; end: number } | "unsatisfiable" | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!m || (m[1] === "" && m[2] === "")) return null;
  let start: number;
  let end: number;
  if (m[1] === "") {
    // "bytes=-500": the last 500 bytes.
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

/**
 * Like fileResponse, but honours HTTP Range requests (206 Partial Content), which video
 * players use to seek and to read the length before playing.
 */
export async function rangedFileResponse(
  request: Request,
  store: Storage,
  key: string,
  opts: { contentType: string; download?: string; cacheControl: string },
): Promise<Response> {
  const whole = await store.stat(key);
  const range = whole ? parseRange(request.headers.get("range"), whole.size) : null;
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${whole!.size}` } });
  }
  if (!range || opts.download) {
    const res = await fileResponse(store, key, opts);
    res.headers.set("Accept-Ranges", "bytes");
    return res;
  }
  const { stream, size } = await store.getStream(key, range);
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    status: 206,
    headers: {
      "Content-Type": opts.contentType,
      "Content-Length": String(range.end - range.start + 1),
      "Content-Range": `bytes ${range.start}-${range.end}/${size}`,
      "Accept-Ranges": "bytes",
      "Cache-Control": opts.cacheControl,
      "X-Content-Type-Options": "nosniff",
    },
  });
}
