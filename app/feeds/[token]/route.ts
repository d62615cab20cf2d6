// GET/HEAD: a show's public RSS feed (lib/podcasts/routes.ts: no session, the token is the
// permission; gzip for clients that ask; ETag and Last-Modified, 304; a rotated token 404).
import { frontRoute } from "@/lib/http/front-routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// Answered by the front (lib/http/front.ts) before Next sees it; this export serves a
// request that reaches Next, and every HEAD.
export const GET = frontRoute("GET /feeds/[token]");
export const HEAD = GET;
