// Sends a stored object as an HTTP response, with headers that stop browsers from
// guessing a different type than the one we stored (nosniff), from running anything in it
// even if opened directly (a CSP with no sources, sandboxed), and other sites from
// embedding it (CORP). Only sniffed image types are ever stored; originals always download
// as attachments, so an uploaded file is never rendered as a page of this origin.
import { Readable } from "node:stream";
import { StorageNotFoundError, type Storage } from "@/lib/storage/types";

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

export interface RangedOptions {
  contentType: string;
  download?: string;
  cacheControl: string;
  /**
   * Public files other sites may load (podcast apps' web players, transcripts in a page):
   * `Access-Control-Allow-Origin: *` and a cross-origin resource policy.
   */
  public?: boolean;
}

/**
 * Like fileResponse, but honours HTTP Range requests (206 Partial Content), which audio and
 * video players use to seek and to read the length before playing, and HEAD (the same
 * headers, exact Content-Length, no body; podcast apps ask it before downloading).
 */
export async function rangedFileResponse(request: Request, store: Storage, key: string, opts: RangedOptions): Promise<Response> {
  const whole = await store.stat(key);
  if (!whole) throw new StorageNotFoundError(key);
  const range = parseRange(request.headers.get("range"), whole.size);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${whole.size}`, ...sharing(opts) } });
  }
  const head = request.method === "HEAD";
  const headers: Record<string, string> = {
    "Content-Type": opts.contentType,
    "Accept-Ranges": "bytes",
    "Cache-Control": opts.cacheControl,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    ...sharing(opts),
  };
  if (whole.etag) headers.ETag = whole.etag;
  if (opts.download) {
    const ascii = opts.download.replace(/[^\x20-\x7e]|["\\]/g, "_");
    headers["Content-Disposition"] = `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(opts.download)}`;
  }
  if (!range || opts.download) {
    headers["Content-Length"] = String(whole.size);
    if (head) return new Response(null, { status: 200, headers });
    const { stream } = await store.getStream(key);
    return new Response(Readable.toWeb(stream) as ReadableStream, { status: 200, headers });
  }
  headers["Content-Length"] = String(range.end - range.start + 1);
  headers["Content-Range"] = `bytes ${range.start}-${range.end}/${whole.size}`;
  if (head) return new Response(null, { status: 206, headers });
  const { stream } = await store.getStream(key, range);
  return new Response(Readable.toWeb(stream) as ReadableStream, { status: 206, headers });
}

function sharing(opts: { public?: boolean }): Record<string, string> {
  return opts.public
    ? { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Content-Length, Content-Range, Accept-Ranges, ETag", "Cross-Origin-Resource-Policy": "cross-origin" }
    : { "Cross-Origin-Resource-Policy": "same-origin" };
}
