// GET/HEAD: a show's public RSS feed (no session: the unguessable token is the permission).
// The stored XML of the current feed version, application/rss+xml, with ETag and
// Last-Modified; a repeat request with either validator gets 304. A rotated token: 404.
import { db } from "@/lib/db";
import { withBodyLength } from "@/lib/http/content-length";
import { route } from "@/lib/http/route";
import { FEED_CONTENT_TYPE } from "@/lib/podcasts/feed";
import { currentFeed, notModified } from "@/lib/podcasts/feed-serve";
import { FEED_CACHE_CONTROL } from "@/lib/podcasts/feed-store";
import { urlConfig } from "@/lib/podcasts/episodes";
import { showByToken } from "@/lib/podcasts/public-files";
import { storage } from "@/lib/storage/instance";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = route<{ params: Promise<{ token: string }> }>(
  async (request, { params }) => {
    const show = await showByToken(db(), (await params).token);
    const feed = await currentFeed({ db: db(), storage: storage(), urls: urlConfig() }, show);
    const headers = {
      ETag: feed.etag,
      "Last-Modified": feed.lastModified.toUTCString(),
      "Cache-Control": FEED_CACHE_CONTROL,
      "X-Content-Type-Options": "nosniff",
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
    };
    if (notModified(request, feed)) return new Response(null, { status: 304, headers });
    const body = request.method === "HEAD" ? null : new Uint8Array(feed.body);
    return new Response(body, { headers: withBodyLength({ ...headers, "Content-Type": FEED_CONTENT_TYPE }, feed.body.length) });
  },
  { quiet: true },
);

export const GET = handler;
export const HEAD = handler;
