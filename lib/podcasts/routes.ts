// The podcast route the front answers (lib/http/front-routes.ts): a show's public RSS feed.
// No session: the unguessable token is the permission. The stored XML of the current feed
// version, application/rss+xml, gzip-compressed for clients that ask (podcast apps do),
// with ETag and Last-Modified; a repeat request with either validator gets 304. A rotated
// token: 404. The compressed copy has its own, weak, ETag (as nginx gives one), so a
// validator names the bytes the client holds; both match the same version.
import { db } from "@/lib/db";
import { bytesResponse } from "@/lib/http/bytes";
import { withBodyLength } from "@/lib/http/content-length";
import { route } from "@/lib/http/route";
import { storage } from "@/lib/storage/instance";
import { urlConfig } from "./episodes";
import { FEED_CONTENT_TYPE } from "./feed";
import { acceptsGzip, currentFeed, gzippedBody, notModified } from "./feed-serve";
import { FEED_CACHE_CONTROL } from "./feed-store";
import { showByToken } from "./public-files";

export const serveFeed = route<{ params: Promise<{ token: string }> }>(
  async (request, { params }) => {
    const show = await showByToken(db(), (await params).token);
    const feed = await currentFeed({ db: db(), storage: storage(), urls: urlConfig() }, show);
    const gzip = acceptsGzip(request);
    const headers: Record<string, string> = {
      ETag: gzip ? `W/${feed.etag}` : feed.etag,
      "Last-Modified": feed.lastModified.toUTCString(),
      "Cache-Control": FEED_CACHE_CONTROL,
      Vary: "Accept-Encoding",
      "X-Content-Type-Options": "nosniff",
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
    };
    if (notModified(request, feed)) return new Response(null, { status: 304, headers });
    const body = gzip ? await gzippedBody(feed) : feed.body;
    const full = withBodyLength({ ...headers, "Content-Type": FEED_CONTENT_TYPE, ...(gzip ? { "Content-Encoding": "gzip" } : {}) }, body.length);
    return request.method === "HEAD" ? new Response(null, { headers: full }) : bytesResponse(body, { headers: full });
  },
  { quiet: true },
);
