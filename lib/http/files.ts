// Sends a stored object as an HTTP response: originals, thumbnails, posters, videos,
// episode audio and the public podcast files all come through here, so each has
//  - an exact Content-Length (200 and 206), Range requests (206 with Content-Range, 416
//    past the end) and HEAD (the same headers, no body): podcast apps, players and
//    download managers read the length before they fetch, then seek or resume by range;
//  - headers that stop browsers from guessing a different type than the one we stored
//    (nosniff), from running anything in it even if opened directly (a CSP with no
//    sources, sandboxed), and other sites from embedding it (CORP) unless it is public;
//  - `no-transform`: the bytes go out exactly as stored (a compressed answer would lose
//    its length and make byte ranges meaningless).
// Only sniffed types are ever stored, and originals download as attachments, so an
// uploaded file is never rendered as a page of this origin.
import { Readable } from "node:stream";
import { StorageNotFoundError, type Storage } from "@/lib/storage/types";
import { withBodyLength } from "./content-length";
import { attachmentDisposition } from "./file-names";

/** The CSP of every file answer (route() leaves a handler's own CSP alone). */
export const FILE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

export interface FileOptions {
  contentType: string;
  cacheControl: string;
  /** Served as an attachment saved under this name (the person's own file name). */
  download?: string;
  /**
   * Public files other sites may load (podcast apps' web players, transcripts in a page):
   * `Access-Control-Allow-Origin: *` and a cross-origin resource policy.
   */
  public?: boolean;
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
 * The stored object `key` as the answer to `request` (GET or HEAD, with or without Range).
 * A missing object throws StorageNotFoundError (the caller's 404).
 */
export async function fileResponse(request: Request, store: Storage, key: string, opts: FileOptions): Promise<Response> {
  const whole = await store.stat(key);
  if (!whole) throw new StorageNotFoundError(key);
  const headers: Record<string, string> = {
    "Content-Type": opts.contentType,
    "Accept-Ranges": "bytes",
    "Cache-Control": `${opts.cacheControl}, no-transform`,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": FILE_CSP,
    ...sharing(opts),
  };
  if (whole.etag) headers.ETag = whole.etag;
  if (opts.download) headers["Content-Disposition"] = attachmentDisposition(opts.download);

  const range = parseRange(request.headers.get("range"), whole.size);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: withBodyLength({ ...headers, "Content-Range": `bytes */${whole.size}` }, 0) });
  }
  const head = request.method === "HEAD";
  if (!range) {
    const full = withBodyLength(headers, whole.size);
    if (head) return new Response(null, { status: 200, headers: full });
    const { stream } = await store.getStream(key);
    return new Response(Readable.toWeb(stream) as ReadableStream, { status: 200, headers: full });
  }
  const part = withBodyLength({ ...headers, "Content-Range": `bytes ${range.start}-${range.end}/${whole.size}` }, range.end - range.start + 1);
  if (head) return new Response(null, { status: 206, headers: part });
  const { stream } = await store.getStream(key, range);
  return new Response(Readable.toWeb(stream) as ReadableStream, { status: 206, headers: part });
}

/** Bytes made on the fly (a preview) as a file answer: the same headers, whole, no ranges. */
export function bytesResponse(request: Request, bytes: Uint8Array, opts: FileOptions): Response {
  const headers = withBodyLength(
    {
      "Content-Type": opts.contentType,
      "Cache-Control": `${opts.cacheControl}, no-transform`,
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": FILE_CSP,
      ...sharing(opts),
      ...(opts.download ? { "Content-Disposition": attachmentDisposition(opts.download) } : {}),
    },
    bytes.byteLength,
  );
  return new Response(request.method === "HEAD" ? null : new Uint8Array(bytes), { headers });
}

function sharing(opts: { public?: boolean }): Record<string, string> {
  return opts.public
    ? { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Content-Length, Content-Range, Accept-Ranges, ETag", "Cross-Origin-Resource-Policy": "cross-origin" }
    : { "Cross-Origin-Resource-Policy": "same-origin" };
}
